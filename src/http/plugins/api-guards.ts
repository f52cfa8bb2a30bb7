import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LifelineError } from '../../core/errors.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { clientBucketKey } from '../../security/client-address.js';

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a request is for the API, decided on the path the router sees: the matched route's
 * pattern, or for an unmatched request the percent-decoded path. Testing the raw URL would let
 * `/%61pi/v1/…` (which the router decodes to `/api/v1/…`) walk past every guard.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  const path = request.routeOptions.url ?? decodedPath(request.url);
  return path === '/api' || path.startsWith('/api/');
}

function decodedPath(url: string): string {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw).replace(/\/{2,}/g, '/');
  } catch {
    return raw.replace(/\/{2,}/g, '/');
  }
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * The checks every `/api` request passes before its route runs, in the order docs/reference/pitfalls.md
 * gives: the per-client rate limit; then, for state-changing requests, a cross-site origin
 * → 403, a body that is not JSON → 415; the CSRF token follows with sessions. Browsers
 * always send Origin or Sec-Fetch-Site with a cross-site POST, so a forged form or fetch from
 * another site is refused before anything is parsed (docs/reference/security-requirements.md 2.9). Clients without
 * either header (curl, a host application's server) are not browsers and cannot be forged.
 */
export function registerApiGuards(app: FastifyInstance, deps: { rateLimits: RateLimits; publicOrigin: string }): void {
  app.addHook('onRequest', async (request) => {
    if (!isApiRequest(request)) return;
    await deps.rateLimits.enforce('api-client', clientBucketKey(request.ip));
    if (!stateChanging.has(request.method)) return;

    const origin = request.headers.origin;
    const fetchSite = request.headers['sec-fetch-site'];
    const crossSiteOrigin = origin !== undefined && origin !== deps.publicOrigin;
    const crossSiteFetch = fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
    if (crossSiteOrigin || (origin === undefined && crossSiteFetch)) {
      request.log.warn({ event: 'security.control_triggered', control: 'origin-check', origin, fetchSite }, 'cross-site request refused');
      throw new LifelineError('cross-origin-request');
    }
    // API routes take JSON only: this also keeps the form encodings of cross-site HTML forms out.
    if (hasBody(request) && !isJson(request.headers['content-type'])) {
      throw new LifelineError('unsupported-media-type');
    }
  });

  // Answers of the API carry account and recovery data: never cached (docs/reference/security-requirements.md 8.6).
  app.addHook('onSend', async (request, reply) => {
    if (isApiRequest(request) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
}
