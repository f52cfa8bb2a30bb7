import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../core/metrics.js';
import { LifelineError } from '../../core/errors.js';
import { constantTimeEqual } from '../../core/hashing.js';
import type { Readiness } from '../../db/readiness.js';

export interface HealthRoutesDeps {
  readonly checkReadiness: () => Promise<Readiness>;
  readonly metrics: Metrics;
  readonly metricsToken: string | undefined;
}

/**
 * Liveness, readiness and metrics (docs/reference/contracts.md "Contracts"): outside the rate limits and
 * the API's guards, for load balancers and Prometheus.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthRoutesDeps): void {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const readiness = await deps.checkReadiness();
    const ready = readiness.database === 'up' && readiness.migrations === 'current';
    reply.header('cache-control', 'no-store').code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', ...readiness };
  });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (deps.metricsToken !== undefined) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
      if (!constantTimeEqual(given, deps.metricsToken)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new LifelineError('authentication-required');
      }
    }
    reply.header('cache-control', 'no-store').type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
