import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../../core/metrics.js';

export interface ForwardedForCheckDeps {
  readonly metrics: Metrics;
  /** TRUST_PROXY: the proxies whose X-Forwarded-For Fastify follows; false: none. */
  readonly trustProxy: readonly string[] | false;
  /** The warning goes to the log in production only; the count is kept in every mode. */
  readonly isProduction: boolean;
}

/**
 * Whether Fastify took the client address from X-Forwarded-For, i.e. the socket peer is one of
 * TRUST_PROXY. With a trusted peer `request.ips` holds the peer and at least one forwarded
 * address; with an untrusted one, the peer alone.
 */
function peerIsTrusted(request: FastifyRequest, trustProxy: readonly string[] | false): boolean {
  return trustProxy !== false && (request.ips?.length ?? 0) > 1;
}

/**
 * A request that carries X-Forwarded-For from a peer Lifeline does not trust: the header is
 * ignored (rightly: anyone can send it), but when the peer is the operator's own reverse proxy,
 * every client has the proxy's address and the per-client limits become one limit for everyone
 * (100 wrong passwords an hour from anywhere would stop every sign-in). Each such request is
 * counted in `lifeline_untrusted_forwarded_for_total`; in production the first one after the
 * start is logged as a warning (`security.untrusted_forwarded_for`, naming the peer), once,
 * so that a misconfiguration shows without flooding the log (docs/operations.md).
 */
export function registerForwardedForCheck(app: FastifyInstance, deps: ForwardedForCheckDeps): void {
  let warned = false;
  app.addHook('onRequest', async (request) => {
    const header = request.headers['x-forwarded-for'];
    if (header === undefined || String(header).trim() === '') return;
    if (peerIsTrusted(request, deps.trustProxy)) return;
    deps.metrics.untrustedForwardedFor.inc();
    if (!deps.isProduction || warned) return;
    warned = true;
    request.log.warn(
      {
        event: 'security.untrusted_forwarded_for',
        peer: request.socket.remoteAddress ?? null,
        trustProxy: deps.trustProxy === false ? null : deps.trustProxy.join(','),
      },
      'X-Forwarded-For from a peer not in TRUST_PROXY was ignored: if this peer is your reverse proxy or load balancer, set TRUST_PROXY to its address, or every client shares its rate limits (logged once)',
    );
  });
}
