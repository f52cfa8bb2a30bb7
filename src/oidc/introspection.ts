import { timingSafeEqual } from 'node:crypto';
import { parse as parseForm } from 'node:querystring';
import type { AdapterPayload } from 'oidc-provider';
import { sha256Digest } from '../core/hashing.js';
import type { ClientRegistry, ProviderClientMetadata } from './client-registry.js';
import { OIDC_CLOCK_TOLERANCE_SECONDS } from './oidc-provider.js';
import type { PayloadStore } from './payload-store.js';

/** Introspection's answer (RFC 7662 2.2) with the members oidc-provider gives, in its order. */
export interface IntrospectionAnswer {
  readonly active: boolean;
  readonly sub?: string;
  readonly client_id?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly sid?: string;
  readonly iss?: string;
  readonly aud?: string | readonly string[];
  readonly scope?: string;
  readonly token_type?: string;
}

/** The request is not one of the common shapes answered here: oidc-provider answers it. */
export const FOR_THE_PROVIDER = 'for-the-provider';

/** The parameters oidc-provider's introspection endpoint reads (token, hint, client authentication). */
const PARAMETERS = ['token', 'token_type_hint', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;
type Parameters = Partial<Record<(typeof PARAMETERS)[number], string>>;

/** RFC 6749 Appendix A: client_id and client_secret are VSCHARs. */
const NOT_VSCHAR = /[^\x20-\x7E]/;
const BASE64 = /^([A-Za-z0-9+/]*)(={0,2})$/;

type TokenModel = 'AccessToken' | 'RefreshToken';
type Credentials = { readonly clientId: string; readonly secret: string | undefined };
type Payload = AdapterPayload & Record<string, unknown>;

/**
 * oidc-provider's notion of now (its epochTime): the system clock, not Lifeline's injected one,
 * because these checks must agree with the provider's own to the second.
 */
// eslint-disable-next-line no-restricted-syntax -- see above: the provider's clock, on purpose
const epochSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The form's parameters as oidc-provider reads them (an empty value is absent); undefined when one
 * is given twice (the provider answers that with invalid_request).
 */
function parametersOf(body: string): Parameters | undefined {
  const form = parseForm(body);
  const params: Parameters = {};
  for (const name of PARAMETERS) {
    const value = form[name];
    if (Array.isArray(value)) return undefined;
    if (value) params[name] = value;
  }
  return params;
}

/** A Basic credential's half as RFC 6749 2.3.1 encodes it; undefined where the provider would refuse it. */
function decodeCredential(encoded: string): string | undefined {
  try {
    const decoded = decodeURIComponent(encoded.replace(/\+/g, '%20'));
    return NOT_VSCHAR.test(decoded) ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/**
 * The client's credentials when they take one of the three common shapes: HTTP Basic alone, the
 * secret in the form with client_id, or client_id alone (a public client). Anything else
 * (two mechanisms, a client assertion, a malformed header) is the provider's to refuse.
 */
function credentialsOf(params: Parameters, authorization: string | undefined): Credentials | undefined {
  if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) return undefined;
  if (authorization === undefined) {
    if (params.client_id === undefined) return undefined;
    return { clientId: params.client_id, secret: params.client_secret };
  }
  if (params.client_secret !== undefined) return undefined;
  const [scheme, encoded, ...rest] = authorization.split(' ');
  if (rest.length > 0 || scheme?.toLowerCase() !== 'basic' || encoded === undefined) return undefined;
  const base64 = BASE64.exec(encoded);
  if (!base64?.[1] || (base64[2] ? (base64[1].length + base64[2].length) % 4 !== 0 : base64[1].length % 4 === 1)) return undefined;
  const basic = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = basic.indexOf(':');
  if (colon === -1) return undefined;
  const clientId = decodeCredential(basic.slice(0, colon));
  const secret = decodeCredential(basic.slice(colon + 1));
  if (!clientId || !secret || (params.client_id !== undefined && params.client_id !== clientId)) return undefined;
  return { clientId, secret };
}

// The SHA-256 of each client's secret, computed once per client metadata object (the registry
// hands out one frozen object per unchanged row): each request then hashes only what it was sent.
const secretDigests = new WeakMap<Readonly<ProviderClientMetadata>, Buffer>();

/**
 * The client authenticates as registered: its secret (Basic or form) for a confidential client,
 * none for a public one. The secrets are compared as SHA-256 digests with timingSafeEqual, in time
 * independent of their content and length (as core/hashing.ts constantTimeEqual does).
 */
function authenticates(client: Readonly<ProviderClientMetadata>, secret: string | undefined): boolean {
  if (client.token_endpoint_auth_method === 'none') return secret === undefined;
  if (secret === undefined || client.client_secret === undefined) return false;
  let expected = secretDigests.get(client);
  if (!expected) {
    expected = sha256Digest(client.client_secret);
    secretDigests.set(client, expected);
  }
  return timingSafeEqual(expected, sha256Digest(secret));
}

/**
 * oidc-provider's checks of a stored artefact's times and types (its opaque format's verify),
 * with the same clock tolerance: a payload that fails them is, for the provider, not found.
 */
function verifies(payload: Payload, model: string, options: { ignoreExpiration?: boolean } = {}): boolean {
  if ('jwt' in payload || 'jwt-ietf' in payload || 'paseto' in payload) return false;
  if ('format' in payload && payload.format !== 'opaque') return false;
  if (payload.kind !== undefined && payload.kind !== model) return false;
  const now = epochSeconds();
  const { nbf, iat, exp, jti, iss, aud } = payload;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + OIDC_CLOCK_TOLERANCE_SECONDS)) return false;
  if (iat !== undefined && (typeof iat !== 'number' || (exp === undefined && iat > now + OIDC_CLOCK_TOLERANCE_SECONDS))) return false;
  if (exp !== undefined && !options.ignoreExpiration && (typeof exp !== 'number' || now - OIDC_CLOCK_TOLERANCE_SECONDS >= exp)) return false;
  if (jti !== undefined && typeof jti !== 'string') return false;
  if (iss !== undefined && typeof iss !== 'string') return false;
  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) return false;
  return true;
}

