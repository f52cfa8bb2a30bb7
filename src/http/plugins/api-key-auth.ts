import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyCaller, ApiKeyService } from '../../api-keys/api-key-service.js';
import { LifelineError } from '../../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The host application of an `Authorization: Bearer` API key, on routes that ask for one. */
    apiKey: ApiKeyCaller | null;
  }
  interface FastifyContextConfig {
    /** `required`: 401 without a live API key (issue 9's host API). */
    apiKey?: 'required';
  }
}

/** The API key's caller of a route with `config.apiKey`; set by the hook below. */
export function apiKeyOf(request: FastifyRequest): ApiKeyCaller {
  if (!request.apiKey) throw new LifelineError('authentication-required');
  return request.apiKey;
}

/**
 * `Authorization: Bearer llk_…` for the host API. A missing, malformed, unknown or revoked key
 * answers 401 alike (and is logged as a control hit). No cookies are read on these routes, so
 * no CSRF token is needed: a browser cannot attach the header cross-site.
 */
export function registerApiKeyAuth(app: FastifyInstance, deps: { apiKeys: ApiKeyService }): void {
  app.decorateRequest('apiKey', null);
  // onRequest: before the body is parsed or validated, so a request without a key learns nothing (401, not 400).
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.apiKey !== 'required') return;
    const header = request.headers.authorization;
    const presented = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const caller = await deps.apiKeys.authenticate(presented);
    if (!caller) {
      request.log.warn({ event: 'security.control_triggered', control: 'api-key', presented: presented !== undefined }, 'API key missing or wrong');
      throw new LifelineError('authentication-required');
    }
    request.apiKey = caller;
  });
}
