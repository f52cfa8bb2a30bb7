// Verifying a back-channel logout token (OpenID Connect Back-Channel Logout 1.0, 2.6) with jose,
// the JOSE library openid-client itself is built on. Lifeline signs logout tokens with the same
// keys as its ID tokens (RS256, published at the jwks_uri of the discovery document).
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token that must not end anything; `reason` is for the log and the 400 answer. */
export class InvalidLogoutToken extends Error {
  constructor(reason, options) {
    super(reason, options);
    this.name = 'InvalidLogoutToken';
  }
}

/**
 * A verifier for logout tokens of one issuer and one client:
 *   const verify = createLogoutTokenVerifier({ issuer, jwksUri, clientId });
 *   const { sub, sid, jti, exp } = await verify(token);   // throws InvalidLogoutToken
 *
 * Checks, in this order: the signature against the provider's key set (fetched once, fetched
 * again when a token names a key it does not know: a key rotation), the algorithm (RS256), the
 * explicit type (`typ: logout+jwt`), iss, aud (this client), iat (at most five minutes old), exp,
 * a jti, the back-channel logout event in `events`, no nonce (an ID token is never a logout
 * token), and at least one of sub and sid. Replays (the same jti twice) are the caller's to
 * detect: see createReplayGuard below.
 */
export function createLogoutTokenVerifier({ issuer, jwksUri, clientId, clockToleranceSeconds = 30 }) {
  const keys = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 30_000 });
  return async function verifyLogoutToken(token) {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw new InvalidLogoutToken('no logout_token');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        audience: clientId,
        algorithms: ['RS256'],
        typ: 'logout+jwt',
        maxTokenAge: '5 minutes',
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['iss', 'aud', 'iat', 'exp', 'jti', 'events'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw new InvalidLogoutToken(`${error.code}: ${error.message}`, { cause: error });
      throw error; // the key set could not be fetched: answer 5xx, Lifeline retries
    }
    const events = payload.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events)) throw new InvalidLogoutToken('events is not an object');
    const event = events[BACKCHANNEL_LOGOUT_EVENT];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new InvalidLogoutToken('events has no back-channel logout event');
    if ('nonce' in payload) throw new InvalidLogoutToken('a logout token must not carry a nonce');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw new InvalidLogoutToken('jti is missing');
    const sub = typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : undefined;
    const sid = typeof payload.sid === 'string' && payload.sid.length > 0 ? payload.sid : undefined;
    if (!sub && !sid) throw new InvalidLogoutToken('neither sub nor sid');
    return { sub, sid, jti: payload.jti, exp: payload.exp };
  };
}

/**
 * Remembers the jti of every logout token acted on until the token has expired, so the same
 * token is acted on once. Lifeline delivers through its outbox and retries until the host
 * answers 2xx: a retry carries the same jti (re-signed, with a fresh iat and exp). A repeat is
 * answered 200 like the first delivery, without doing anything again.
 *
 * In memory, as the sample's sessions are: with several instances or restarts, keep seen jtis in
 * the same shared store as the sessions (e.g. Redis SET jti NX EX <seconds until exp>).
 */
export function createReplayGuard({ clockToleranceSeconds = 30 } = {}) {
  const seen = new Map(); // jti → until (ms)
  return {
    /** True the first time `jti` is seen, false for a repeat. */
    firstTime(jti, exp) {
      const now = Date.now();
      for (const [key, until] of seen) if (until < now) seen.delete(key);
      if (seen.has(jti)) return false;
      // Lifeline re-signs a retried token (new iat and exp, same jti), so the token's own exp is
      // not enough: keep the jti as long as Lifeline may still retry (with its defaults, eight
      // attempts within about 21 minutes; a day covers generous OUTBOX_* settings).
      seen.set(jti, Math.max((exp + clockToleranceSeconds) * 1000, now + 24 * 3_600_000));
      return true;
    },
  };
}
