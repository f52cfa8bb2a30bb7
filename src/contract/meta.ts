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
  })
  .describe('Service information');

export type MetaResponse = z.infer<typeof metaResponse>;
