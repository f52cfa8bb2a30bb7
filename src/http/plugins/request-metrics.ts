import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../core/metrics.js';

/**
 * Observes every request's duration by route pattern (not by URL: unknown paths are one
 * "unmatched" series, so scanning for URLs cannot blow up the metric's cardinality).
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
