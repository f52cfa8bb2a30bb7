import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors as oidcErrors, type InteractionResults } from 'oidc-provider';
import type { Clock } from '../../core/clock.js';
import { isLifelineError } from '../../core/errors.js';
import { OIDC_COOKIE_NAMES, OIDC_MOUNT_PATH } from '../../oidc/oidc-provider.js';
import { renderConsentPage, renderOidcError, renderPasswordPage, type PageText } from '../pages/oidc-pages.js';
import type { Oidc } from '../../oidc/oidc-service.js';
import type { AuthenticatedSession, SessionService } from '../../sessions/session-service.js';
import type { SignInService } from '../../accounts/sign-in-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { asProviderRequest } from './oidc-provider-requests.js';

/** What the interaction bridge needs of the app's services. */
export interface OidcInteractionDeps {
  readonly oidc: Oidc;
  readonly sessions: SessionService;
  readonly signIn: SignInService;
  readonly cookies: SessionCookieHelpers;
  readonly clock: Clock;
}

/** What the bridge shares with the provider's routes (oidc-routes.ts). */
export interface OidcPageContext {
  /** PUBLIC_URL: the address the provider is told it is reached at. */
  readonly publicUrl: URL;
  /** The CSP of a page whose forms may end at these URIs (the client's registered ones). */
  readonly cspAllowingForms: (uris: readonly string[]) => string;
  /** The text of a provider page in the language the request asks for. */
  readonly pageText: (request: FastifyRequest, context?: { uiLocales?: unknown; auth?: AuthenticatedSession }) => PageText;
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
 * The interaction bridge (docs/oidc.md): `/oidc/interaction/:uid` leads to Lifeline's sign-in,
 * password and consent pages and back to the provider. No Lifeline session → the sign-in page
 * (which comes back here); a session → the provider gets the login at once, a first-party
 * client its consent too; a third-party client shows the consent page; `prompt=login` or
 * `max_age` ask for the password again.
 */
export async function registerOidcInteractionRoutes(app: FastifyInstance, deps: OidcInteractionDeps, context: OidcPageContext): Promise<void> {
  const { oidc, sessions } = deps;
  const { publicUrl, cspAllowingForms, pageText } = context;
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
