// A small host application that signs its users in through Lifeline (OpenID Connect).
// Plain node:http, no build step, no framework; openid-client v6 for discovery, the code flow
// (PKCE S256, state, nonce) and RP-initiated logout; jose for back-channel logout tokens.
// Run from the repository root after `npm ci` (README.md in this directory is the guide):
//
//   OIDC_ISSUER=http://localhost:3000/oidc OIDC_CLIENT_ID=ll_… OIDC_CLIENT_SECRET=… \
//     node examples/host-app/server.mjs
//
// Sessions, pending sign-ins and seen logout tokens live in memory: a restart signs everyone out,
// and a second instance would not see the first one's sessions. Fine for a sample; a real host
// keeps them in its database or Redis (README.md "Production").
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import * as oidc from 'openid-client';
import { createLogoutTokenVerifier, createReplayGuard, InvalidLogoutToken } from './logout-token.mjs';

// ---------------------------------------------------------------------------------------------
// Configuration: three required variables, two optional ones.

function required(name) {
  const value = process.env[name]?.trim();
  if (!value) {
    process.stderr.write(`host-app: ${name} is not set (see examples/host-app/README.md)\n`);
    process.exit(2);
  }
  return value;
}

const ISSUER = new URL(required('OIDC_ISSUER'));
const CLIENT_ID = required('OIDC_CLIENT_ID');
const CLIENT_SECRET = required('OIDC_CLIENT_SECRET');
const PORT = Number(process.env.PORT ?? 3001);
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) {
  process.stderr.write(`host-app: PORT "${process.env.PORT}" is not a port number\n`);
  process.exit(2);
}
/** The address browsers use for this application (behind a proxy: its public https address). */
const HOST_URL = (process.env.HOST_URL?.trim() || `http://localhost:${PORT}`).replace(/\/+$/, '');
/** Lifeline itself (its profile page): the issuer without /oidc unless LIFELINE_URL says otherwise. */
const LIFELINE_URL = (process.env.LIFELINE_URL?.trim() || ISSUER.href.replace(/\/oidc\/?$/, '')).replace(/\/+$/, '');

const REDIRECT_URI = `${HOST_URL}/callback`;
const POST_LOGOUT_REDIRECT_URI = `${HOST_URL}/signed-out`;
const SECURE = HOST_URL.startsWith('https:');
// On https the cookies get the __Host- prefix: Secure, Path=/, no Domain (not readable by subdomains).
const SESSION_COOKIE = `${SECURE ? '__Host-' : ''}hostapp_session`;
const LOGIN_COOKIE = `${SECURE ? '__Host-' : ''}hostapp_login`;
const SESSION_MS = 8 * 3_600_000;
const LOGIN_MS = 10 * 60_000;

const isLoopback = (url) =>
  ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
