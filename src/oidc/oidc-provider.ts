import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { hmacSha256 } from '../core/hashing.js';
import type { Logger } from '../core/logger.js';
import type { Database } from '../db/database.js';
import type { SessionService } from '../sessions/session-service.js';
import type { BackchannelLogouts } from './backchannel-logout.js';
import type { ClientRegistry } from './client-registry.js';
import type { PayloadStore } from './payload-store.js';
import type { SigningJwk } from './signing-keys.js';

/** Where the provider sits below PUBLIC_URL (docs/reference/contracts.md "Contracts for host applications"). */
export const OIDC_MOUNT_PATH = '/oidc';
/**
 * How far the provider lets the clocks of Lifeline's instances disagree when it checks a token's
 * times (oidc-provider's default, stated so that introspection.ts checks alike).
 */
export const OIDC_CLOCK_TOLERANCE_SECONDS = 15;
export const OIDC_COOKIE_NAMES = { session: '_lifeline_oidc', interaction: '_lifeline_oidc_interaction', resume: '_lifeline_oidc_resume' } as const;

/** The provider's own HTML pages in Lifeline's look (http/pages/oidc-pages.ts), as complete documents. */
export interface OidcPages {
  error(ctx: KoaContextWithOIDC, error: string, description: string | undefined): string;
  logout(ctx: KoaContextWithOIDC, form: string, client: string | undefined): string;
  loggedOut(ctx: KoaContextWithOIDC): string;
}

export interface OidcProviderDeps {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sessions: Pick<SessionService, 'authenticate'>;
  /** Reads the signed-in account for the claims (sub, email, email_verified). */
  readonly accounts: Pick<AccountRepository, 'findById'>;
  readonly payloads: PayloadStore;
  readonly clients: ClientRegistry;
  readonly backchannel: BackchannelLogouts;
  readonly pages: OidcPages;
  /** Ends the Lifeline session of this cookie token if it is this account's (RP-initiated logout, "Ja, abmelden"); true when it did. */
  readonly signOut: (sessionToken: string, client: { ip: string; userAgent: string | null }, accountId: string) => Promise<boolean>;
  /** The Lifeline session cookie's name (plain, __Host- or, with SESSION_COOKIE_DOMAIN, __Secure-: session-auth.ts). */
  readonly sessionCookieName: string;
}

/**
 * The cookie keys of the provider, derived from SECRET_KEY (current first, then the previous
 * ones): every instance signs its cookies alike, and rotating SECRET_KEY keeps cookies signed
 * with the previous key readable.
 */
function cookieKeys(config: Config): string[] {
  return config.keys.all().map((k) => hmacSha256(k.key, 'oidc-cookie-key'));
}

/**
 * Builds panva's oidc-provider (OpenID certified) as Lifeline's OpenID Connect provider
 * (docs/oidc.md): authorization code flow with PKCE S256 for every client, opaque access tokens
 * (introspection sees a revocation at once), refresh tokens rotated on every use, RP-initiated
 * and back-channel logout, storage in Lifeline's database, clients from the client registry.
 * Signing in is Lifeline's own: the provider's login prompt runs whenever the browser has no
 * live Lifeline session for the provider session's account, so a provider cookie alone never
 * yields a code.
 */
