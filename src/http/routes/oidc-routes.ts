import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors as oidcErrors, type InteractionResults } from 'oidc-provider';
import type { BrandingConfig } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { isLifelineError } from '../../core/errors.js';
import type { Translator } from '../../i18n/translator.js';
import { isLocale, type Locale } from '../../i18n/translator.js';
import { OIDC_COOKIE_NAMES, OIDC_MOUNT_PATH } from '../../oidc/oidc-provider.js';
import { renderConsentPage, renderOidcError, renderPasswordPage, type PageText } from '../pages/oidc-pages.js';
import type { Oidc } from '../../oidc/oidc-service.js';
import { FOR_THE_PROVIDER } from '../../oidc/introspection.js';
import type { AuthenticatedSession, SessionService } from '../../sessions/session-service.js';
import type { SignInService } from '../../accounts/sign-in-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { clientBucketKey } from '../../security/client-address.js';

export interface OidcRouteDeps {
  readonly oidc: Oidc;
  readonly sessions: SessionService;
  readonly signIn: SignInService;
  readonly cookies: SessionCookieHelpers;
  readonly translator: Translator;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly appName: string;
  /** The logo and footer links of the provider's pages (docs/operations.md "Branding"). */
  readonly branding?: BrandingConfig;
  readonly defaultLocale: Locale;
  readonly isProduction: boolean;
  readonly rateLimits: RateLimits;
  /** The security headers of every answer; the provider's answers get them too (CSP adapted). */
  readonly securityHeaders: Readonly<Record<string, string>>;
}

type ProviderRequest = IncomingMessage & { originalUrl?: string };

/**
 * Hands a request to oidc-provider as if it were mounted at /oidc: the path below the mount,
 * the original URL for the provider's own links, and the public address from PUBLIC_URL
 * (never from the client's Host header; the provider trusts these headers, and only these).
 */
function asProviderRequest(request: FastifyRequest, publicUrl: URL): ProviderRequest {
  const raw = request.raw as ProviderRequest;
  if (raw.originalUrl === undefined) {
    raw.originalUrl = raw.url ?? '/';
    raw.url = (raw.url ?? '/').slice(OIDC_MOUNT_PATH.length) || '/';
  }
  raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
  raw.headers['x-forwarded-host'] = publicUrl.host;
  raw.headers['x-forwarded-for'] = request.ip;
  return raw;
}

/** Introspection bodies above this size (real ones are a few hundred bytes) go to the provider unread. */
const INTROSPECTION_BODY_LIMIT = 4096;

/**
 * oidc-provider's headers on an introspection answer to a request without Origin: no caching
 * (RFC 7662 2.2 answers are per token) and its CORS middleware's answer to a caller without Origin.
 */
const INTROSPECTION_HEADERS = {
  'cache-control': 'no-store',
  vary: 'Origin',
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'WWW-Authenticate',
} as const;

/** Reads a request body of a known length (Node's HTTP parser holds the request to it). */
function readBody(raw: IncomingMessage, length: number): Promise<Buffer> {
  // Events rather than an async iterator: a few hundred bytes arrive in one chunk, and the
  // iterator's promises per chunk showed in the profile of this hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.once('end', () => resolve(Buffer.concat(chunks, length)));
    raw.once('error', reject);
    // A client gone before its body arrived: nothing will end the wait otherwise.
    raw.once('close', () => reject(new Error('request closed before its body arrived')));
  });
}

/**
 * The request again, its body readable once more: what the provider reads when a request this
 * module has already read is handed to it. A stream over the body with the request's headers,
 * method, URL and socket (all the provider and Koa read of a request).
 */
function withBody(raw: ProviderRequest, body: Buffer): ProviderRequest {
  const replay = Readable.from([body], { objectMode: false });
  Object.assign(replay, {
    headers: raw.headers,
    rawHeaders: raw.rawHeaders,
    method: raw.method,
    url: raw.url,
    originalUrl: raw.originalUrl,
    httpVersion: raw.httpVersion,
    httpVersionMajor: raw.httpVersionMajor,
    httpVersionMinor: raw.httpVersionMinor,
    socket: raw.socket,
    connection: raw.socket,
    complete: true,
  });
  return replay as unknown as ProviderRequest;
}

/** A form-action source for a URI: its origin for http(s), its scheme for a native app's private-use scheme. */
function formTarget(url: URL): string {
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol;
}