if (ISSUER.protocol !== 'https:' && !isLoopback(ISSUER)) {
  process.stderr.write('host-app: OIDC_ISSUER must be https (http only on loopback, for trying it out)\n');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Lifeline's metadata (discovery), fetched on first use and again after a failure.

let discovered;
/** openid-client's Configuration: the issuer's metadata plus this client (client_secret_basic). */
function lifeline() {
  discovered ??= oidc
    .discovery(ISSUER, CLIENT_ID, undefined, oidc.ClientSecretBasic(CLIENT_SECRET), {
      // http is for a Lifeline on this machine only (checked above); openid-client refuses it otherwise.
      execute: ISSUER.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
    })
    .then((config) => {
      const metadata = config.serverMetadata();
      const verifyLogoutToken = createLogoutTokenVerifier({ issuer: metadata.issuer, jwksUri: metadata.jwks_uri, clientId: CLIENT_ID });
      return { config, verifyLogoutToken };
    })
    .catch((error) => {
      discovered = undefined;
      throw error;
    });
  return discovered;
}

// ---------------------------------------------------------------------------------------------
// In-memory state (a sample: see the note at the top).

/** id → { sub, email, sid, idToken, csrf, expiresAt } */
const sessions = new Map();
/** id → { state, nonce, codeVerifier, expiresAt }: a sign-in on its way through Lifeline. */
const pendingLogins = new Map();
const replays = createReplayGuard();

const newId = () => randomBytes(32).toString('base64url');

function sweep() {
  const now = Date.now();
  for (const [id, s] of sessions) if (s.expiresAt < now) sessions.delete(id);
  for (const [id, p] of pendingLogins) if (p.expiresAt < now) pendingLogins.delete(id);
}

/**
 * Ends this application's sessions named by a logout token: with a sid, the sessions signed in
 * through that Lifeline browser session; with only a sub, every session of that account. A
 * session whose ID token carried no sid cannot be told apart, so a sid ends it too if the sub
 * matches (ending one session too many is safe; keeping one is not).
 */
function endSessions({ sub, sid }) {
  let ended = 0;
  for (const [id, s] of sessions) {
    const match = sid ? s.sid === sid || (s.sid === undefined && (sub === undefined || s.sub === sub)) : s.sub === sub;
    if (match) {
      sessions.delete(id);
      ended += 1;
    }
  }
  return ended;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers.

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

function cookie(name, value, maxAgeSeconds) {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${SECURE ? '; Secure' : ''}`;
}

function currentSession(req) {
  const id = cookies(req)[SESSION_COOKIE];
  const session = id ? sessions.get(id) : undefined;
  if (!session || session.expiresAt < Date.now()) return undefined;
  return { id, ...session };
}

const escapeHtml = (value) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const securityHeaders = {
  // The logout form redirects to Lifeline: browsers check form-action on that redirect too.
  'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${new URL(LIFELINE_URL).origin}; frame-ancestors 'none'; base-uri 'none'`,
  'x-content-type-options': 'nosniff',
  // The callback's URL carries the code: never hand it on in a Referer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...securityHeaders, ...headers });
  res.end(body);
}

function redirect(res, location, setCookies = []) {
  send(res, 303, '', { location, ...(setCookies.length > 0 ? { 'set-cookie': setCookies } : {}) });
}

async function readBody(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const sameString = (a, b) => typeof a === 'string' && typeof b === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// ---------------------------------------------------------------------------------------------
// Pages: German first, English second.

const STYLE = `
:root { color-scheme: light; --accent: #0b5cad; --text: #1b1f24; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid var(--line); }
header p { margin: 0 auto; max-width: 40rem; padding: 0.75rem 1rem; font-weight: 600; }
main { margin: 2rem auto; max-width: 40rem; padding: 0 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; margin-bottom: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
.en { color: var(--muted); font-size: 0.9rem; margin-top: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 1rem 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin: 1rem 0 0; }
.button, button { display: inline-block; font: inherit; padding: 0.55rem 1rem; border-radius: 6px; border: 1px solid var(--accent); cursor: pointer; text-decoration: none; }
.primary { background: var(--accent); color: #fff; }
.secondary { background: #fff; color: var(--accent); }
.button:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
.card > :first-child { margin-top: 0; }
.card > :last-child { margin-bottom: 0; }
.notice { border-left: 4px solid var(--accent); }
.error { border-left: 4px solid #b42318; }
form { margin: 0; }
@media (max-width: 30rem) {
  dl { grid-template-columns: 1fr; gap: 0; }
  dd { margin-bottom: 0.5rem; }
  main { margin-top: 1rem; }
  .card { padding: 1rem; }
}
`;

function page({ title, body }) {
  return `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Beispiel-App</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><p>Beispiel-App <span lang="en" class="en">(sample host application)</span></p></header>
<main>
${body}
</main>
</body>
</html>`;
}

function signedOutPage({ notice } = {}) {
  const notices = {
    'signed-out': ['Sie sind abgemeldet.', 'You are signed out.'],
    failed: ['Die Anmeldung hat nicht geklappt. Bitte versuchen Sie es noch einmal.', 'Signing in did not work. Please try again.'],
    denied: ['Sie haben die Anmeldung abgelehnt.', 'You declined to sign in.'],
  };
  const said = notice ? notices[notice] : undefined;
  return page({
    title: 'Nicht angemeldet',
    body: [
      said
        ? `<div class="card ${notice === 'signed-out' ? 'notice' : 'error'}" role="status"><p>${escapeHtml(said[0])}</p><p class="en" lang="en">${escapeHtml(said[1])}</p></div>`
        : '',
      '<div class="card">',
      '<h1>Nicht angemeldet</h1>',
      '<p class="en" lang="en">Not signed in</p>',
      '<p>Melden Sie sich mit Ihrem Lifeline-Konto an.</p>',
      '<p class="actions"><a class="button primary" href="/login">Mit Lifeline anmelden</a> <span class="en" lang="en">Sign in with Lifeline</span></p>',
      '</div>',
    ].join('\n'),
  });
}

function signedInPage(session) {
  return page({
    title: 'Angemeldet',
    body: [
      '<div class="card">',
      '<h1>Angemeldet</h1>',
      '<p class="en" lang="en">Signed in</p>',
      '<dl>',
      `<dt>E-Mail-Adresse <span lang="en" class="en">(email)</span></dt><dd id="email">${escapeHtml(session.email ?? '–')}</dd>`,
      `<dt>Konto-ID <span lang="en" class="en">(sub)</span></dt><dd id="sub"><code>${escapeHtml(session.sub)}</code></dd>`,
      '</dl>',
      '<p class="actions">',
      `<a class="button secondary" href="${escapeHtml(`${LIFELINE_URL}/profile/recovery`)}">Kontowiederherstellung einrichten</a>`,
      '<span class="en" lang="en">Set up account recovery</span>',
      '</p>',
      '<p>In Ihrem Lifeline-Konto richten Sie eine E-Mail-Adresse und eine Telefonnummer zur Wiederherstellung ein. Mit „Zurück“ im Browser kommen Sie hierher zurück.</p>',
      '<p class="en" lang="en">You set up a recovery email and phone number in your Lifeline account. Your browser’s back button brings you back here.</p>',
      '<form method="post" action="/logout" class="actions">',
      `<input type="hidden" name="csrf" value="${escapeHtml(session.csrf)}">`,
      '<button type="submit" class="primary">Abmelden</button> <span class="en" lang="en">Sign out</span>',
      '</form>',
      '</div>',
    ].join('\n'),
  });
}

// ---------------------------------------------------------------------------------------------
// Routes.

/** GET /login: a new sign-in through Lifeline (PKCE S256, state, nonce; all three kept here). */
async function startLogin(res) {
  const { config } = await lifeline();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const id = newId();
  pendingLogins.set(id, { codeVerifier, state, nonce, expiresAt: Date.now() + LOGIN_MS });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  redirect(res, url.href, [cookie(LOGIN_COOKIE, id, LOGIN_MS / 1000)]);
}

/** GET /callback: Lifeline sends the browser back with a code (or an error). */
async function finishLogin(req, res) {
  const clearLogin = cookie(LOGIN_COOKIE, '', 0);
  const id = cookies(req)[LOGIN_COOKIE];
  const pending = id ? pendingLogins.get(id) : undefined;
  if (id) pendingLogins.delete(id); // one use only
  const current = new URL(req.url, HOST_URL);
  if (current.searchParams.get('error') === 'access_denied') return redirect(res, '/?notice=denied', [clearLogin]);
  if (!pending || pending.expiresAt < Date.now()) return redirect(res, '/?notice=failed', [clearLogin]);
  const { config } = await lifeline();
  let tokens;
  try {
    // Checks state, the issuer (iss of the response), exchanges the code with the PKCE verifier
    // and the client secret, and validates the ID token (signature, iss, aud, exp, nonce).
    tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    console.warn(`host-app: sign-in failed: ${error.message}`);
    return redirect(res, '/?notice=failed', [clearLogin]);
  }
  const claims = tokens.claims();
  let email = typeof claims.email === 'string' ? claims.email : undefined;
  // Lifeline puts email in the ID token; asking userinfo (/oidc/me) is the general way.
  if (email === undefined) email = (await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)).email;
  const sessionId = newId();
  sessions.set(sessionId, {
    sub: claims.sub,
    email,
    sid: typeof claims.sid === 'string' ? claims.sid : undefined,
    idToken: tokens.id_token,
    csrf: newId(),
    expiresAt: Date.now() + SESSION_MS,
  });
  console.log(`host-app: signed in sub=${claims.sub}${claims.sid ? ` sid=${claims.sid}` : ''}`);
  redirect(res, '/', [clearLogin, cookie(SESSION_COOKIE, sessionId, SESSION_MS / 1000)]);
}

/** POST /logout: ends this application's session, then RP-initiated logout at Lifeline. */
async function logout(req, res) {
  const session = currentSession(req);
  const form = new URLSearchParams(await readBody(req, 4096));
  if (!session) return redirect(res, '/');
  if (!sameString(form.get('csrf') ?? '', session.csrf)) return send(res, 403, 'Forbidden', { 'content-type': 'text/plain; charset=utf-8' });
  sessions.delete(session.id);
  const { config } = await lifeline();
  // Lifeline asks "Abmelden?" and, on yes, ends its provider session for this browser and sends
  // the browser to post_logout_redirect_uri (registered with the client). Lifeline's own sign-in
  // (its profile) stays; the next "Mit Lifeline anmelden" goes through without a password.
  const url = oidc.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI });
  redirect(res, url.href, [cookie(SESSION_COOKIE, '', 0)]);
}

