import { z } from 'zod';

/** GET /api/v1/meta: what a client needs to know before it shows anything. */
export const metaResponse = z
  .object({
    name: z.string().describe('The product name shown to users (APP_NAME)'),
    version: z.string(),
    locales: z.array(z.enum(['de', 'en'])).describe('Supported languages, the default first'),
    defaultLocale: z.enum(['de', 'en']),
    recoveryPhone: z
      .object({
        available: z.boolean().describe('false when no SMS provider is configured: the phone row is hidden and its routes answer 404'),
        defaultCountry: z.string().describe('SMS_DEFAULT_COUNTRY'),
        allowedCountries: z.array(z.string()).describe('SMS_ALLOWED_COUNTRIES'),
      })
      .describe('What the recovery phone dialog offers'),
    branding: z
      .object({
        logoUrl: z.string().nullable().describe('BRAND_LOGO_URL as an absolute URL: shown instead of the name, with the name as its alt text'),
        accentColor: z.string().nullable().describe('BRAND_ACCENT_COLOR (#rrggbb); the pages take it from /static/brand.css'),
        supportUrl: z.string().nullable().describe('BRAND_SUPPORT_URL (https:// or mailto:)'),
        privacyUrl: z.string().nullable().describe('BRAND_PRIVACY_URL'),
        termsUrl: z.string().nullable().describe('BRAND_TERMS_URL'),
        imprintUrl: z.string().nullable().describe('BRAND_IMPRINT_URL'),
      })
      .describe(
        'The host’s branding (docs/integration.md "Branding"): null where not configured. Every URL was checked at start: http(s) (https in production) or, for support, mailto:',
      ),
    returnLinks: z
      .array(
        z.object({
          name: z.string().describe('"Zurück zu <name>": the entry’s name, else its host name'),
          origin: z.string().describe('scheme://host[:port]'),
          path: z.string().describe('The path prefix, without a trailing slash ("/" for the whole origin)'),
        }),
      )
      .describe('ALLOWED_RETURN_ORIGINS: where `return_to` of Lifeline’s pages may lead (docs/integration.md "Return links"); not secret'),
  })
  .describe('Service information');

export type MetaResponse = z.infer<typeof metaResponse>;
