import type { FastifyInstance } from 'fastify';

/** The one route CORS is for: the session check (docs/integration.md "CORS and cookie domain"). */
export const SESSION_CHECK_PATH = '/api/v1/session';

/** How long a browser may reuse a preflight's answer (seconds); Chromium caps it at 7200. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for `GET /api/v1/session` and its preflight, nothing else (docs/integration.md "CORS and
 * cookie domain"): a page of an origin in CORS_ORIGINS (an app on a sibling host name, same
 * site) may read who is signed in, with the browser's cookie. The origin is echoed only when it
 * is on the list, never reflected otherwise (docs/reference/security-requirements.md 8.5); another origin, `null` and
 * requests without Origin get no CORS header at all, so the browser keeps the answer from the
 * page. `Vary: Origin` on every answer of the route, so that no cache hands one origin's answer
 * to another. Without CORS_ORIGINS nothing is registered: OPTIONS stays 405 and no answer names
 * an origin.
 *
 * The headers are set when the request arrives (before the rate limit and the session lookup),
 * so a 401 or 429 is readable by the page too; every state-changing route still refuses a
 * foreign Origin (api-guards.ts), so the `csrfToken` in the answer is of no use to such a page.
 */
export function registerSessionCors(app: FastifyInstance, deps: { origins: readonly string[] }): void {
  if (deps.origins.length === 0) return;
  const allowed = new Set(deps.origins);
  const allowedOrigin = (origin: string | undefined): string | undefined => (origin !== undefined && allowed.has(origin) ? origin : undefined);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== SESSION_CHECK_PATH || (request.method !== 'GET' && request.method !== 'OPTIONS')) return;
    reply.header('vary', 'Origin');
    const origin = allowedOrigin(request.headers.origin);
    if (origin === undefined) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
  });

  // The preflight: only GET, and no request header beyond the CORS-safelisted ones (a page needs
  // none to ask `fetch(url, {credentials: 'include'})`). Without Origin it is a plain OPTIONS.
  app.options(SESSION_CHECK_PATH, { schema: { hide: true } }, async (request, reply) => {
    reply.header('allow', 'GET, HEAD, OPTIONS');
    if (allowedOrigin(request.headers.origin) !== undefined && request.headers['access-control-request-method'] !== undefined) {
      reply.header('access-control-allow-methods', 'GET');
      reply.header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
    }
    return reply.code(204).send();
  });
}