export function createOidcProvider(deps: OidcProviderDeps, signingKeys: readonly SigningJwk[]): Provider {
  const { config, database, accounts } = deps;
  const issuer = `${config.http.publicUrl}${OIDC_MOUNT_PATH}`;

  const policy = interactionPolicy.base();
  const login = policy.get('login');
  // Lifeline's session is the truth: without a live one for the same account, sign in again
  // (an ended, revoked or signed-out Lifeline session ends the provider session's power too).
  login?.checks.add(
    new interactionPolicy.Check(
      'lifeline_session',
      'a live Lifeline session for the account is required',
      'login_required',
      async (ctx: KoaContextWithOIDC) => {
        const token = ctx.cookies.get(deps.sessionCookieName, { signed: false });
        const auth = token ? await deps.sessions.authenticate(token) : undefined;
        if (!auth || auth.account.id !== ctx.oidc.session?.accountId) return interactionPolicy.Check.REQUEST_PROMPT;
        // This provider session now answers to this Lifeline session: ending the one ends the other.
        await deps.payloads.link(ctx.oidc.session.uid, auth.session.id, auth.account.id);
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
    0,
  );

  const configuration: Configuration = {
    adapter: deps.payloads.Adapter,
    clients: [],
    jwks: { keys: signingKeys.map((k) => ({ ...k })) },
    cookies: {
      keys: cookieKeys(config),
      names: { ...OIDC_COOKIE_NAMES },
      long: { httpOnly: true, sameSite: 'lax', signed: true, secure: config.http.secure, path: '/' },
      short: { httpOnly: true, sameSite: 'lax', signed: true, secure: config.http.secure },
    },
    clockTolerance: OIDC_CLOCK_TOLERANCE_SECONDS,
    scopes: ['openid', 'email', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // The contract puts email and email_verified in the ID token itself, not only in userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    extraClientMetadata: { properties: ['first_party'] },
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // A confidential client (a host's server, an API that receives tokens of other clients) may
        // ask about any token (RFC 7662); a public one only about its own.
        allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      revocation: {
        enabled: true,
        // A client revokes only its own tokens (RFC 7009 2.1); another's is silently ignored for a
        // public client and refused for a confidential one, as oidc-provider's default does.
        allowedPolicy: async (ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = deps.pages.logout(ctx, form, ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = deps.pages.loggedOut(ctx);
        },
      },
    },
    // Browsers may call the token, userinfo and revocation endpoints cross-origin only from the
    // origin of one of the client's own redirect URIs, and only where no secret is involved (a
    // public SPA) or for userinfo (oidc-provider's default rule, stated here on purpose).
    clientBasedCORS: (ctx, origin, client) => {
      if (origin === 'null') return false;
      if (ctx.oidc.route !== 'userinfo' && client.clientAuthMethod !== 'none') return false;
      return client.redirectUris?.some((uri) => URL.canParse(uri) && new URL(uri).origin === origin) ?? false;
    },
    findAccount: async (_ctx, sub) => {
      const account = await accounts.findById(database.db, sub);
      // A disabled account's grants ended when it was disabled; this refuses one made in a race (docs/integration.md "The admin API").
      if (!account || account.email_verified_at === null || account.disabled_at !== null) return undefined;
      return {
        accountId: account.id,
        claims: async () => ({ sub: account.id, email: account.email, email_verified: true }),
      };
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${OIDC_MOUNT_PATH}/interaction/${interaction.uid}`,
    },
    // Every use of a refresh token gives a new one; the used one then revokes the grant if it
    // comes back (OAuth 2.0 Security BCP 4.14.2).
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      AccessToken: Math.floor(config.oidc.accessTokenMs / 1000),
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: Math.floor(config.oidc.refreshTokenMs / 1000),
      Grant: Math.floor(config.oidc.refreshTokenMs / 1000),
      Interaction: 3600,
      Session: Math.floor(config.sessions.absoluteMs / 1000),
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = deps.pages.error(ctx, out.error, out.error_description);
    },
  };

  const provider = new Provider(issuer, configuration);
  // Addresses come from the headers the mount sets from PUBLIC_URL (oidc-routes.ts), never from
  // whatever Host header a client sends.
  provider.proxy = true;

  // Logout tokens go through Lifeline's outbox (retried while the host is down), not through a
  // request made inside the end-session request (docs/reference/contracts.md "Contracts for host applications").
  provider.Client.prototype.backchannelLogout = async function backchannelLogout(this: { clientId: string }, sub: string, sid: string) {
    await deps.backchannel.enqueue(database.db, { accountId: sub, clientIds: [this.clientId], sids: { [this.clientId]: sid } });
  };

  // "Ja, abmelden" on the provider's logout page signs the browser out of Lifeline too: the
  // provider's session ends with it anyway (the Lifeline-session check above), and a user who
  // chose to sign out everywhere must not find Lifeline still signed in.
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    // Only a logout the provider carried out (its 303), for the account this browser is signed in
    // to Lifeline with: a refused request (wrong xsrf) or the logout of another account's
    // provider session signs nobody out of Lifeline.
    if (oidc?.route !== 'end_session_confirm' || !oidc.params?.logout || ctx.status !== 303) return;
    const accountId = oidc.session?.accountId;
    if (!accountId) return;
    // oidc-provider keeps offline_access grants across a logout; "Ja, abmelden" says the user is
    // signed out of every application, so they end too, as with Lifeline's own "Abmelden".
    const authorizations = (oidc.session?.authorizations ?? {}) as Record<string, { grantId?: string }>;
    const grantIds = Object.values(authorizations).flatMap((a) => (a.grantId ? [a.grantId] : []));
    if (grantIds.length > 0) await deps.payloads.removeGrants(database.db, grantIds);
    const token = ctx.cookies.get(deps.sessionCookieName, { signed: false });
    if (!token) return;
    if (await deps.signOut(token, { ip: ctx.ip, userAgent: ctx.get('user-agent') || null }, accountId)) {
      // With SESSION_COOKIE_DOMAIN the cookie is only removed with the same Domain (session-auth.ts).
      ctx.cookies.set(deps.sessionCookieName, null, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.http.secure,
        signed: false,
        ...(config.http.sessionCookieDomain === undefined ? {} : { domain: config.http.sessionCookieDomain }),
      });
    }
  });

  // ID tokens carry `sid` for every client with a back-channel logout URI, so that the host can
  // match a logout token of one browser's session (OIDC Back-Channel Logout 1.0 §2.1) without
  // the client having to register backchannel_logout_session_required.
  provider.Client.prototype.includeSid = function includeSid(this: { backchannelLogoutUri?: string }) {
    return Boolean(this.backchannelLogoutUri);
  };

  provider.on('server_error', (_ctx, error) => deps.logger.error({ event: 'oidc.server_error', err: error.message }, 'OpenID Connect provider error'));
  provider.on('grant.revoked', (_ctx, grantId) => deps.logger.info({ event: 'oidc.grant_revoked', grantId }, 'grant revoked'));
  return provider;
}
