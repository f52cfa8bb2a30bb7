import type { FastifyInstance, HTTPMethods } from 'fastify';
import { LifelineError } from '../../core/errors.js';

const answerable: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Fastify answers a known path with an unknown method 404 (docs/reference/pitfalls.md); clients deserve 405
 * with `Allow` (docs/reference/security-requirements.md 2.9: a GET to a mutating route is 405). `collectRoutes` records
 * every route as it is added; `registerMethodNotAllowed`, registered after all routes, adds
 * a 405 route for each method a path does not have.
 */
export function createMethodNotAllowed() {
  const methodsByPath = new Map<string, Set<string>>();

  return {
    collectRoutes(app: FastifyInstance): void {
      app.addHook('onRoute', (route) => {
        if (route.config && (route.config as { methodNotAllowed?: boolean }).methodNotAllowed) return;
        // Wildcards match anything; /dev/ answers non-local clients 404 for every method, so a
        // 405 there would tell them the development mailbox exists.
        if (route.url.includes('*') || route.url.startsWith('/dev/')) return;
        const methods = methodsByPath.get(route.url) ?? new Set<string>();
        for (const method of [route.method].flat()) methods.add(method);
        methodsByPath.set(route.url, methods);
      });
    },

    async registerMethodNotAllowed(app: FastifyInstance): Promise<void> {
      for (const [url, methods] of methodsByPath) {
        const allowed = [...methods].filter((m) => m !== 'HEAD' || !methods.has('GET'));
        const missing = answerable.filter((method) => !methods.has(method));
        if (missing.length === 0) continue;
        const allowHeader = [...new Set([...allowed, ...(methods.has('GET') ? ['HEAD'] : [])])].sort().join(', ');
        app.route({
          method: missing,
          url,
          config: { methodNotAllowed: true },
          schema: { hide: true },
          handler: async (request, reply) => {
            reply.header('allow', allowHeader);
            throw new LifelineError('method-not-allowed', { method: request.method, allowed: allowHeader });
          },
        });
      }
    },
  };
}
