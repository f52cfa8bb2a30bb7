import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  securityEventParams,
  securityLogQuery,
  securityLogResponse,
  securityUndoPreview,
  securityUndoPreviewQuery,
  securityUndoRequest,
  securityUndoLinkResponse,
  securityUndoResponse,
} from '../../contract/security-log.js';
import { LifelineError } from '../../core/errors.js';
import type { SecurityUndoService } from '../../recovery/undo/security-undo-service.js';
import { clientInfo } from '../plugins/session-auth.js';
import type { GeoIp } from '../../core/geo-ip.js';
import type { Database } from '../../db/database.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { authOf } from './session-routes.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute, openRoute, sessionRoute } = routeSchemas('security-log');

/** Profile → "Sicherheitsaktivität": the account's security log, newest first; and "Das war ich nicht". */
export interface SecurityLogRoutesDeps {
  readonly securityLog: SecurityLog;
  readonly database: Database;
  readonly securityUndo: SecurityUndoService;
  readonly geoIp: GeoIp;
  readonly rateLimits: RateLimits;
}

export function registerSecurityLogRoutes(app: FastifyInstance, deps: SecurityLogRoutesDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const getSecurityLog = sessionRoute({
    summary: 'The account’s security log: the last 90 days, newest first, 20 a page',
    querystring: securityLogQuery,
    response: { 200: securityLogResponse },
  });
  api.get('/api/v1/security-log', getSecurityLog, async (request) => {
    const account = authOf(request).account;
    const accountId = account.id;
    const page = await deps.securityLog.page(deps.database.db, accountId, request.query.cursor, (ip) => deps.geoIp.placeOf(ip, account.locale));
    const undoable = await deps.securityUndo.undoableEvents(accountId);
    return { ...page, items: page.items.map((item) => ({ ...item, undoable: undoable.has(item.id) })) };
  });

  const postSecurityLogUndoLink = sessionRoute({
    summary: '"Das war ich nicht" from the list without the password: the event’s link, sent afresh to the login email',
    description:
      'Only for an item with `undoable: true`, else 404. The live link is replaced by a fresh one with the same end; nothing else changes until it is opened. 5 an hour per account (429).',
    params: securityEventParams,
    response: { 202: securityUndoLinkResponse },
  });
  api.post('/api/v1/security-log/:id/undo-link', postSecurityLogUndoLink, async (request, reply) => {
    const accountId = authOf(request).account.id;
    await deps.rateLimits.enforce('undo-link-account', accountId);
    const sent = await deps.securityUndo.sendEventLink(accountId, request.params.id);
    return reply.code(202).send(sent);
  });

  const getSecurityUndo = openRoute({
    summary: 'What a "Das war ich nicht" link would undo, without using it',
    description: 'The event’s type and time, so the page can name it before its button is pressed. A dead or forged link: 410 link-expired.',
    querystring: securityUndoPreviewQuery,
    response: { 200: securityUndoPreview },
  });
  api.get('/api/v1/security/undo', getSecurityUndo, async (request) => {
    const preview = await deps.securityUndo.preview(request.query.token);
    if (!preview) throw new LifelineError('link-expired');
    return preview;
  });

  // The link's token is the proof (it reached an address of the account); no session.
  const postSecurityUndo = csrfFreeRoute({
    summary: '"Das war ich nicht": secure the account from a notice’s one-time link',
    description:
      'Puts back what the event changed where it can, cancels pending changes, signs out every session, kills the undo links of later events and blocks sign-in until the password is set anew through "Passwort vergessen?". A used, expired or forged link: 410 link-expired, nothing changed.',
    body: securityUndoRequest,
    response: { 200: securityUndoResponse },
  });
  api.post('/api/v1/security/undo', postSecurityUndo, async (request) => deps.securityUndo.undo(request.body.token, clientInfo(request)));
}
