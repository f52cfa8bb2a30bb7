import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AccountDeletionService } from '../../actions/account-deletion-service.js';
import type { ActionVerificationService, Requester } from '../../actions/action-verification-service.js';
import type { Clock } from '../../core/clock.js';
import {
  accountDeletionRequest,
  accountDeletionScheduled,
  accountVerificationRequest,
  accountVerificationStarted,
  sendVerificationRequest,
  sendVerificationResponse,
  verificationCodeRequest,
  verificationParams,
  verificationView,
} from '../../contract/verifications.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { authOf } from './session-routes.js';
import { iso, verificationBody } from './verification-routes.js';
import { routeSchemas } from './route-schemas.js';

const { sessionRoute } = routeSchemas('verifications');
const accountSchemas = routeSchemas('account');

/**
 * Lifeline's own high-risk actions (account deletion, login-email change): the profile starts a verification for this
 * session (its records exist for no other session), sends the code to a channel the action
 * accepts, checks it, and hands the record's id to the action, which consumes it.
 */
export function registerAccountVerificationRoutes(
  app: FastifyInstance,
  deps: {
    actionVerification: ActionVerificationService;
    accountDeletion: AccountDeletionService;
    cookies: SessionCookieHelpers;
    clock: Clock;
    appName: string;
  },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const service = deps.actionVerification;
  const requester = (request: FastifyRequest): Requester => ({ kind: 'session', id: authOf(request).session.id, name: deps.appName });

  const postAccountVerifications = sessionRoute({
    summary: 'Start the verification of one of Lifeline’s own actions for this session',
    body: accountVerificationRequest,
    response: { 201: accountVerificationStarted },
  });
  api.post('/api/v1/account/verifications', postAccountVerifications, async (request, reply) => {
    const auth = authOf(request);
    const started = await service.start({
      accountId: auth.account.id,
      action: request.body.action,
      requester: requester(request),
      origin: clientInfo(request),
    });
    const channels = await service.channels(started.id, requester(request));
    return reply.code(201).send({ id: started.id, expiresAt: iso(started.expiresAt), channels });
  });

  const getAccountVerification = sessionRoute({
    summary: 'Where this session’s verification stands (e.g. verified by the email’s link in another browser)',
    params: verificationParams,
    response: { 200: verificationView },
  });
  api.get('/api/v1/account/verifications/:id', getAccountVerification, async (request) =>
    verificationBody(await service.status(request.params.id, requester(request))),
  );

  const postAccountVerificationsSend = sessionRoute({
    summary: 'Send this session’s verification code to a channel',
    params: verificationParams,
    body: sendVerificationRequest,
    response: { 202: sendVerificationResponse },
  });
  api.post('/api/v1/account/verifications/:id/send', postAccountVerificationsSend, async (request, reply) => {
    const sent = await service.send(request.params.id, requester(request), request.body.channel, clientInfo(request));
    return reply.code(202).send({ channel: sent.channel, sentTo: sent.masked, codeExpiresAt: iso(sent.expiresAt) });
  });

  const postAccountVerificationsCode = sessionRoute({
    summary: 'Check the code of this session’s verification',
    params: verificationParams,
    body: verificationCodeRequest,
    response: { 200: verificationView },
  });
  api.post('/api/v1/account/verifications/:id/code', postAccountVerificationsCode, async (request) =>
    verificationBody(await service.enterCode(request.params.id, requester(request), request.body.code, clientInfo(request))),
  );

  const postAccountDeletion = accountSchemas.sessionRoute({
    summary: 'Delete the account after a 7-day grace period (password and a verified code)',
    description:
      'Every session ends (this one too); the login and recovery addresses are told. Any sign-in within the 7 days cancels the deletion. 403 wrong-password; 404/409/410 for a verification that is not this session’s, not verified, used or expired.',
    body: accountDeletionRequest,
    response: { 202: accountDeletionScheduled },
  });
  api.post('/api/v1/account/deletion', postAccountDeletion, async (request, reply) => {
    const scheduled = await deps.accountDeletion.schedule({
      auth: authOf(request),
      password: request.body.password,
      verificationId: request.body.verificationId,
      client: clientInfo(request),
      deviceToken: deps.cookies.deviceToken(request),
    });
    deps.cookies.clearSession(reply);
    return reply.code(202).send({ deleteAt: iso(scheduled.deleteAt) });
  });
}
