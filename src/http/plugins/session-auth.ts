import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LifelineError } from '../../core/errors.js';
import type { AuthenticatedSession, ClientInfo, SessionService } from '../../sessions/session-service.js';
import { isLocale } from '../../i18n/translator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, on routes that ask for one (`config.session`). */
    auth: AuthenticatedSession | null;
  }
  interface FastifyContextConfig {
    /** `required`: 401 without a live session; `optional`: look it up if there is a cookie. */
    session?: 'required' | 'optional';
    /**
     * false: no CSRF token needed, because the route acts on a one-time secret or a password
     * alone (docs/reference/contracts.md "Contracts").
     */
    csrf?: boolean;
  }
}

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DEVICE_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600; // browsers cap cookie lifetimes at 400 days

export interface SessionCookies {
  readonly session: string;
  readonly device: string;
}

/**
 * Cookie names of the Contracts: `__Host-` with Secure when PUBLIC_URL is https (docs/reference/security-requirements.md
 * 8.1), plain names on plain-http localhost (browsers refuse `__Host-` without Secure).
 * With SESSION_COOKIE_DOMAIN the session cookie carries `Domain`, which `__Host-` forbids: it is
 * `__Secure-lifeline_session` then (still Secure only). The device cookie stays host-only: no
 * sibling host needs it (docs/operations.md "Session cookie domain and CORS").
 */
export function sessionCookieNames(secure: boolean, domain?: string): SessionCookies {
  if (!secure) return { session: 'lifeline_session', device: 'lifeline_device' };
  return { session: domain === undefined ? '__Host-lifeline_session' : '__Secure-lifeline_session', device: '__Host-lifeline_device' };
}

/** Where the request came from, for sessions, the security log and notices. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : null };
}

/**
 * Session cookies and the per-route session and CSRF checks. Only routes that declare
 * `config.session` look a session up (one query), so anonymous and health routes cost nothing.
 * A state-changing request made with a session carries `X-CSRF-Token` (missing or wrong → 403),
 * checked after the origin and content-type guards (docs/reference/pitfalls.md order).
 */
export async function registerSessionAuth(
  app: FastifyInstance,
  deps: { sessions: SessionService; secure: boolean; cookieDomain?: string | undefined },
): Promise<SessionCookieHelpers> {
  await app.register(cookie);
  const names = sessionCookieNames(deps.secure, deps.cookieDomain);
  const base = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: deps.secure };
  // Only the session cookie gets the Domain; clearing it needs the same Domain, or the browser keeps it.
  const session = deps.cookieDomain === undefined ? base : { ...base, domain: deps.cookieDomain };

  app.decorateRequest('auth', null);
  app.addHook('preHandler', async (request, reply) => {
    const mode = request.routeOptions.config.session;
    if (!mode) return;
    const token = request.cookies[names.session];
    const auth = token ? await deps.sessions.authenticate(token) : undefined;
    if (!auth) {
      if (token) reply.clearCookie(names.session, session);
      if (mode === 'required') throw new LifelineError('authentication-required');
      return;
    }
    request.auth = auth;
    if (isLocale(auth.account.locale)) request.locale = auth.account.locale;
    if (stateChanging.has(request.method) && request.routeOptions.config.csrf !== false) {
      const submitted = request.headers['x-csrf-token'];
      if (!deps.sessions.checkCsrf(auth.session, typeof submitted === 'string' ? submitted : undefined)) {
        request.log.warn({ event: 'security.control_triggered', control: 'csrf', sessionId: auth.session.id }, 'CSRF token missing or wrong');
        throw new LifelineError('csrf-token-invalid');
      }
    }
  });

  return {
    names,
    setSession(reply: FastifyReply, token: string, expiresAt: number, now: number): void {
      reply.setCookie(names.session, token, { ...session, maxAge: Math.max(0, Math.floor((expiresAt - now) / 1000)) });
    },
    clearSession(reply: FastifyReply): void {
      reply.clearCookie(names.session, session);
    },
    setDevice(reply: FastifyReply, token: string): void {
      reply.setCookie(names.device, token, { ...base, maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS });
    },
    sessionToken: (request: FastifyRequest): string | undefined => request.cookies[names.session],
    deviceToken: (request: FastifyRequest): string | undefined => request.cookies[names.device],
  };
}

export interface SessionCookieHelpers {
  readonly names: SessionCookies;
  setSession(reply: FastifyReply, token: string, expiresAt: number, now: number): void;
  clearSession(reply: FastifyReply): void;
  setDevice(reply: FastifyReply, token: string): void;
  sessionToken(request: FastifyRequest): string | undefined;
  deviceToken(request: FastifyRequest): string | undefined;
}
