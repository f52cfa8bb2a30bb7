import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ActionVerificationService, Requester, VerificationView } from '../../actions/action-verification-service.js';
import {
  consumeVerificationRequest,
  sendVerificationRequest,
  sendVerificationResponse,
  startVerificationRequest,
  startVerificationResponse,
  verificationCodeRequest,
  verificationDone,
  verificationLinkPreview,
  verificationLinkPreviewQuery,
  verificationLinkRequest,
  verificationPage,
  verificationPageCodeRequest,
  verificationPageQuery,
  verificationPageSendRequest,
  verificationParams,
  verificationView,
  type VerificationViewBody,
} from '../../contract/verifications.js';
import { LifelineError } from '../../core/errors.js';
import { apiKeyOf } from '../plugins/api-key-auth.js';
import { clientInfo } from '../plugins/session-auth.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute, hostRoute, openRoute } = routeSchemas('verifications');

/** Times in answers: ISO 8601, UTC. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** The API's shape of a record (ISO times; absent rather than null for what has not happened). */
export function verificationBody(view: VerificationView): VerificationViewBody {
  return {
    id: view.id,
    status: view.status,
    action: view.action,
    accountId: view.accountId,
    channel: view.channel,
    createdAt: iso(view.createdAt),
    expiresAt: iso(view.expiresAt),
    ...(view.verifiedAt !== null ? { verifiedAt: iso(view.verifiedAt) } : {}),
    ...(view.consumedAt !== null ? { consumedAt: iso(view.consumedAt) } : {}),
  };
}

/** `returnTo` with `verification=<id>` added (the host reads it and asks GET /verifications/{id}). */
function returnUrl(returnTo: string | null, id: string): string | null {
  if (returnTo === null) return null;
  const url = new URL(returnTo);
  url.searchParams.set('verification', id);
  return url.href;
}

const hostDescription =
  'API key (`Authorization: Bearer`) with the scope `verifications` (403 insufficient-scope without it): a record exists only for the key that started it (404 for any other).';

/**
 * The host API of action verification and the endpoints of Lifeline's own page
 * (`/verify-action?token=`), which acts by the capability in its URL.
 */
