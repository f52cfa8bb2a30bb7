import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { BrandingConfig } from '../../config/config.js';
import { metaResponse } from '../../contract/meta.js';
import type { ReturnLink } from '../../contract/return-links.js';
import type { Locale } from '../../i18n/translator.js';
import { routeSchemas } from './route-schemas.js';

const { openRoute } = routeSchemas('service');

/** GET /api/v1/meta: product name, version and languages, for the UI and integrators. */
export interface MetaRoutesDeps {
  readonly appName: string;
  readonly version: string;
  readonly defaultLocale: Locale;
  readonly recoveryPhone: { readonly available: boolean; readonly defaultCountry: string; readonly allowedCountries: readonly string[] };
  /** Logo, accent colour and footer links for the UI (docs/operations.md "Branding"). */
  readonly branding?: BrandingConfig;
  /** ALLOWED_RETURN_ORIGINS: the UI judges `return_to` against them (contract/return-links.ts). */
  readonly returnLinks: readonly ReturnLink[];
}

export function registerMetaRoutes(app: FastifyInstance, deps: MetaRoutesDeps): void {
  const locales: Locale[] = deps.defaultLocale === 'de' ? ['de', 'en'] : ['en', 'de'];
  const getMeta = openRoute({
    summary: 'Service information',
    response: { 200: metaResponse },
  });
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/meta', getMeta, async () => ({
    name: deps.appName,
    version: deps.version,
    locales,
    defaultLocale: deps.defaultLocale,
    recoveryPhone: { ...deps.recoveryPhone, allowedCountries: [...deps.recoveryPhone.allowedCountries] },
    branding: {
      logoUrl: deps.branding?.logoUrl ?? null,
      accentColor: deps.branding?.accent?.color ?? null,
      supportUrl: deps.branding?.links.support ?? null,
      privacyUrl: deps.branding?.links.privacy ?? null,
      termsUrl: deps.branding?.links.terms ?? null,
      imprintUrl: deps.branding?.links.imprint ?? null,
    },
    returnLinks: deps.returnLinks.map((link) => ({ ...link })),
  }));
}
