import type { FastifyContextConfig } from 'fastify';
import type { ApiKeyScope } from '../../api-keys/api-key-service.js';
import { problemResponses } from '../../contract/problem.js';

/**
 * What a JSON route of the API declares besides its handler: its OpenAPI text and the zod
 * schemas of its input and of its answers. Every route answers problems too (4XX and 5XX,
 * `application/problem+json`), which are added here.
 */
export interface RouteSchemas {
  readonly summary: string;
  readonly description?: string;
  readonly params?: unknown;
  readonly querystring?: unknown;
  readonly body?: unknown;
  /** The answers other than problems, by status. */
  readonly response: Readonly<Record<number, unknown>>;
}

/** Fastify's route options of a declaration: how the route is guarded, and its schema with the area's tag. */
export interface RouteOptions<S extends RouteSchemas> {
  readonly config?: FastifyContextConfig;
  readonly schema: { readonly tags: string[] } & Omit<S, 'response'> & { readonly response: S['response'] & typeof problemResponses };
}

function declare<const S extends RouteSchemas>(tag: string, config: FastifyContextConfig | undefined, schemas: S): RouteOptions<S> {
  const { response, ...rest } = schemas;
  // The key order of the schema is the OpenAPI document's: the tag, the declaration's own keys, the answers.
  const schema = { tags: [tag], ...rest, response: { ...response, ...problemResponses } };
  return config === undefined ? { schema } : { config, schema };
}

/**
 * The route declarations of one area of the API (its OpenAPI tag), one for each way a route is
 * guarded; the plugins act on the `config` they set (docs/architecture.md "Accounts and
 * sessions", docs/api.md "API keys and scopes"). A route file names each declaration and hands it
 * to Fastify with the handler: `api.post(url, declaration, handler)`.
 */
export function routeSchemas(tag: string) {
  return {
    /** The signed-in owner's route: 401 without a live session; a state change needs the session's CSRF token. */
    sessionRoute: <const S extends RouteSchemas>(schemas: S) => declare(tag, { session: 'required' }, schemas),
    /** Looks the session up when there is a cookie (the route answers signed in or not). */
    optionalSessionRoute: <const S extends RouteSchemas>(schemas: S) => declare(tag, { session: 'optional' }, schemas),
    /** Acts on a one-time secret or a password alone, so no CSRF token is needed. */
    csrfFreeRoute: <const S extends RouteSchemas>(schemas: S) => declare(tag, { csrf: false }, schemas),
    /** Needs nothing (what a page reads before it acts, e.g. a link's preview). */
    openRoute: <const S extends RouteSchemas>(schemas: S) => declare(tag, undefined, schemas),
    /** The host API: 401 without a live API key, 403 `insufficient-scope` without `scope`. */
    hostRoute: <const S extends RouteSchemas>(scope: ApiKeyScope, schemas: S) => declare(tag, { apiKey: { scope } }, schemas),
  };
}
