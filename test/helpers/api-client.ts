import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './test-app.js';

export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: LightMyRequestResponse['headers'];
  readonly setCookies: string[];
}

export interface ApiClientOptions {
  /** The client's address (app.inject's remoteAddress). */
  readonly ip?: string;
  readonly userAgent?: string;
  readonly acceptLanguage?: string;
}

/**
 * A browser-like client over `app.inject`: keeps cookies, sends the CSRF token it last got
 * from a session answer on every state-changing request (unless told otherwise), and after an
 * answer that changed the session cookie fetches the new token, as the UI does.
 */
export function apiClient(app: FastifyInstance, options: ApiClientOptions = {}) {
  const jar = new Map<string, string>();
  let csrf: string | undefined;

  async function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const h: Record<string, string> = {
      accept: 'application/json',
      'accept-language': options.acceptLanguage ?? 'de',
      'user-agent': options.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
      ...headers,
    };
    if (jar.size > 0) h.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
    if (csrf && method !== 'GET' && !('x-csrf-token' in headers)) h['x-csrf-token'] = csrf;
    const before = [...jar.entries()].find(([k]) => k.endsWith('lifeline_session'))?.[1];
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: h,
      remoteAddress: options.ip ?? '203.0.113.10',
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const setCookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    for (const cookie of setCookies) {
      const [pair = ''] = cookie.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/max-age=0(?!\d)|expires=thu, 01 jan 1970/i.test(cookie) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      parsed = {};
    }
    if (typeof parsed.csrfToken === 'string') csrf = parsed.csrfToken;
    const after = [...jar.entries()].find(([k]) => k.endsWith('lifeline_session'))?.[1];
    if (method !== 'GET' && after && after !== before && typeof parsed.csrfToken !== 'string') {
      const session = await request('GET', '/api/v1/session');
      if (typeof session.body.csrfToken === 'string') csrf = session.body.csrfToken;
    }
    return { status: response.statusCode, body: parsed, text: response.body, headers: response.headers, setCookies };
  }

  return {
    jar,
    request,
    get: (url: string, headers?: Record<string, string>) => request('GET', url, undefined, headers),
    post: (url: string, body: unknown = {}, headers?: Record<string, string>) => request('POST', url, body, headers),
    put: (url: string, body: unknown = {}, headers?: Record<string, string>) => request('PUT', url, body, headers),
    patch: (url: string, body: unknown = {}, headers?: Record<string, string>) => request('PATCH', url, body, headers),
    del: (url: string, headers?: Record<string, string>) => request('DELETE', url, undefined, headers),
    /** The session cookie's value (whatever its name), or undefined. */
    sessionCookie: () => [...jar.entries()].find(([k]) => k.endsWith('lifeline_session'))?.[1],
    csrfToken: () => csrf,
    setCsrf: (value: string | undefined) => {
      csrf = value;
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

let counter = 0;
/** A fresh address for each test. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const GOOD_PASSWORD = 'Korrekt-Pferd-Batterie-42';

/** The newest development-mailbox message to `to` after the worker ran, or undefined. */
export async function lastMailTo(t: TestApp, to: string): Promise<{ subject: string; text: string; html: string | null } | undefined> {
  await t.services.worker.runOnce();
  const rows = (await t.services.devMailbox?.list()) ?? [];
  const row = rows.find((r) => r.recipient.toLowerCase() === to.toLowerCase());
  return row ? { subject: row.subject, text: row.text, html: row.html } : undefined;
}

/** Every development-mailbox message to `to`, newest first, after the worker ran. */
export async function mailsTo(t: TestApp, to: string): Promise<{ subject: string; text: string }[]> {
  await t.services.worker.runOnce();
  const rows = (await t.services.devMailbox?.list()) ?? [];
  return rows.filter((r) => r.recipient.toLowerCase() === to.toLowerCase()).map((r) => ({ subject: r.subject, text: r.text }));
}

/** The `token` of the link in a message. */
export function tokenIn(text: string | undefined): string | undefined {
  const match = /[?&]token=([A-Za-z0-9_\-.~%]*[A-Za-z0-9_\-~%])/.exec(text ?? '');
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** Signs up, confirms through the mailed link and signs in; returns the signed-in client. */
export async function signedInAccount(t: TestApp, options: ApiClientOptions & { email?: string; password?: string; locale?: 'de' | 'en' } = {}) {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? GOOD_PASSWORD;
  const client = apiClient(t.app, options);
  const signup = await client.post('/api/v1/signup', { email, password, ...(options.locale ? { locale: options.locale } : {}) });
  if (signup.status !== 202) throw new Error(`sign-up failed: ${signup.status} ${signup.text}`);
  // The sign-up link specifically: the address may have other mail of the same instant.
  const mail = (await mailsTo(t, email)).find((m) => m.text.includes('/confirm-email?token='));
  const token = tokenIn(mail?.text);
  if (!token) throw new Error('no confirmation link was mailed');
  const confirm = await client.post('/api/v1/signup/confirm', { token });
  if (confirm.status !== 200) throw new Error(`confirmation failed: ${confirm.status} ${confirm.text}`);
  const login = await client.post('/api/v1/login', { email, password });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${login.text}`);
  const accountId = (login.body.account as { id: string }).id;
  return { client, email, password, accountId };
}

/** The code (8 Crockford characters or 6 digits) of the newest message to `to` that has one; a notice delivered in the same round may tie with it. */
export async function codeTo(t: TestApp, to: string): Promise<string | undefined> {
  for (const mail of await mailsTo(t, to)) {
    const code = mail.text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => /^[0-9A-Z]{8}$/.test(line) || /^\d{6}$/.test(line));
    if (code) return code;
  }
  return undefined;
}

/**
 * An account whose login email was confirmed more than 7 days ago (the policy table's rule for changing
 * the login email), signed in afresh in the same browser (sessions idle out after 7 days).
 */
export async function settledAccount(t: TestApp, options: ApiClientOptions & { email?: string; password?: string; locale?: 'de' | 'en' } = {}) {
  const account = await signedInAccount(t, options);
  t.clock.advance(8 * 24 * 3600 * 1000);
  // The same browser (its device cookie): a new device's fresh session would be held (the 72-hour hold).
  const client = account.client;
  const login = await client.post('/api/v1/login', { email: account.email, password: account.password });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${login.text}`);
  return { ...account, client };
}

/**
 * A login-email change under the policy table for an account with a settled channel: this
 * session verifies `lifeline.change-login-email` with a code to `codeAddress` (the login email
 * unless given), then asks for the change with the record's id.
 */
export async function changeLoginEmailVerified(
  t: TestApp,
  client: ApiClient,
  login: string,
  body: { newEmail: string; password?: string },
  codeAddress = login,
): Promise<ApiResponse> {
  t.clock.advance(61 * 1000); // one code a minute per address
  const started = await client.post('/api/v1/account/verifications', { action: 'lifeline.change-login-email' });
  if (started.status !== 201) throw new Error(`verification start failed: ${started.status} ${started.text}`);
  const id = String(started.body.id);
  const channel = codeAddress === login ? 'login-email' : 'recovery-email';
  const sent = await client.post(`/api/v1/account/verifications/${id}/send`, { channel });
  if (sent.status !== 202) throw new Error(`verification send failed: ${sent.status} ${sent.text}`);
  const checked = await client.post(`/api/v1/account/verifications/${id}/code`, { code: await codeTo(t, codeAddress) });
  if (checked.status !== 200) throw new Error(`verification code failed: ${checked.status} ${checked.text}`);
  return client.post('/api/v1/account/email', { ...body, verificationId: id });
}
