import type { FastifyInstance } from 'fastify';
import { clientBucketKey } from '../../security/client-address.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { CSP_REPORT_PATH } from '../plugins/security-headers.js';

const reportTypes = ['application/csp-report', 'application/reports+json'];

/** A URL as it may be logged: origin and path only. Token links carry their secret in the query. */
function withoutQuery(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return value.split(/[?#]/)[0]?.slice(0, 200);
  }
}

/**
 * The fields of a report worth keeping, from either format (CSP level 2 `csp-report`, or the
 * Reporting API's list of `{type, body}`): never the whole report, whose `document-uri` and
 * `referrer` would put a page's `?token=` into the log.
 */
export function summariseCspReport(body: unknown): Record<string, string | undefined>[] {
  const reports = Array.isArray(body) ? body.map((entry: { body?: unknown }) => entry?.body) : [(body as { 'csp-report'?: unknown })?.['csp-report']];
  return reports.slice(0, 10).map((raw) => {
    const report = (raw ?? {}) as Record<string, unknown>;
    const field = (...names: string[]): string | undefined => names.map((name) => report[name]).find((value): value is string => typeof value === 'string');
    return {
      directive: field('effective-directive', 'effectiveDirective', 'violated-directive')?.slice(0, 100),
      blocked: withoutQuery(field('blocked-uri', 'blockedURL')) ?? field('blocked-uri', 'blockedURL')?.slice(0, 20),
      document: withoutQuery(field('document-uri', 'documentURL')),
    };
  });
}

/**
 * Where browsers report Content-Security-Policy violations (docs/reference/security-requirements.md 8.3). Outside `/api`,
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
      request.log.warn({ event: 'security.csp_violation', reports: summariseCspReport(request.body) }, 'CSP violation reported');
      return reply.code(204).send();
    });
  });
}
