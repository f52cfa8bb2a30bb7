import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyCaller, ApiKeyScope, ApiKeyService } from '../../api-keys/api-key-service.js';
import { LifelineError } from '../../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The host application of an `Authorization: Bearer` API key, on routes that ask for one. */
    apiKey: ApiKeyCaller | null;
  }
  interface FastifyContextConfig {
    /**
     * The route is the host API: 401 without a live API key, 403 `insufficient-scope` for a key
     * without `scope` (docs/api.md "API keys and scopes").
     */
    apiKey?: { readonly scope: ApiKeyScope };
  }
}

/** The API key's caller of a route with `config.apiKey`; set by the hook below. */
export function apiKeyOf(request: FastifyRequest): ApiKeyCaller {
  if (!request.apiKey) throw new LifelineError('authentication-required');
  return request.apiKey;
}

/**
 * `Authorization: Bearer llk_…` for the host API. A missing, malformed, unknown or revoked key
 * answers 401 alike (and is logged as a control hit); a live key without the route's scope
 * answers 403 `insufficient-scope` (logged too). No cookies are read on these routes, so no
 * CSRF token is needed: a browser cannot attach the header cross-site.
 */
export function registerApiKeyAuth(app: FastifyInstance, deps: { apiKeys: ApiKeyService }): void {
  app.decorateRequest('apiKey', null);
  // onRequest: before the body is parsed or validated, so a request without a key learns nothing (401, not 400).
  app.addHook('onRequest', async (request) => {
    const required = request.routeOptions.config.apiKey;
    if (required === undefined) return;
    const header = request.headers.authorization;
    const presented = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const caller = await deps.apiKeys.authenticate(presented);
    if (!caller) {
      request.log.warn({ event: 'security.control_triggered', control: 'api-key', presented: presented !== undefined }, 'API key missing or wrong');
      throw new LifelineError('authentication-required');
    }
    if (!caller.scopes.includes(required.scope)) {
      request.log.warn(
        { event: 'security.control_triggered', control: 'api-key-scope', apiKey: caller.name, scope: required.scope },
        'API key lacks the route’s scope',
      );
      throw new LifelineError('insufficient-scope');
    }
    request.apiKey = caller;
  });
}
