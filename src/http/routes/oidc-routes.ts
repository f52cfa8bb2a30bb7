import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { BrandingConfig } from '../../config/config.js';
import type { Translator } from '../../i18n/translator.js';
import { isLocale, type Locale } from '../../i18n/translator.js';
import { OIDC_MOUNT_PATH } from '../../oidc/oidc-provider.js';
import type { PageText } from '../pages/oidc-pages.js';
import { FOR_THE_PROVIDER } from '../../oidc/introspection.js';
import type { AuthenticatedSession } from '../../sessions/session-service.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { clientBucketKey } from '../../security/client-address.js';
import { registerOidcInteractionRoutes, type OidcInteractionDeps } from './oidc-interaction-routes.js';
import {
  asProviderRequest,
  formTarget,
  INTROSPECTION_BODY_LIMIT,
  INTROSPECTION_HEADERS,
  readBody,
  withBody,
  type ProviderRequest,
} from './oidc-provider-requests.js';

export interface OidcRouteDeps extends OidcInteractionDeps {
  readonly translator: Translator;
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

/**
 * The OpenID Connect provider in the Fastify app (docs/oidc.md):
 * - `/oidc/*` goes to oidc-provider untouched (its own body parsing);
 * - `/oidc/interaction/:uid` is the bridge to Lifeline's pages (oidc-interaction-routes.ts);
 * - `/.well-known/openid-configuration` redirects to the provider's discovery document.
 */
export async function registerOidcRoutes(app: FastifyInstance, deps: OidcRouteDeps): Promise<void> {
  const { oidc, translator } = deps;
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

  await registerOidcInteractionRoutes(app, deps, { publicUrl, cspAllowingForms, pageText });
}