export function registerVerificationRoutes(app: FastifyInstance, deps: { actionVerification: ActionVerificationService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const service = deps.actionVerification;
  const hostRequester = (request: Parameters<typeof apiKeyOf>[0]): Requester => {
    const key = apiKeyOf(request);
    return { kind: 'api-key', id: key.id, name: key.name };
  };

  const postVerifications = hostRoute('verifications', {
    summary: 'Start a verification of one of your actions for one account',
    description: `${hostDescription} 404 for an unknown or unconfirmed account; 400 return-to-not-allowed, action-reserved; 429 per key and per account.`,
    body: startVerificationRequest,
    response: { 201: startVerificationResponse },
  });
  api.post('/api/v1/verifications', postVerifications, async (request, reply) => {
    const started = await service.start({ ...request.body, requester: hostRequester(request), origin: clientInfo(request) });
    return reply.code(201).send({ id: started.id, url: started.url, expiresAt: iso(started.expiresAt) });
  });

  const getVerification = hostRoute('verifications', {
    summary: 'Where a verification stands',
    description: hostDescription,
    params: verificationParams,
    response: { 200: verificationView },
  });
  api.get('/api/v1/verifications/:id', getVerification, async (request) => verificationBody(await service.status(request.params.id, hostRequester(request))));

  const postVerificationsSend = hostRoute('verifications', {
    summary: 'Send the code to a confirmed channel (you drive the flow yourself)',
    description: `${hostDescription} 422 channel-not-available for a channel the account has not confirmed (or not long enough); 429 one a minute per channel, 10 an hour per account, 5 an hour per channel.`,
    params: verificationParams,
    body: sendVerificationRequest,
    response: { 202: sendVerificationResponse },
  });
  api.post('/api/v1/verifications/:id/send', postVerificationsSend, async (request, reply) => {
    const sent = await service.send(request.params.id, hostRequester(request), request.body.channel, clientInfo(request));
    return reply.code(202).send({ channel: sent.channel, sentTo: sent.masked, codeExpiresAt: iso(sent.expiresAt) });
  });

  const postVerificationsCode = hostRoute('verifications', {
    summary: 'Check the code the user typed',
    description: `${hostDescription} 400 wrong-code with triesLeft (the last wrong try fails the record); 410 code-expired; 429 too-many-attempts.`,
    params: verificationParams,
    body: verificationCodeRequest,
    response: { 200: verificationView },
  });
  api.post('/api/v1/verifications/:id/code', postVerificationsCode, async (request) =>
    verificationBody(await service.enterCode(request.params.id, hostRequester(request), request.body.code, clientInfo(request))),
  );

  const postVerificationsConsume = hostRoute('verifications', {
    summary: 'Redeem a verified record, once, right before doing the action',
    description: `${hostDescription} 200 once; 409 verification-not-redeemable after that, while not verified, or when \`accountId\` or \`action\` differ from the record (nothing used up); 410 verification-expired 10 minutes after verification.`,
    params: verificationParams,
    // No body at all is fine (Fastify hands that over as null): the checks are optional.
    body: consumeVerificationRequest.nullish(),
    response: { 200: verificationView },
  });
  api.post('/api/v1/verifications/:id/consume', postVerificationsConsume, async (request) =>
    verificationBody(await service.consume(request.params.id, hostRequester(request), { ...(request.body ?? {}) })),
  );

  // Lifeline's page: the capability in its URL is the proof (no session, no API key).
  const getVerificationPage = openRoute({
    summary: 'What the verification page shows',
    querystring: verificationPageQuery,
    response: { 200: verificationPage },
  });
  api.get('/api/v1/verification-page', getVerificationPage, async (request) => {
    const page = await service.page(request.query.token);
    return {
      action: page.view.action,
      requester: page.requesterName,
      status: page.view.status,
      consumed: page.view.consumedAt !== null,
      channel: page.view.channel,
      channels: page.channels,
      returnTo: returnUrl(page.returnTo, page.view.id),
      expiresAt: iso(page.view.expiresAt),
    };
  });

  const postVerificationPageSend = csrfFreeRoute({
    summary: 'The page sends the code',
    body: verificationPageSendRequest,
    response: { 202: sendVerificationResponse },
  });
  api.post('/api/v1/verification-page/send', postVerificationPageSend, async (request, reply) => {
    const sent = await service.pageSend(request.body.token, request.body.channel, clientInfo(request));
    return reply.code(202).send({ channel: sent.channel, sentTo: sent.masked, codeExpiresAt: iso(sent.expiresAt) });
  });

  const postVerificationPageCode = csrfFreeRoute({
    summary: 'The page checks the code',
    body: verificationPageCodeRequest,
    response: { 200: verificationDone },
  });
  api.post('/api/v1/verification-page/code', postVerificationPageCode, async (request) => {
    const done = await service.pageCode(request.body.token, request.body.code, clientInfo(request));
    return { status: done.view.status, returnTo: returnUrl(done.returnTo, done.view.id) };
  });

  const getVerificationPageLink = openRoute({
    summary: 'What the email’s link would confirm, without using it',
    description: 'The page names the action and who asks before its button is pressed. A dead, used or forged link: 410 link-expired.',
    querystring: verificationLinkPreviewQuery,
    response: { 200: verificationLinkPreview },
  });
  api.get('/api/v1/verification-page/link', getVerificationPageLink, async (request) => {
    const preview = await service.previewLink(request.query.token);
    if (!preview) throw new LifelineError('link-expired');
    return { action: preview.action, requester: preview.requester, createdAt: iso(preview.createdAt) };
  });

  const postVerificationPageLink = csrfFreeRoute({
    summary: 'The email’s link: verifies the record it was sent for, in any browser',
    description: 'A used, expired or forged link: 410 link-expired.',
    body: verificationLinkRequest,
    response: { 200: verificationDone },
  });
  api.post('/api/v1/verification-page/link', postVerificationPageLink, async (request) => {
    const done = await service.redeemLink(request.body.token, clientInfo(request));
    return { status: done.view.status, returnTo: returnUrl(done.returnTo, done.view.id) };
  });
}
