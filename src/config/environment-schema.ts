import { availableParallelism } from 'node:os';
import path from 'node:path';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { booleanSetting, intSetting, isMailbox, isProxyEntry, optionalString } from './setting-parsers.js';

/**
 * DATA_DIR when not set: `data/` in the Lifeline installation (the folder with package.json),
 * not in whatever directory a command happens to run from, so that `npx lifeline …` in a
 * subfolder finds the server's database and key instead of creating new ones.
 */
export const defaultDataDir: string = fileURLToPath(new URL('../../data', import.meta.url));

/** The raw environment, as `process.env` gives it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Every environment variable Lifeline reads. Unknown values of known variables stop the
 * start; unrelated variables of the process environment are ignored.
 */
export const environmentSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
    .optional()
    .transform((v) => v ?? 'development'),
  HOST: optionalString
    .pipe(
      z
        .string()
        .refine(
          (v) => isIP(v) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v),
          {
            error: 'must be an IP address or a host name (0.0.0.0 for every interface)',
          },
        )
        .optional(),
    )
    .transform((v) => v ?? 'localhost'),
  PORT: intSetting(1, 65535, 3000),
  PUBLIC_URL: optionalString.pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
      .refine((u) => !/[?#]/.test(u), { error: 'must not contain a query or fragment' })
      .optional(),
  ),
  DATA_DIR: optionalString.transform((v) => path.resolve(v ?? defaultDataDir)),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .refine((v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), {
        error: 'must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE',
      })
      .optional(),
  ),
  SECRET_KEY: optionalString,
  PREVIOUS_SECRET_KEYS: optionalString,
  SMTP_URL: optionalString.pipe(
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587' }).optional(),
  ),
  MAIL_FROM: optionalString
    .pipe(
      z
        .string()
        .refine((v) => !/[\r\n]/.test(v) && isMailbox(v), { error: 'must be an address, optionally with a name: Name <address@example.com>' })
        .optional(),
    )
    .transform((v) => v ?? 'Lifeline <no-reply@localhost>'),
  APP_NAME: optionalString
    .pipe(
      z
        .string()
        .max(60, { error: 'must be at most 60 characters' })
        // It heads every mail subject: a line break there would end the header.
        // eslint-disable-next-line no-control-regex
        .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: 'must not contain line breaks or control characters' })
        .optional(),
    )
    .transform((v) => v ?? 'Lifeline'),
  // Branding (docs/operations.md "Branding"), judged in parseConfig (branding-settings.ts): the URLs depend on NODE_ENV and PUBLIC_URL.
  BRAND_LOGO_URL: optionalString,
  BRAND_ACCENT_COLOR: optionalString,
  BRAND_SUPPORT_URL: optionalString,
  BRAND_PRIVACY_URL: optionalString,
  BRAND_TERMS_URL: optionalString,
  BRAND_IMPRINT_URL: optionalString,
  TEMPLATES_DIR: optionalString.transform((v) => (v === undefined ? undefined : path.resolve(v))),
  TRUST_PROXY: optionalString.pipe(
    z
      .string()
      .refine((v) => v.split(',').every((e) => isProxyEntry(e.trim())), {
        error: 'must be a comma-separated list of IP addresses, CIDR ranges or loopback/linklocal/uniquelocal',
      })
      .optional(),
  ),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, { error: 'must be at least 16 characters' }).optional()),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .transform((v) => v ?? 'info'),
  DEFAULT_TIME_ZONE: optionalString.transform((v) => v ?? 'Europe/Berlin'),
  DEFAULT_LOCALE: z
    .enum(['de', 'en'], { error: 'must be de or en' })
    .optional()
    .transform((v) => v ?? 'de'),
  // OWASP's minimum for argon2id is m=19 MiB, t=2, p=1 (docs/reference/security-requirements.md 1.1): lower values are refused.
  ARGON2_MEMORY_KIB: intSetting(19456, 4 * 1024 * 1024, 19456),
  ARGON2_ITERATIONS: intSetting(2, 100, 2),
  ARGON2_PARALLELISM: intSetting(1, 16, 1),
  ARGON2_CONCURRENCY: intSetting(1, 256, Math.max(1, availableParallelism() - 1)),
  RUN_WORKER: booleanSetting(true),
  OUTBOX_POLL_INTERVAL_MS: intSetting(50, 60_000, 1000),
  OUTBOX_MAX_ATTEMPTS: intSetting(1, 100, 8),
  OUTBOX_LEASE_SECONDS: intSetting(5, 3600, 60),
  OUTBOX_RETRY_BASE_SECONDS: intSetting(1, 3600, 10),
  OUTBOX_RETRY_MAX_SECONDS: intSetting(1, 86_400, 3600),
  RATE_LIMIT_STORE: z.enum(['memory', 'postgres'], { error: 'must be memory or postgres' }).optional(),
  RATE_LIMIT_API_PER_MINUTE: intSetting(1, 1_000_000, 300),
  VERIFICATION_MAX_ATTEMPTS: intSetting(1, 10, 5),
  NOTIFY_UNKNOWN_RECIPIENTS: booleanSetting(false),
  SECURITY_LOG_DAYS: intSetting(90, 3650, 365),
  GEOIP_DB: optionalString.transform((v) => (v === undefined ? undefined : path.resolve(v))),
  PASSWORD_RESET_PER_IDENTIFIER_PER_HOUR: intSetting(1, 1_000_000, 5),
  PASSWORD_RESET_PER_IDENTIFIER_TOTAL_PER_HOUR: intSetting(1, 1_000_000, 20),
  PASSWORD_RESET_PER_ACCOUNT_PER_HOUR: intSetting(1, 1_000_000, 5),
  PASSWORD_RESET_PER_CLIENT_PER_HOUR: intSetting(1, 1_000_000, 20),
  SESSION_IDLE_DAYS: intSetting(1, 365, 7),
  SESSION_ABSOLUTE_DAYS: intSetting(1, 365, 30),
  PRIVILEGED_WINDOW_MINUTES: intSetting(1, 60, 10),
  VERIFICATION_MAX_FAILURES_PER_HOUR: intSetting(1, 100, 10),
  // Judged in parseConfig (return-links.ts, cross-site-settings.ts): they depend on NODE_ENV and PUBLIC_URL.
  ALLOWED_RETURN_ORIGINS: optionalString,
  CORS_ORIGINS: optionalString,
  SESSION_COOKIE_DOMAIN: optionalString,
  VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS: intSetting(0, 365, 7),
  HOLD_NEW_DEVICE_DAYS: intSetting(1, 90, 7),
  WEBHOOK_ALLOW_PRIVATE: booleanSetting(false),
  OIDC_REFRESH_TOKEN_DAYS: intSetting(1, 365, 30),
  OIDC_ACCESS_TOKEN_MINUTES: intSetting(1, 60, 10),
  SMS_PROVIDER: z.enum(['dev', 'twilio', 'webhook', 'none'], { error: 'must be dev, twilio, webhook or none' }).optional(),
  SMS_DEFAULT_COUNTRY: optionalString
    .pipe(
      z
        .string()
        .regex(/^[A-Za-z]{2}$/, { error: 'must be a two-letter country code such as DE' })
        .optional(),
    )
    .transform((v) => (v ?? 'DE').toUpperCase()),
  SMS_ALLOWED_COUNTRIES: optionalString.pipe(
    z
      .string()
      .regex(/^\s*[A-Za-z]{2}\s*(,\s*[A-Za-z]{2}\s*)*$/, { error: 'must be a comma-separated list of two-letter country codes, e.g. DE,AT,CH' })
      .optional(),
  ),
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM: optionalString,
  TWILIO_BASE_URL: optionalString
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional())
    .transform((v) => (v ?? 'https://api.twilio.com').replace(/\/+$/, '')),
  SMS_WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional()),
  SMS_WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, { error: 'must be at least 16 characters' }).optional()),
  // Caps against SMS pumping (docs/security.md): sends of setup codes per hour.
  SMS_CAP_ACCOUNT_PER_HOUR: intSetting(1, 1000, 5),
  SMS_CAP_NUMBER_PER_HOUR: intSetting(1, 1000, 5),
  SMS_CAP_PREFIX_PER_HOUR: intSetting(1, 10_000, 10),
  SMS_CAP_COUNTRY_PER_HOUR: intSetting(1, 1_000_000, 200),
  SMS_CAP_CLIENT_PER_HOUR: intSetting(1, 10_000, 10),
  SMS_SETUP_BUDGET_PER_HOUR: intSetting(1, 1_000_000, 500),
  SMS_CONFIRMED_BUDGET_PER_HOUR: intSetting(1, 1_000_000, 2000),
});

export type ParsedEnvironment = z.output<typeof environmentSchema>;

/** Variables whose values must never appear in an error message. */
const secretVariables = new Set(['SECRET_KEY', 'PREVIOUS_SECRET_KEYS', 'METRICS_TOKEN', 'SMTP_URL', 'DATABASE_URL', 'TWILIO_AUTH_TOKEN', 'SMS_WEBHOOK_SECRET']);

export function describeIssues(error: z.ZodError, env: Environment): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const raw = env[name];
    const shown = raw === undefined || secretVariables.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
    return `${name}: ${issue.message}${shown}`;
  });
}