/** A field of a parsed form: a string, or undefined (never an array or object). */
function field(body: unknown, name: string): string | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The last time this session's password was entered (sign-in or re-authentication). */
function lastAuthenticatedAt(auth: AuthenticatedSession, privilegedMs: number): number {
  return auth.session.privileged_until === null ? auth.session.created_at : Math.max(auth.session.created_at, auth.session.privileged_until - privilegedMs);
}

/**
 * The OpenID Connect provider in the Fastify app (docs/oidc.md):
 * - `/oidc/*` goes to oidc-provider untouched (its own body parsing);
 * - `/oidc/interaction/:uid` is the bridge to Lifeline's pages: no Lifeline session → the
 *   sign-in page (which comes back here); a session → the provider gets the login at once, a
 *   first-party client its consent too; a third-party client shows the consent page;
 *   `prompt=login` or `max_age` ask for the password again;
 * - `/.well-known/openid-configuration` redirects to the provider's discovery document.
 */
export async function registerOidcRoutes(app: FastifyInstance, deps: OidcRouteDeps): Promise<void> {
  const { oidc, sessions, translator } = deps;
  const publicUrl = new URL(deps.publicUrl);
  // Forms on the provider's pages (consent, password, logout) post to /oidc and are then
  // redirected to the host application, and browsers apply form-action to those redirects too:
  // each page allows exactly the targets of its client's registered URIs.
  const baseCsp = deps.securityHeaders['content-security-policy'] ?? '';
  const cspAllowingForms = (uris: readonly string[]) => {
    const targets = [...new Set(uris.flatMap((uri) => (URL.canParse(uri) ? [formTarget(new URL(uri))] : [])))];
    return baseCsp.replace(/form-action [^;]*/, ['form-action', "'self'", ...targets].join(' '));
  };
  const oidcHeaders = { ...deps.securityHeaders };
  /**
   * The page language: the client's ui_locales, then the signed-in account's language, then the
   * browser's (request.locale), as the provider's own pages and the UI do.
   */
  const pageText = (request: FastifyRequest, context: { uiLocales?: unknown; auth?: AuthenticatedSession } = {}): PageText => {
    const asked =
      typeof context.uiLocales === 'string'
        ? context.uiLocales
            .split(' ')
            .map((l) => l.slice(0, 2).toLowerCase())
            .find(isLocale)
        : undefined;
    const account = context.auth && isLocale(context.auth.account.locale) ? context.auth.account.locale : undefined;
    const locale = asked ?? account ?? (isLocale(request.locale) ? request.locale : deps.defaultLocale);
    return { translator, appName: deps.appName, branding: deps.branding, locale };
  };

  app.get('/.well-known/openid-configuration', { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect(`${OIDC_MOUNT_PATH}/.well-known/openid-configuration`, 302),
  );

  // provider.callback() composes Koa's middleware anew on each call: once per provider instance.
  const callbacks = new WeakMap<Provider, ReturnType<Provider['callback']>>();
  const callbackOf = (provider: Provider) => {
    let callback = callbacks.get(provider);
    if (!callback) {
      callback = provider.callback();
      callbacks.set(provider, callback);
    }
    return callback;
  };

  // The provider itself: no Fastify body parsing, no Fastify reply.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handler = (request: FastifyRequest, reply: FastifyReply) => handToProvider(request, reply);
    scope.all(OIDC_MOUNT_PATH, { schema: { hide: true } }, handler);
    scope.all(`${OIDC_MOUNT_PATH}/*`, { schema: { hide: true } }, handler);
  });

  /**
   * Hands a request to the provider, which answers it on the raw response. `body`: the body
   * this route has already read (introspection), given to the provider as the request's stream.
   */
  async function handToProvider(request: FastifyRequest, reply: FastifyReply, body?: Buffer): Promise<void> {
    const provider = await oidc.provider();
    const raw = asProviderRequest(request, publicUrl);
    // What browsers open (each authorization stores an interaction; logout pages): the per-client
    // API limit, against filling the database. The token, introspection and userinfo endpoints
    // are called by host servers, often many users from one address: they are not limited here.
    if (/^\/(auth|session\/end)(\/|\?|$)/.test(raw.url ?? '')) await deps.rateLimits.enforce('api-client', clientBucketKey(request.ip));
    await preferRefreshTokenForFirstParty(raw);
    for (const [name, value] of Object.entries(oidcHeaders)) reply.raw.setHeader(name, value);
    // The logout page's form ends at the post_logout_redirect_uri (the provider checks that it is registered).
    const logoutTarget =
      raw.method === 'GET' && raw.url?.startsWith('/session/end?') ? new URL(raw.url, 'http://provider').searchParams.get('post_logout_redirect_uri') : null;
    if (logoutTarget) reply.raw.setHeader('content-security-policy', cspAllowingForms([logoutTarget]));
    reply.raw.setHeader('x-request-id', request.id);
    reply.hijack();
    await new Promise<void>((resolve) => {
      reply.raw.once('close', () => resolve());
      void callbackOf(provider)(body === undefined ? raw : withBody(raw, body), reply.raw);
    });
  }

  // Introspection, as host servers call it on every request they serve (docs/oidc.md
  // "Introspection"): a plain form from a server (no Origin, so no CORS) is answered in one read
  // (oidc/introspection.ts); any other request, and any the fast path does not answer itself,
  // goes to the provider. A static route: Fastify prefers it to the /oidc/* wildcard.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.post(`${OIDC_MOUNT_PATH}/token/introspection`, { schema: { hide: true } }, async (request, reply) => {
      const length = Number(request.headers['content-length']);
      const plainForm =
        /^application\/x-www-form-urlencoded\s*(;\s*charset=(utf-8|"utf-8")\s*)?$/i.test(request.headers['content-type'] ?? '') &&
        request.headers.origin === undefined &&
        request.headers['oauth-client-attestation'] === undefined &&
        request.headers['oauth-client-attestation-pop'] === undefined &&
        Number.isInteger(length) &&
        length > 0 &&
        length <= INTROSPECTION_BODY_LIMIT;
      if (!plainForm) return handToProvider(request, reply);
      const body = await readBody(request.raw, length);
      const answer = await oidc.introspection.introspect(body.toString('utf8'), request.headers.authorization);
      if (answer === FOR_THE_PROVIDER) return handToProvider(request, reply, body);
      // The provider's headers for a request without Origin, so that both paths answer alike.
      return reply.headers(INTROSPECTION_HEADERS).send(answer);
    });
  });

  /**
   * The contract: a first-party client that asks for offline_access gets a refresh token without
   * prompt=consent. oidc-provider drops offline_access unless consent is prompted (OIDC Core
   * 11), so for first-party clients the consent prompt is asked for here, and the interaction
   * grants it without a page.
   */
  async function preferRefreshTokenForFirstParty(raw: ProviderRequest): Promise<void> {
    if (raw.method !== 'GET' || !raw.url?.startsWith('/auth?')) return;
    const url = new URL(raw.url, 'http://provider');
    const scope = url.searchParams.get('scope')?.split(' ') ?? [];
    const clientId = url.searchParams.get('client_id');
    if (!scope.includes('offline_access') || url.searchParams.has('prompt') || !clientId) return;
    const client = await oidc.clients.metadataFor(clientId);
    if (!client?.first_party) return;
    url.searchParams.set('prompt', 'consent');
    raw.url = `${url.pathname}${url.search}`;
    raw.originalUrl = `${OIDC_MOUNT_PATH}${raw.url}`;
  }

  // The interaction bridge: HTML forms, parsed here (the provider's scope takes no bodies).
  await app.register(async (scope) => {
    // HTML forms only: a JSON body (or any other) is refused with 415 before a handler sees it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    /** The same authorization request again (its parameters as the provider stored them). */
    const authorizeAgain = (params: Record<string, unknown>) =>
      `${OIDC_MOUNT_PATH}/auth?${new URLSearchParams(Object.entries(params).flatMap(([k, v]): [string, string][] => (typeof v === 'string' ? [[k, v]] : []))).toString()}`;
    const signInPage = (uid: string) => `/login?return_to=${encodeURIComponent(`${OIDC_MOUNT_PATH}/interaction/${uid}`)}`;
    const interactionPath = (uid: string) => `${OIDC_MOUNT_PATH}/interaction/${uid}`;
    const forgotPage = (uid: string) => `/forgot-password?return_to=${encodeURIComponent(interactionPath(uid))}`;

    async function loadInteraction(request: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply) {
      const provider = await oidc.provider();
      const raw = asProviderRequest(request, publicUrl);
      try {
        const details = await provider.interactionDetails(raw, reply.raw);
        if (details.uid !== request.params.uid) return undefined;
        const client = await provider.Client.find(String(details.params.client_id));
        if (!client) return undefined;
        reply.header('content-security-policy', cspAllowingForms([...(client.redirectUris ?? []), ...(client.postLogoutRedirectUris ?? [])]));
        return { provider, raw, details, client };
      } catch (error) {
        if (error instanceof oidcErrors.SessionNotFound || error instanceof oidcErrors.InvalidRequest) return undefined;
        throw error;
      }
    }

    function expired(request: FastifyRequest, reply: FastifyReply) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(renderOidcError(pageText(request), 'invalid_request', 'interaction session not found'));
    }

    async function finish(loaded: NonNullable<Awaited<ReturnType<typeof loadInteraction>>>, reply: FastifyReply, result: InteractionResults) {
      const to = await loaded.provider.interactionResult(loaded.raw, reply.raw, result, { mergeWithLastSubmission: true });
      return reply.redirect(to, 303);
    }

    /** Grants what the consent prompt says is missing (first-party at once, third-party on "Erlauben"). */
    async function grantConsent(loaded: NonNullable<Awaited<ReturnType<typeof loadInteraction>>>, accountId: string): Promise<string> {
      const { provider, details } = loaded;
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: loaded.client.clientId });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      return grant.save();
    }

    const liveSession = async (request: FastifyRequest) => {
      const token = deps.cookies.sessionToken(request);
      return token ? sessions.authenticate(token) : undefined;
    };
    const clientName = (client: { clientName?: string | undefined; clientId: string }) => client.clientName ?? client.clientId;

    scope.get<{ Params: { uid: string } }>(`${OIDC_MOUNT_PATH}/interaction/:uid`, { schema: { hide: true } }, async (request, reply) => {
      const loaded = await loadInteraction(request, reply);
      if (!loaded) {
        // The provider session this interaction began in has ended meanwhile (a password reset or
        // "Das war ich nicht" ends all of the account's), so the provider will not resume it. The
        // same authorization request again, in a fresh provider session, keeps the way back.
        // Only for the browser the interaction belongs to (its signed interaction cookie names
        // it): a stranger who has the URL learns nothing of the request it carries.
        const provider = await oidc.provider();
        const ownCookie = provider.createContext(request.raw, reply.raw).cookies.get(OIDC_COOKIE_NAMES.interaction, { signed: true });
        const stale = ownCookie === request.params.uid ? await provider.Interaction.find(request.params.uid) : undefined;
        if (!stale?.params || !stale.session?.uid) return expired(request, reply);
        return reply.redirect(authorizeAgain(stale.params), 303);
      }
      const { details, client } = loaded;
      const auth = await liveSession(request);
      if (!auth) return reply.redirect(signInPage(details.uid), 303);
      // The browser's provider session belongs to another account than the one now signed in to
      // Lifeline (the user switched accounts): that session ends here, with its grants and a
      // logout token to its hosts, and the request starts again for the account signed in now.
      if (details.session?.accountId && details.session.accountId !== auth.account.id && details.session.uid) {
        await oidc.endProviderSession(details.session.uid);
        return reply.redirect(authorizeAgain(details.params), 303);
      }

      if (details.prompt.name === 'login') {
        const authenticatedAt = lastAuthenticatedAt(auth, sessions.privilegedMs);
        const maxAge = details.params.max_age === undefined ? undefined : Number(details.params.max_age);
        const fresh =
          // iat is in whole seconds: a password entered in the interaction's first second counts as older.
          !(details.prompt.reasons.includes('login_prompt') && authenticatedAt < (details.iat + 1) * 1000) &&
          !(maxAge !== undefined && Number.isFinite(maxAge) && deps.clock.now() - authenticatedAt > maxAge * 1000);
        if (!fresh) {
          return reply.type('text/html; charset=utf-8').send(
            renderPasswordPage(pageText(request, { uiLocales: details.params.ui_locales, auth }), {
              client: clientName(client),
              email: auth.account.email,
              action: `${interactionPath(details.uid)}/password`,
              abort: `${interactionPath(details.uid)}/abort`,
              forgot: forgotPage(details.uid),
              csrf: sessions.csrfToken(auth.session),
            }),
          );
        }
        return finish(loaded, reply, { login: { accountId: auth.account.id, ts: Math.floor(authenticatedAt / 1000), amr: ['pwd'] } });
      }

      if (details.prompt.name === 'consent') {
        if (auth.account.id !== details.session?.accountId) return reply.redirect(signInPage(details.uid), 303);
        const firstParty = (client.metadata() as { first_party?: boolean }).first_party === true;
        if (firstParty) return finish(loaded, reply, { consent: { grantId: await grantConsent(loaded, auth.account.id) } });
        return reply.type('text/html; charset=utf-8').send(
          renderConsentPage(pageText(request, { uiLocales: details.params.ui_locales, auth }), {
            client: clientName(client),
            email: auth.account.email,
            scopes: typeof details.params.scope === 'string' ? details.params.scope.split(' ') : [],
            action: `${interactionPath(details.uid)}/consent`,
            csrf: sessions.csrfToken(auth.session),
          }),
        );
      }
      return expired(request, reply);
    });

    scope.post<{ Params: { uid: string }; Body: Record<string, string> | undefined }>(
      `${OIDC_MOUNT_PATH}/interaction/:uid/consent`,
      { schema: { hide: true } },
      async (request, reply) => {
        const loaded = await loadInteraction(request, reply);
        if (!loaded || loaded.details.prompt.name !== 'consent') return expired(request, reply);
        const auth = await liveSession(request);
        if (!auth || auth.account.id !== loaded.details.session?.accountId) return reply.redirect(signInPage(loaded.details.uid), 303);
        if (!sessions.checkCsrf(auth.session, field(request.body, 'csrf'))) return expired(request, reply);
        if (field(request.body, 'decision') !== 'allow')
          return finish(loaded, reply, { error: 'access_denied', error_description: 'the user denied the request' });
        return finish(loaded, reply, { consent: { grantId: await grantConsent(loaded, auth.account.id) } });
      },
    );

    // "Abbrechen" on the password page: the client hears access_denied; nothing is granted.
    scope.post<{ Params: { uid: string }; Body: Record<string, string> | undefined }>(
      `${OIDC_MOUNT_PATH}/interaction/:uid/abort`,
      { schema: { hide: true } },
      async (request, reply) => {
        const loaded = await loadInteraction(request, reply);
        if (!loaded) return expired(request, reply);
        const auth = await liveSession(request);
        if (!auth || !sessions.checkCsrf(auth.session, field(request.body, 'csrf'))) return expired(request, reply);
        return finish(loaded, reply, { error: 'access_denied', error_description: 'the user cancelled the sign-in' });
      },
    );

    scope.post<{ Params: { uid: string }; Body: Record<string, string> | undefined }>(
      `${OIDC_MOUNT_PATH}/interaction/:uid/password`,
      { schema: { hide: true } },
      async (request, reply) => {
        const loaded = await loadInteraction(request, reply);
        if (!loaded || loaded.details.prompt.name !== 'login') return expired(request, reply);
        const auth = await liveSession(request);
        if (!auth) return reply.redirect(signInPage(loaded.details.uid), 303);
        if (!sessions.checkCsrf(auth.session, field(request.body, 'csrf'))) return expired(request, reply);
        const password = field(request.body, 'password') ?? '';
        const again = (error: 'passwordWrong' | 'passwordMissing', status: number) =>
          reply
            .code(status)
            .type('text/html; charset=utf-8')
            .send(
              renderPasswordPage(pageText(request, { uiLocales: loaded.details.params.ui_locales, auth }), {
                client: clientName(loaded.client),
                email: auth.account.email,
                action: `${interactionPath(loaded.details.uid)}/password`,
                abort: `${interactionPath(loaded.details.uid)}/abort`,
                forgot: forgotPage(loaded.details.uid),
                csrf: sessions.csrfToken(auth.session),
                error,
              }),
            );
        if (password.length === 0 || password.length > 1024) return again('passwordMissing', 400);
        try {
          const issued = await deps.signIn.reauthenticate(auth, password, clientInfo(request), deps.cookies.deviceToken(request));
          deps.cookies.setSession(reply, issued.token, issued.session.expires_at, deps.clock.now());
          return finish(loaded, reply, { login: { accountId: auth.account.id, ts: Math.floor(deps.clock.now() / 1000), amr: ['pwd'] } });
        } catch (error) {
          if (isLifelineError(error) && error.code === 'wrong-password') return again('passwordWrong', 400);
          throw error;
        }
      },
    );
  });
}
