import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { acceptedResponse, tokenRequest } from '../../contract/accounts.js';
import { noContent } from '../../contract/problem.js';
import { recoveryEmailConfirmedResponse, recoveryEmailRequest, removalHeldResponse } from '../../contract/recovery.js';
import type { Clock } from '../../core/clock.js';
import type { RecoveryEmailService } from '../../recovery/email/recovery-email-service.js';
import type { SignInService } from '../../accounts/sign-in-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { authOf } from './session-routes.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute, sessionRoute } = routeSchemas('recovery');

export interface RecoveryEmailRoutesDeps {
  readonly recoveryEmail: RecoveryEmailService;
  readonly signIn: SignInService;
  readonly cookies: SessionCookieHelpers;
  readonly clock: Clock;
}

/** "Kontowiederherstellung → E-Mail-Adresse": the recovery email's routes. */
export function registerRecoveryEmailRoutes(app: FastifyInstance, deps: RecoveryEmailRoutesDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { cookies, clock } = deps;

  const putRecoveryEmail = sessionRoute({
    summary: 'Set up or change the recovery email (privileged window, or `password` in the body); a link goes to the new address',
    body: recoveryEmailRequest,
    response: { 202: acceptedResponse },
  });
  api.put('/api/v1/recovery/email', putRecoveryEmail, async (request, reply) => {
    const auth = authOf(request);
    const client = clientInfo(request);
    const rotated = await deps.signIn.requirePrivilege({ auth, password: request.body.password, client, deviceToken: cookies.deviceToken(request) });
    if (rotated) cookies.setSession(reply, rotated.token, rotated.session.expires_at, clock.now());
    await deps.recoveryEmail.setUp(auth, { address: request.body.address, client });
    return reply.code(202).send({ status: 'accepted' as const });
  });

  // The link may be opened on another device: the token alone is the proof.
  const postRecoveryEmailConfirm = csrfFreeRoute({
    summary: 'Confirm the recovery email with the link’s token',
    description:
      '`status: "held"` with `effectiveAt`: an addition or replacement set up from a session on a device the account first saw less than HOLD_NEW_DEVICE_DAYS (7) ago; the new address becomes active after 72 hours unless a channel cancels it.',
    body: tokenRequest,
    response: { 200: recoveryEmailConfirmedResponse },
  });
  api.post('/api/v1/recovery/email/confirm', postRecoveryEmailConfirm, async (request) => {
    const { address, effectiveAt } = await deps.recoveryEmail.confirm(request.body.token, clientInfo(request));
    return effectiveAt === undefined
      ? { status: 'active' as const, address }
      : { status: 'held' as const, address, effectiveAt: new Date(effectiveAt).toISOString() };
  });

  const postRecoveryEmailResend = sessionRoute({
    summary: 'Send the confirmation link again (at most once a minute)',
    response: { 202: acceptedResponse },
  });
  api.post('/api/v1/recovery/email/resend', postRecoveryEmailResend, async (request, reply) => {
    await deps.recoveryEmail.resend(authOf(request), clientInfo(request));
    return reply.code(202).send({ status: 'accepted' as const });
  });

  const deleteRecoveryEmailPending = sessionRoute({
    summary: 'Cancel a pending setup or change',
    response: { 204: noContent },
  });
  api.delete('/api/v1/recovery/email/pending', deleteRecoveryEmailPending, async (request, reply) => {
    await deps.recoveryEmail.cancel(authOf(request), clientInfo(request));
    return reply.code(204).send(null);
  });

  const deleteRecoveryEmail = sessionRoute({
    summary: 'Remove the recovery email (privileged window)',
    description:
      '204 at once; 202 with `effectiveAt` when the session is on a device the account first saw less than 7 days ago and the channel is settled (held for 72 hours, cancellable from every channel); a channel that is not settled goes at once. Made at once, it also ends the sessions of the device that had set the channel up.',
    response: { 202: removalHeldResponse, 204: noContent },
  });
  api.delete('/api/v1/recovery/email', deleteRecoveryEmail, async (request, reply) => {
    const auth = authOf(request);
    const client = clientInfo(request);
    await deps.signIn.requirePrivilege({ auth, password: undefined, client, deviceToken: cookies.deviceToken(request) });
    const { effectiveAt } = await deps.recoveryEmail.remove(auth, client);
    return effectiveAt === undefined ? reply.code(204).send(null) : reply.code(202).send({ effectiveAt: new Date(effectiveAt).toISOString() });
  });
}
