import type { FastifyInstance } from 'fastify';
import { clientBucketKey } from '../../security/client-address.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { CSP_REPORT_PATH } from '../plugins/security-headers.js';

const reportTypes = ['application/csp-report', 'application/reports+json'];

/**
 * Where browsers report Content-Security-Policy violations (SECURITY.md 8.3). Outside `/api`,
 * because browsers post `application/csp-report`. Each report becomes one log line
 * (`security.csp_violation`, trimmed); the client's rate limit applies.
 */
export function registerCspReportRoutes(app: FastifyInstance, deps: { rateLimits: RateLimits }): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(reportTypes, { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(String(body)) as unknown);
      } catch {
        done(null, undefined);
      }
    });
    scope.post(CSP_REPORT_PATH, { schema: { hide: true } }, async (request, reply) => {
      await deps.rateLimits.enforce('api-client', clientBucketKey(request.ip));
      request.log.warn({ event: 'security.csp_violation', report: JSON.stringify(request.body ?? null).slice(0, 2000) }, 'CSP violation reported');
      return reply.code(204).send();
    });
  });
}
