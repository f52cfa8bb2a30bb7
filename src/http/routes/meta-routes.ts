import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { metaResponse } from '../../contract/meta.js';
import { problemResponses } from '../../contract/problem.js';
import type { Locale } from '../../i18n/translator.js';

/** GET /api/v1/meta: product name, version and languages, for the UI and integrators. */
export interface MetaRoutesDeps {
  readonly appName: string;
  readonly version: string;
  readonly defaultLocale: Locale;
  readonly recoveryPhone: { readonly available: boolean; readonly defaultCountry: string; readonly allowedCountries: readonly string[] };
}

export function registerMetaRoutes(app: FastifyInstance, deps: MetaRoutesDeps): void {
  const locales: Locale[] = deps.defaultLocale === 'de' ? ['de', 'en'] : ['en', 'de'];
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/meta',
    { schema: { tags: ['service'], summary: 'Service information', response: { 200: metaResponse, ...problemResponses } } },
    async () => ({
      name: deps.appName,
      version: deps.version,
      locales,
      defaultLocale: deps.defaultLocale,
      recoveryPhone: { ...deps.recoveryPhone, allowedCountries: [...deps.recoveryPhone.allowedCountries] },
    }),
  );
}