/**
 * POST /backchannel-logout: Lifeline (server to server, no browser, no cookies) says an
 * account's sessions ended: password reset or change, "Das war ich nicht", signing out
 * everywhere, deleting the account, or signing out of Lifeline in one browser (then with sid).
 * 200 when handled (also for a repeat of a jti already handled), 400 for a token that does not
 * verify (Lifeline does not retry a 4xx), 5xx when we cannot check now (Lifeline retries).
 */
async function backchannelLogout(req, res) {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const json = { 'content-type': 'application/json' };
  if (type !== 'application/x-www-form-urlencoded')
    return send(res, 400, JSON.stringify({ error: 'invalid_request', error_description: 'expected application/x-www-form-urlencoded' }), json);
  const form = new URLSearchParams(await readBody(req, 16_384));
  const { verifyLogoutToken } = await lifeline();
  let token;
  try {
    token = await verifyLogoutToken(form.get('logout_token'));
  } catch (error) {
    if (!(error instanceof InvalidLogoutToken)) throw error;
    console.warn(`host-app: back-channel logout refused: ${error.message}`);
    return send(res, 400, JSON.stringify({ error: 'invalid_request', error_description: 'invalid logout_token' }), json);
  }
  if (!replays.firstTime(token.jti, token.exp)) {
    console.log(`host-app: back-channel logout jti=${token.jti} seen before; nothing to do`);
    return send(res, 200, '', {});
  }
  const ended = endSessions(token);
  console.log(`host-app: back-channel logout sub=${token.sub ?? '-'} sid=${token.sid ?? '-'} ended ${ended} session(s)`);
  send(res, 200, '', {});
}

