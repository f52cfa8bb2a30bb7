import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { problemResponses } from '../../contract/problem.js';
import { securityLogQuery, securityLogResponse } from '../../contract/security-log.js';
import type { Database } from '../../db/database.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import { authOf } from './session-routes.js';

/** Profile → "Sicherheitsaktivität" (issue 8): the account's security log, newest first. */
export function registerSecurityLogRoutes(app: FastifyInstance, deps: { securityLog: SecurityLog; database: Database }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/security-log',
    {
      config: { session: 'required' },
      schema: {
        tags: ['security-log'],
        summary: 'The account’s security log: the last 90 days, newest first, 20 a page',
        querystring: securityLogQuery,
        response: { 200: securityLogResponse, ...problemResponses },
      },
    },
    async (request) => deps.securityLog.page(deps.database.db, authOf(request).account.id, request.query.cursor),
  );
}
