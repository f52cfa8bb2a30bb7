import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * OpenAPI 3.1 of every `/api/v1/*` route, generated from the routes' zod schemas; served at
 * `/openapi.json`. Must be registered before any route (docs/reference/pitfalls.md). Routes outside the API
 * (health, metrics, pages, the development mailbox) are left out: they are documented in
 * docs/operations.md.
 */
export async function registerOpenApi(app: FastifyInstance, options: { version: string; publicUrl: string; appName: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${options.appName} API`,
        version: options.version,
        description:
          'The JSON API of Lifeline, the self-hosted account service with account recovery. Errors are RFC 9457 problems (application/problem+json) with a stable `code`.',
      },
      servers: [{ url: options.publicUrl }],
    },
    transform: (input) => {
      if (!input.url.startsWith('/api/v1/')) return { schema: { ...input.schema, hide: true }, url: input.url };
      return jsonSchemaTransform(input);
    },
    transformObject: jsonSchemaTransformObject,
  });
}
