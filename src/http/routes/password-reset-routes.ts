import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  forgotPasswordAccepted,
  forgotPasswordRequest,
  forgotPasswordStatus,
  forgotPasswordVerified,
  forgotPasswordVerifyRequest,
  passwordResetDone,
  passwordResetRequest,
} from '../../contract/password-reset.js';
import { problemResponses } from '../../contract/problem.js';
import type { Clock } from '../../core/clock.js';
import type { PasswordResetService } from '../../recovery/password-reset/password-reset-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute, openRoute } = routeSchemas('password-reset');

/** The flow cookie: `__Host-` with Secure on https (docs/reference/security-requirements.md 8.1), like the session cookie. */
export function resetFlowCookieName(secure: boolean): string {
  return secure ? '__Host-lifeline_reset_flow' : 'lifeline_reset_flow';
}

/**
 * "Passwort vergessen?" (forgot password). No session: the flow cookie binds a code to the browser that
 * asked, and the email link is a secret of its own. Cross-site requests are refused by the API
 * guards (Origin / Sec-Fetch-Site) and the cookie is SameSite=Strict.
 */
export function registerPasswordResetRoutes(
  app: FastifyInstance,
  deps: { passwordReset: PasswordResetService; clock: Clock; secure: boolean; cookies: Pick<SessionCookieHelpers, 'deviceToken' | 'setDevice'> },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  /** The flow each forgot request wrote, processed once its answer has gone out. */
  const answered = new WeakMap<FastifyRequest, string>();
  const name = resetFlowCookieName(deps.secure);
  const flowToken = (request: FastifyRequest) => request.cookies[name];
  const setFlow = (reply: FastifyReply, token: string, expiresAt: number) =>
    reply.setCookie(name, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secure,
      maxAge: Math.max(1, Math.floor((expiresAt - deps.clock.now()) / 1000)),
    });

  api.post(
    '/api/v1/password/forgot',
    {
      config: { csrf: false },
      onResponse: async (request) => {
        const flowId = answered.get(request);
        // The device cookie: the account's own browsers pass the limits of all clients together.
        if (flowId !== undefined) deps.passwordReset.processSoon(flowId, deps.cookies.deviceToken(request));
      },
      schema: {
        tags: ['password-reset'],
        summary: 'Forgot password: a code (and for email a link) to the channel entered, if it is a confirmed channel of an account',
        description:
          'Always 202 with the same body, whether or not an account exists; sets the flow cookie. A malformed email or phone number is refused (400/422); more than PASSWORD_RESET_PER_CLIENT_PER_HOUR requests from one client answer 429. Limits per identifier and per account stay silent.',
        body: forgotPasswordRequest,
        response: { 202: forgotPasswordAccepted, ...problemResponses },
      },
    },
    async (request, reply) => {
      const {
        flowToken: token,
        flowId,
        expiresAt,
      } = await deps.passwordReset.request({
        identifier: request.body.identifier,
        country: request.body.country,
        locale: request.locale,
        client: clientInfo(request),
        previousFlowToken: flowToken(request),
      });
      // Whether the identifier leads anywhere is decided after the answer has gone (onResponse).
      answered.set(request, flowId);
      setFlow(reply, token, expiresAt);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  const getPasswordForgot = openRoute({
    summary: 'Where this browser’s forgot-password flow stands',
    response: { 200: forgotPasswordStatus },
  });
  api.get('/api/v1/password/forgot', getPasswordForgot, async (request) => deps.passwordReset.status(flowToken(request)));

  const postPasswordForgotVerify = csrfFreeRoute({
    summary:
      'The code (in the browser that asked), the email link’s token (in any browser), or a recovery code (in the browser that asked for the login email)',
    description:
      'A wrong code: 400 wrong-code with triesLeft; a dead code or flow: 410 code-expired; a dead link: 410 link-expired; too many wrong codes within an hour: 429 too-many-attempts. A recovery code answers as a code does, sharing its tries and lock.',
    body: forgotPasswordVerifyRequest,
    response: { 200: forgotPasswordVerified },
  });
  api.post('/api/v1/password/forgot/verify', postPasswordForgotVerify, async (request, reply) => {
    const body = request.body;
    if ('token' in body) {
      const { flowToken: token, expiresAt, accounts } = await deps.passwordReset.verifyLink(body.token, clientInfo(request));
      setFlow(reply, token, expiresAt);
      return accounts ? { accounts } : {};
    }
    if ('recoveryCode' in body) return deps.passwordReset.verifyRecoveryCode(flowToken(request), body.recoveryCode, clientInfo(request));
    return deps.passwordReset.verifyCode(flowToken(request), body.code);
  });

  const postPasswordReset = csrfFreeRoute({
    summary: 'Set the new password after the code or link; signs out every session and does not sign in',
    body: passwordResetRequest,
    response: { 200: passwordResetDone },
  });
  api.post('/api/v1/password/reset', postPasswordReset, async (request, reply) => {
    const done = await deps.passwordReset.reset(flowToken(request), {
      password: request.body.password,
      accountId: request.body.accountId,
      client: clientInfo(request),
      deviceToken: deps.cookies.deviceToken(request),
    });
    reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secure });
    deps.cookies.setDevice(reply, done.deviceToken);
    return { status: 'reset' as const, email: done.email };
  });
}
