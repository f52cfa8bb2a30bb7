import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { acceptedResponse } from '../../contract/accounts.js';
import { noContent } from '../../contract/problem.js';
import {
  recoveryPhoneConfirmedResponse,
  recoveryPhoneConfirmRequest,
  recoveryPhoneRequest,
  recoveryPhoneSentResponse,
  removalHeldResponse,
} from '../../contract/recovery.js';
import type { Clock } from '../../core/clock.js';
import type { RecoveryPhoneService } from '../../recovery/phone/recovery-phone-service.js';
import type { SignInService } from '../../accounts/sign-in-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { authOf } from './session-routes.js';
import { routeSchemas } from './route-schemas.js';

const { sessionRoute } = routeSchemas('recovery');

export interface RecoveryPhoneRoutesDeps {
  readonly recoveryPhone: RecoveryPhoneService;
  readonly signIn: SignInService;
  readonly cookies: SessionCookieHelpers;
  readonly clock: Clock;
}

/**
 * "Kontowiederherstellung → Telefonnummer" (the recovery phone). Only registered when an SMS provider is
 * configured: without one every route answers 404 and the UI hides the row.
 */
export function registerRecoveryPhoneRoutes(app: FastifyInstance, deps: RecoveryPhoneRoutesDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { cookies, clock } = deps;

  const putRecoveryPhone = sessionRoute({
    summary: 'Set up or change the recovery phone (privileged window, or `password` in the body); a 6-digit code goes to the number by SMS',
    body: recoveryPhoneRequest,
    response: { 202: recoveryPhoneSentResponse },
  });
  api.put('/api/v1/recovery/phone', putRecoveryPhone, async (request, reply) => {
    const auth = authOf(request);
    const client = clientInfo(request);
    const rotated = await deps.signIn.requirePrivilege({ auth, password: request.body.password, client, deviceToken: cookies.deviceToken(request) });
    if (rotated) cookies.setSession(reply, rotated.token, rotated.session.expires_at, clock.now());
    const { masked } = await deps.recoveryPhone.setUp(auth, { number: request.body.number, country: request.body.country, client });
    return reply.code(202).send({ status: 'accepted' as const, masked });
  });

  const postRecoveryPhoneConfirm = sessionRoute({
    summary: 'Confirm the recovery phone with the code from the SMS; a wrong code answers 400 wrong-code with triesLeft, a dead one 410',
    description:
      '`status: "held"` with `effectiveAt`: an addition or replacement set up from a session on a device the account first saw less than HOLD_NEW_DEVICE_DAYS (7) ago; the new number becomes active after 72 hours unless a channel cancels it.',
    body: recoveryPhoneConfirmRequest,
    response: { 200: recoveryPhoneConfirmedResponse },
  });
  api.post('/api/v1/recovery/phone/confirm', postRecoveryPhoneConfirm, async (request) => {
    const { masked, effectiveAt } = await deps.recoveryPhone.confirm(authOf(request), request.body.code, clientInfo(request));
    return effectiveAt === undefined
      ? { status: 'active' as const, masked }
      : { status: 'held' as const, masked, effectiveAt: new Date(effectiveAt).toISOString() };
  });

  const postRecoveryPhoneResend = sessionRoute({
    summary: 'Send a new code ("Code erneut senden": after 60 s, within the hourly caps)',
    response: { 202: acceptedResponse },
  });
  api.post('/api/v1/recovery/phone/resend', postRecoveryPhoneResend, async (request, reply) => {
    await deps.recoveryPhone.resend(authOf(request), clientInfo(request));
    return reply.code(202).send({ status: 'accepted' as const });
  });

  const deleteRecoveryPhonePending = sessionRoute({
    summary: 'Cancel a pending setup or change of the recovery phone',
    response: { 204: noContent },
  });
  api.delete('/api/v1/recovery/phone/pending', deleteRecoveryPhonePending, async (request, reply) => {
    await deps.recoveryPhone.cancel(authOf(request), clientInfo(request));
    return reply.code(204).send(null);
  });

  const deleteRecoveryPhone = sessionRoute({
    summary: 'Deactivate the recovery phone (privileged window)',
    description:
      '204 at once; 202 with `effectiveAt` when the session is on a device the account first saw less than 7 days ago and the channel is settled (held for 72 hours, cancellable from every channel); a channel that is not settled goes at once. Made at once, it also ends the sessions of the device that had set the channel up.',
    response: { 202: removalHeldResponse, 204: noContent },
  });
  api.delete('/api/v1/recovery/phone', deleteRecoveryPhone, async (request, reply) => {
    const auth = authOf(request);
    const client = clientInfo(request);
    await deps.signIn.requirePrivilege({ auth, password: undefined, client, deviceToken: cookies.deviceToken(request) });
    const { effectiveAt } = await deps.recoveryPhone.remove(auth, client);
    return effectiveAt === undefined ? reply.code(204).send(null) : reply.code(202).send({ effectiveAt: new Date(effectiveAt).toISOString() });
  });
}
