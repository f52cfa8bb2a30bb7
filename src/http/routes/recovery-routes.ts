import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { noContent } from '../../contract/problem.js';
import { cancelHeldRequest, cancelHeldResponse, heldChangePreview, heldChannelParams, recoveryResponse } from '../../contract/recovery.js';
import { LifelineError } from '../../core/errors.js';
import type { ChannelHoldService } from '../../recovery/hold/channel-hold-service.js';
import { clientInfo } from '../plugins/session-auth.js';
import type { RecoveryEmailService } from '../../recovery/email/recovery-email-service.js';
import type { RecoveryPhoneService } from '../../recovery/phone/recovery-phone-service.js';
import type { RecoveryCodeService, RecoveryCodesView } from '../../recovery/codes/recovery-code-service.js';
import { authOf } from './session-routes.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute, sessionRoute } = routeSchemas('recovery');

/** The codes' view with its times as ISO 8601. */
function codesView(codes: RecoveryCodesView) {
  if (codes.status === 'none') return codes;
  const { remaining, createdAt, usableFrom } = codes;
  const iso = (at: number) => new Date(at).toISOString();
  return { status: codes.status, remaining, createdAt: iso(createdAt), ...(usableFrom === undefined ? {} : { usableFrom: iso(usableFrom) }) };
}

/** "Kontowiederherstellung" at a glance: the recovery email and the recovery phone (docs/reference/contracts.md "Contracts"). */
export function registerRecoveryRoutes(
  app: FastifyInstance,
  deps: {
    recoveryEmail: RecoveryEmailService;
    recoveryPhone: RecoveryPhoneService | undefined;
    recoveryCodes: RecoveryCodeService;
    channelHold: ChannelHoldService;
  },
): void {
  // The link's token is the proof (it reached a channel of the account); no session.
  const postRecoveryHeldCancel = csrfFreeRoute({
    summary: 'Cancel a change held for 72 hours with a channel’s link',
    description:
      'A change cancelled before (another channel’s link, the profile, an undo): 200 `already-cancelled`, naming it. A dead or forged link, or a change already applied: 410 link-expired.',
    body: cancelHeldRequest,
    response: { 200: cancelHeldResponse },
  });
  app
    .withTypeProvider<ZodTypeProvider>()
    .post('/api/v1/recovery/held/cancel', postRecoveryHeldCancel, async (request) => deps.channelHold.cancel(request.body.token, clientInfo(request)));

  // Reading what the link would cancel changes nothing (mail scanners open links); the page names the change before its button.
  const postRecoveryHeldPreview = csrfFreeRoute({
    summary: 'What a cancel link’s change is, and what became of it',
    description: 'A dead or forged link: 410 link-expired.',
    body: cancelHeldRequest,
    response: { 200: heldChangePreview },
  });
  app.withTypeProvider<ZodTypeProvider>().post('/api/v1/recovery/held/preview', postRecoveryHeldPreview, async (request) => {
    const change = await deps.channelHold.preview(request.body.token);
    if (!change) throw new LifelineError('link-expired');
    return { kind: change.kind, status: change.status, effectiveAt: new Date(change.effectiveAt).toISOString() };
  });

  const deleteRecoveryHeld = sessionRoute({
    summary: 'Cancel the channel’s change held for 72 hours, from the profile',
    description:
      'Any session of the account may: cancelling only keeps the recovery channels as they are. 204; the login and recovery email are told. 404 `not-found` when no change of the channel waits.',
    params: heldChannelParams,
    response: { 204: noContent },
  });
  app.withTypeProvider<ZodTypeProvider>().delete('/api/v1/recovery/:channel/held', deleteRecoveryHeld, async (request, reply) => {
    await deps.channelHold.cancelFromProfile(authOf(request).session, request.params.channel, clientInfo(request));
    return reply.code(204).send(null);
  });

  const getRecovery = sessionRoute({
    summary: 'The account’s recovery email, phone and codes',
    response: { 200: recoveryResponse },
  });
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/recovery', getRecovery, async (request) => {
    const accountId = authOf(request).account.id;
    const [email, phone, codes] = await Promise.all([
      deps.recoveryEmail.view(accountId),
      deps.recoveryPhone ? deps.recoveryPhone.view(accountId) : { status: 'none' as const },
      deps.recoveryCodes.view(accountId),
    ]);
    return { email, phone, codes: codesView(codes) };
  });
}