/** An artefact past its exp (oidc-provider's isExpired: no tolerance here). */
const isExpired = (payload: Payload) => typeof payload.exp === 'number' && payload.exp <= epochSeconds();

/**
 * Token introspection (RFC 7662) for the requests host servers send on every call they serve:
 * a registered client authenticating as registered, asking about an access or refresh token.
 * oidc-provider answers the same requests through its whole middleware stack and three reads
 * (client, token, grant); here it is one read, so that checking a token costs a host no more than
 * Lifeline's own session check (docs/performance.md). The answer is the provider's, decision for
 * decision (docs/oidc.md "Introspection"; test/integration/oidc-introspection.test.ts compares
 * both for the same requests). Every request of another shape, and every refusal, is
 * FOR_THE_PROVIDER: the provider's own errors and rules apply to them unchanged.
 */
export function createIntrospection(deps: { payloads: PayloadStore; clients: ClientRegistry; issuer: string }) {
  const { payloads, clients, issuer } = deps;

  /** The token as oidc-provider's find would return it: live row, verified, bound session alive. */
  async function found(token: Payload | undefined, model: TokenModel): Promise<Payload | undefined> {
    if (!token || !verifies(token, model)) return undefined;
    if (token.expiresWithSession !== true) return token;
    const session = typeof token.sessionUid === 'string' ? await payloads.sessionPayloadByUid(token.sessionUid) : undefined;
    if (!session || !verifies(session, 'Session')) return undefined;
    const authorizations = session.authorizations;
    if (token.accountId !== session.accountId || token.grantId !== authorizations?.[String(token.clientId)]?.grantId) return undefined;
    return token;
  }

  /** oidc-provider's decision for a token it found (actions/introspection.js), or FOR_THE_PROVIDER. */
  function decide(
    client: Readonly<ProviderClientMetadata>,
    model: TokenModel,
    token: Payload,
    grant: Payload | undefined,
    tokenValue: string,
  ): IntrospectionAnswer | typeof FOR_THE_PROVIDER {
    // Sender-constrained and rich-authorization tokens carry more than this answer: the provider's.
    if (
      token.jkt !== undefined ||
      token['x5t#S256'] !== undefined ||
      token.rar !== undefined ||
      (token.extra !== undefined && Object.keys(token.extra).length > 0)
    )
      return FOR_THE_PROVIDER;
    const inactive = { active: false };
    if ((model === 'RefreshToken' && token.consumed !== undefined) || isExpired(token)) return inactive;
    if (token.grantId !== undefined) {
      if (!grant || !verifies(grant, 'Grant', { ignoreExpiration: true }) || isExpired(grant)) return inactive;
      if (grant.clientId !== token.clientId || grant.accountId !== token.accountId) return inactive;
    }
    // features.introspection.allowedPolicy (oidc-provider.ts): a public client only about its own tokens.
    if (client.token_endpoint_auth_method === 'none' && token.clientId !== client.client_id) return inactive;
    return {
      active: true,
      ...(token.accountId ? { sub: String(token.accountId) } : {}),
      client_id: token.clientId as string,
      exp: token.exp as number,
      iat: token.iat as number,
      ...(token.sid !== undefined ? { sid: token.sid } : {}),
      iss: issuer,
      ...(token.jti !== undefined && token.jti !== tokenValue ? { jti: token.jti } : {}),
      ...(token.aud !== undefined ? { aud: token.aud } : {}),
      ...(token.scope ? { scope: token.scope } : {}),
      ...(model === 'AccessToken' ? { token_type: 'Bearer' } : {}),
    };
  }

  return {
    /**
     * The answer to an introspection request (its form body and Authorization header), or
     * FOR_THE_PROVIDER for any request the provider must answer itself.
     */
    async introspect(body: string, authorization: string | undefined): Promise<IntrospectionAnswer | typeof FOR_THE_PROVIDER> {
      const params = parametersOf(body);
      const credentials = params && credentialsOf(params, authorization);
      const tokenValue = params?.token;
      // A structured token (a JWT) is refused by the provider; opaque tokens have no dot.
      if (!params || !credentials || tokenValue === undefined || tokenValue.includes('.')) return FOR_THE_PROVIDER;
      const hint = params.token_type_hint;
      const order: readonly TokenModel[] =
        hint === 'refresh_token' || hint === 'urn:ietf:params:oauth:token-type:refresh_token'
          ? ['RefreshToken', 'AccessToken']
          : ['AccessToken', 'RefreshToken'];
      let client: Readonly<ProviderClientMetadata> | undefined;
      for (const model of order) {
        const read = await payloads.forIntrospection(credentials.clientId, model, tokenValue);
        if (!read) return FOR_THE_PROVIDER;
        if (!client) {
          client = clients.readOnlyMetadata(read.client);
          if (!client || !authenticates(client, credentials.secret)) return FOR_THE_PROVIDER;
        }
        const token = await found(read.token, model);
        if (token) return decide(client, model, token, read.grant, tokenValue);
      }
      return { active: false };
    },
  };
}

export type Introspection = ReturnType<typeof createIntrospection>;
