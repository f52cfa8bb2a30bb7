import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  loginRequest,
  reauthenticateRequest,
  sessionIdParams,
  sessionListResponse,
  sessionQuery,
  sessionResponse,
  reauthenticateResponse,
} from '../../contract/accounts.js';
import { noContent } from '../../contract/problem.js';
import type { Clock } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import { describeUserAgent } from '../../core/user-agent.js';
import type { AuthenticatedSession, SessionService } from '../../sessions/session-service.js';
import type { SignInService } from '../../accounts/sign-in-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { toSessionView } from './session-view.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute, optionalSessionRoute, sessionRoute } = routeSchemas('sessions');

export interface SessionRoutesDeps {
  readonly signIn: SignInService;
  readonly sessions: SessionService;
  readonly cookies: SessionCookieHelpers;
  readonly clock: Clock;
}

/** The session of a route declared with `session: 'required'` (the hook has checked it). */
export function authOf(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) throw new LifelineError('authentication-required');
  return request.auth;
}

/** Sign-in, the current session, sign-out, re-authentication, and the list of sessions. */
export function registerSessionRoutes(app: FastifyInstance, deps: SessionRoutesDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { cookies, sessions, clock } = deps;

  // A password proves more than a CSRF token could; a stale session cookie ends here.
  const postLogin = csrfFreeRoute({
    summary: 'Sign in',
    body: loginRequest,
    response: { 200: sessionResponse },
  });
  api.post('/api/v1/login', postLogin, async (request, reply) => {
    const signedIn = await deps.signIn.signIn({
      email: request.body.email,
      password: request.body.password,
      client: clientInfo(request),
      deviceToken: cookies.deviceToken(request),
      previousSessionToken: cookies.sessionToken(request),
    });
    const now = clock.now();
    cookies.setSession(reply, signedIn.token, signedIn.session.expires_at, now);
    cookies.setDevice(reply, signedIn.deviceToken);
    const view = toSessionView(sessions, signedIn.account, signedIn.session, now);
    return signedIn.deletionCancelled ? { ...view, deletionCancelled: true as const } : view;
  });

  const getSession = optionalSessionRoute({
    summary: 'The current session and its CSRF token',
    description: 'Without a session: 401, or with `optional=true` 200 and `null` (for pages that work signed in or not, so a browser logs no failed request).',
    querystring: sessionQuery,
    response: { 200: sessionResponse.nullable() },
  });
  api.get('/api/v1/session', getSession, async (request) => {
    if (!request.auth) {
      if (request.query.optional === 'true') return null;
      throw new LifelineError('authentication-required');
    }
    return toSessionView(sessions, request.auth.account, request.auth.session, clock.now());
  });

  const postLogout = sessionRoute({
    summary: 'Sign out (ends the session on the server)',
    response: { 204: noContent },
  });
  api.post('/api/v1/logout', postLogout, async (request, reply) => {
    await deps.signIn.signOut(authOf(request), clientInfo(request));
    cookies.clearSession(reply);
    return reply.code(204).send(null);
  });

  const postSessionReauthenticate = sessionRoute({
    summary: 'Enter the password again: opens the privileged window, new session id',
    body: reauthenticateRequest,
    response: { 200: reauthenticateResponse },
  });
  api.post('/api/v1/session/reauthenticate', postSessionReauthenticate, async (request, reply) => {
    const issued = await deps.signIn.reauthenticate(authOf(request), request.body.password, clientInfo(request), cookies.deviceToken(request));
    cookies.setSession(reply, issued.token, issued.session.expires_at, clock.now());
    return { privilegedUntil: new Date(issued.session.privileged_until ?? clock.now()).toISOString(), csrfToken: sessions.csrfToken(issued.session) };
  });

  const getSessions = sessionRoute({
    summary: 'The account’s active sessions',
    response: { 200: sessionListResponse },
  });
  api.get('/api/v1/sessions', getSessions, async (request) => {
    const auth = authOf(request);
    const list = await deps.signIn.listSessions(auth);
    return {
      sessions: list.map((session) => ({
        id: session.id,
        current: session.id === auth.session.id,
        ...describeUserAgent(session.user_agent),
        ip: session.ip,
        createdAt: new Date(session.created_at).toISOString(),
        lastSeenAt: new Date(session.last_seen_at).toISOString(),
      })),
    };
  });

  // "Überall sonst abmelden". Registered before /:id; find-my-way prefers the static path anyway.
  const deleteSessionsOthers = sessionRoute({
    summary: 'Sign out every other session (privileged window)',
    response: { 204: noContent },
  });
  api.delete('/api/v1/sessions/others', deleteSessionsOthers, async (request, reply) => {
    const auth = authOf(request);
    await deps.signIn.requirePrivilege({ auth, password: undefined, client: clientInfo(request), deviceToken: cookies.deviceToken(request) });
    await deps.signIn.revokeOtherSessions(auth, clientInfo(request));
    return reply.code(204).send(null);
  });

  const deleteSession = sessionRoute({
    summary: 'Sign out one session (privileged window)',
    params: sessionIdParams,
    response: { 204: noContent },
  });
  api.delete('/api/v1/sessions/:id', deleteSession, async (request, reply) => {
    const auth = authOf(request);
    await deps.signIn.requirePrivilege({ auth, password: undefined, client: clientInfo(request), deviceToken: cookies.deviceToken(request) });
    await deps.signIn.revokeSession(auth, request.params.id, clientInfo(request));
    if (request.params.id === auth.session.id) cookies.clearSession(reply);
    return reply.code(204).send(null);
  });
}