async function handle(req, res) {
  sweep();
  const url = new URL(req.url ?? '/', HOST_URL);
  const route = `${req.method} ${url.pathname}`;
  const html = { 'content-type': 'text/html; charset=utf-8' };
  switch (route) {
    case 'GET /': {
      const session = currentSession(req);
      return send(res, 200, session ? signedInPage(session) : signedOutPage({ notice: url.searchParams.get('notice') ?? undefined }), html);
    }
    case 'GET /signed-out':
      return send(res, 200, signedOutPage({ notice: 'signed-out' }), html);
    case 'GET /login':
      return startLogin(res);
    case 'GET /callback':
      return finishLogin(req, res);
    case 'POST /logout':
      return logout(req, res);
    case 'POST /backchannel-logout':
      return backchannelLogout(req, res);
    case 'GET /favicon.ico':
      return send(res, 204, '', { 'cache-control': 'max-age=300' });
    case 'GET /style.css':
      return send(res, 200, STYLE, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' });
    default:
      return send(res, 404, 'Nicht gefunden / Not found', { 'content-type': 'text/plain; charset=utf-8' });
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error(`host-app: ${req.method} ${req.url}: ${error.stack ?? error}`);
    if (!res.headersSent)
      send(res, error.status ?? 500, error.status === 413 ? 'Too large' : 'Interner Fehler / Internal error', { 'content-type': 'text/plain; charset=utf-8' });
    else res.end();
  });
});

server.listen(PORT, () => {
  console.log(`host-app: listening on ${HOST_URL} (port ${PORT}); issuer ${ISSUER.href}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
