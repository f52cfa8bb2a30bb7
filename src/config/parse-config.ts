import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { normaliseEmail } from '../contract/email-address.js';
import { parseReturnLinks } from '../contract/return-links.js';
import { parseSessionCheckOrigins, parseSessionCookieDomain } from './cross-site-settings.js';
import { createKeyRing, deriveKeyId, MIN_KEY_BYTES, type KeyRing, type SecretKey } from '../core/keyring.js';
import { parseBranding } from './branding-settings.js';
import { ConfigError } from './config-error.js';
import type { Config, DatabaseConfig, SmsConfig, SmsProviderConfig } from './config.js';
import { isSupportedCountry } from 'libphonenumber-js/max';

/**
 * DATA_DIR when not set: `data/` in the Lifeline installation (the folder with package.json),
 * not in whatever directory a command happens to run from, so that `npx lifeline …` in a
 * subfolder finds the server's database and key instead of creating new ones.
 */
export const defaultDataDir: string = fileURLToPath(new URL('../../data', import.meta.url));

/** The raw environment, as `process.env` gives it. */
export type Environment = Readonly<Record<string, string | undefined>>;

const intSetting = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .optional()
    .transform((v) => v ?? fallback);

const booleanSetting = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

function isKnownTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value);
  } catch {
    return false;
  }
}

/** `address@example.com` or `Display Name <address@example.com>` (localhost allowed for development). */
function isMailbox(value: string): boolean {
  const address = /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value;
  return /@localhost$/i.test(address.trim()) || normaliseEmail(address) !== undefined;
}

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyEntry(entry: string): boolean {
  if (proxyNames.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Every environment variable Lifeline reads. Unknown values of known variables stop the
 * start; unrelated variables of the process environment are ignored.
 */
const environmentSchema = z.object({
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

type ParsedEnvironment = z.output<typeof environmentSchema>;

/** Variables whose values must never appear in an error message. */
const secretVariables = new Set(['SECRET_KEY', 'PREVIOUS_SECRET_KEYS', 'METRICS_TOKEN', 'SMTP_URL', 'DATABASE_URL', 'TWILIO_AUTH_TOKEN', 'SMS_WEBHOOK_SECRET']);

function describeIssues(error: z.ZodError, env: Environment): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const raw = env[name];
    const shown = raw === undefined || secretVariables.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
    return `${name}: ${issue.message}${shown}`;
  });
}

/** Parses a key given as `base64` or `id:base64`. */
function parseKey(name: string, entry: string, problems: string[]): SecretKey | undefined {
  const colon = entry.indexOf(':');
  const id = colon === -1 ? undefined : entry.slice(0, colon).trim();
  const encoded = (colon === -1 ? entry : entry.slice(colon + 1)).trim();
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
    problems.push(`${name}: a key id may only contain letters, digits, _ and - (at most 32)`);
    return undefined;
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
    problems.push(`${name}: must be base64 (generate one with: openssl rand -base64 32)`);
    return undefined;
  }
  const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  if (key.length < MIN_KEY_BYTES) {
    problems.push(`${name}: must be at least ${MIN_KEY_BYTES} random bytes, base64-encoded (generate one with: openssl rand -base64 32)`);
    return undefined;
  }
  return { id: id ?? deriveKeyId(key), key };
}

function parseDatabase(value: string | undefined, dataDir: string): DatabaseConfig {
  const url = value ?? `sqlite:${path.join(dataDir, 'lifeline.db')}`;
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', path: url.slice('sqlite:'.length), url };
  return { dialect: 'postgres', url };
}

function readVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)('../../package.json') as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** DE, AT, CH and the member states of the EU: where the recovery phone may be, by default. */
export const DEFAULT_SMS_COUNTRIES = [
  'DE',
  'AT',
  'CH',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

/**
 * The SMS provider and its settings. Unset, it is `dev` (the development mailbox) in the
 * embedded default and `none` otherwise: production without a provider hides the phone.
 */
function parseSms(e: ParsedEnvironment, isProduction: boolean, problems: string[]): SmsConfig {
  const kind = e.SMS_PROVIDER ?? (!isProduction && e.SMTP_URL === undefined ? 'dev' : 'none');
  let provider: SmsProviderConfig = { kind: 'none' };
  if (kind === 'dev') {
    if (isProduction) problems.push('SMS_PROVIDER: dev is the development mailbox and never allowed in production (use twilio or webhook, or none)');
    provider = { kind: 'dev' };
  } else if (kind === 'twilio') {
    for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const)
      if (e[name] === undefined) problems.push(`${name}: is required with SMS_PROVIDER=twilio`);
    if (isProduction && !e.TWILIO_BASE_URL.startsWith('https:')) problems.push('TWILIO_BASE_URL: must be https:// in production');
    provider = {
      kind: 'twilio',
      accountSid: e.TWILIO_ACCOUNT_SID ?? '',
      authToken: e.TWILIO_AUTH_TOKEN ?? '',
      from: e.TWILIO_FROM ?? '',
      baseUrl: e.TWILIO_BASE_URL,
    };
  } else if (kind === 'webhook') {
    if (e.SMS_WEBHOOK_URL === undefined) problems.push('SMS_WEBHOOK_URL: is required with SMS_PROVIDER=webhook');
    if (isProduction && e.SMS_WEBHOOK_URL !== undefined && !e.SMS_WEBHOOK_URL.startsWith('https:'))
      problems.push('SMS_WEBHOOK_URL: must be https:// in production (the body carries the code)');
    if (e.SMS_WEBHOOK_SECRET === undefined) problems.push('SMS_WEBHOOK_SECRET: is required with SMS_PROVIDER=webhook (at least 16 random characters)');
    provider = { kind: 'webhook', url: e.SMS_WEBHOOK_URL ?? '', secret: e.SMS_WEBHOOK_SECRET ?? '' };
  }
  const allowedCountries = e.SMS_ALLOWED_COUNTRIES
    ? [...new Set(e.SMS_ALLOWED_COUNTRIES.split(',').map((c) => c.trim().toUpperCase()))]
    : [...DEFAULT_SMS_COUNTRIES];
  const unknown = allowedCountries.filter((c) => !isSupportedCountry(c));
  if (unknown.length > 0) problems.push(`SMS_ALLOWED_COUNTRIES: unknown country codes ${unknown.join(', ')}`);
  if (!allowedCountries.includes(e.SMS_DEFAULT_COUNTRY))
    problems.push(`SMS_DEFAULT_COUNTRY: must be one of SMS_ALLOWED_COUNTRIES (got ${JSON.stringify(e.SMS_DEFAULT_COUNTRY)})`);
  return {
    provider,
    defaultCountry: e.SMS_DEFAULT_COUNTRY,
    allowedCountries,
    caps: {
      accountPerHour: e.SMS_CAP_ACCOUNT_PER_HOUR,
      numberPerHour: e.SMS_CAP_NUMBER_PER_HOUR,
      prefixPerHour: e.SMS_CAP_PREFIX_PER_HOUR,
      countryPerHour: e.SMS_CAP_COUNTRY_PER_HOUR,
      clientPerHour: e.SMS_CAP_CLIENT_PER_HOUR,
      setupBudgetPerHour: e.SMS_SETUP_BUDGET_PER_HOUR,
      confirmedBudgetPerHour: e.SMS_CONFIRMED_BUDGET_PER_HOUR,
    },
  };
}

/**
 * SMTP_URL in production must encrypt the connection, since mails carry codes and links:
 * `smtps://` (TLS from the first byte) or `smtp://…?requireTLS=true` (STARTTLS, and nodemailer
 * stops rather than send in plain text when the server does not offer it). nodemailer reads
 * the URL's query parameters as options (`true`/`false` become booleans; a parameter cannot
 * override the scheme's `secure`): `ignoreTLS` would skip STARTTLS and is refused, and so is
 * `service`, whose preset may replace the scheme's TLS settings. The password is never echoed
 * (docs/operations.md "E-mail delivery").
 */
function productionSmtpProblems(value: string): string[] {
  const url = new URL(value);
  const query = url.searchParams;
  const problems: string[] = [];
  const only = (name: string) => (query.getAll(name).length === 1 ? query.get(name) : undefined);
  if (query.has('ignoreTLS') && only('ignoreTLS') !== 'false') {
    problems.push('SMTP_URL: ignoreTLS is not allowed in production (mails carry codes and links; use smtps:// or smtp://…?requireTLS=true)');
  }
  if (query.has('service'))
    problems.push('SMTP_URL: the service parameter is not allowed in production (give host and port, with smtps:// or ?requireTLS=true)');
  if (url.protocol === 'smtp:' && only('requireTLS') !== 'true') {
    problems.push('SMTP_URL: must use TLS in production: smtps://… (implicit TLS, port 465) or smtp://…?requireTLS=true (STARTTLS required, port 587)');
  }
  return problems;
}

export interface ParseConfigOptions {
  /**
   * The key to use when `SECRET_KEY` is not set outside production: the embedded default
   * generates one into DATA_DIR (see `loadConfig`); tests pass their own.
   */
  readonly fallbackSecretKey?: Buffer;
}

/**
 * Parses the environment into the frozen {@link Config}, or throws a {@link ConfigError}
 * that names every wrong variable. Pure: reads no files (see `loadConfig` for the key file).
 */
export function parseConfig(rawEnv: Environment, options: ParseConfigOptions = {}): Config {
  // An empty variable (`PUBLIC_URL=` copied from .env.example) means "use the default".
  const env: Environment = Object.fromEntries(Object.entries(rawEnv).map(([name, value]) => [name, value?.trim() === '' ? undefined : value]));
  const result = environmentSchema.safeParse(env);
  // Keys are checked even when other variables are wrong, so one run reports every problem.
  const problems: string[] = result.success ? [] : describeIssues(result.error, env);
  const isProduction = (env.NODE_ENV ?? 'development') === 'production';
  const secretKey = env.SECRET_KEY?.trim();

  let current: SecretKey | undefined;
  if (secretKey !== undefined) current = parseKey('SECRET_KEY', secretKey, problems);
  else if (isProduction) problems.push('SECRET_KEY: is required in production (generate one with: openssl rand -base64 32)');
  else if (options.fallbackSecretKey) current = { id: deriveKeyId(options.fallbackSecretKey), key: options.fallbackSecretKey };
  else problems.push('SECRET_KEY: is not set and no key file was loaded');

  const previous: SecretKey[] = [];
  for (const entry of (env.PREVIOUS_SECRET_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const key = parseKey('PREVIOUS_SECRET_KEYS', entry, problems);
    if (key) previous.push(key);
  }
  if (current && previous.some((p) => p.id === current.id)) {
    problems.push('PREVIOUS_SECRET_KEYS: contains a key with the same id as SECRET_KEY');
  }
  if (!result.success) throw new ConfigError(problems);

  const e: ParsedEnvironment = result.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const publicOrigin = new URL(publicUrl).origin;
  const secure = publicUrl.startsWith('https:');

  if (isProduction) {
    if (e.METRICS_TOKEN === undefined) problems.push('METRICS_TOKEN: is required in production (at least 16 random characters)');
    if (e.PUBLIC_URL === undefined) problems.push('PUBLIC_URL: is required in production (the https:// address users reach Lifeline at)');
    else if (!secure) problems.push('PUBLIC_URL: must be https:// in production (links in e-mails carry one-time secrets)');
    if (e.SMTP_URL === undefined) problems.push('SMTP_URL: is required in production (without it no e-mail can be delivered)');
    else problems.push(...productionSmtpProblems(e.SMTP_URL));
  }
  if (!isKnownTimeZone(e.DEFAULT_TIME_ZONE))
    problems.push(`DEFAULT_TIME_ZONE: must be an IANA time zone such as Europe/Berlin (got ${JSON.stringify(e.DEFAULT_TIME_ZONE)})`);
  if (e.SESSION_ABSOLUTE_DAYS < e.SESSION_IDLE_DAYS) {
    problems.push('SESSION_ABSOLUTE_DAYS: must not be smaller than SESSION_IDLE_DAYS');
  }
  if (e.OUTBOX_RETRY_MAX_SECONDS < e.OUTBOX_RETRY_BASE_SECONDS) {
    problems.push('OUTBOX_RETRY_MAX_SECONDS: must not be smaller than OUTBOX_RETRY_BASE_SECONDS');
  }

  const sms = parseSms(e, isProduction, problems);
  const returnLinks = parseReturnLinks(e.ALLOWED_RETURN_ORIGINS, { isProduction });
  problems.push(...returnLinks.problems.map((problem) => `ALLOWED_RETURN_ORIGINS: ${problem}`));
  const sessionCheckOrigins = parseSessionCheckOrigins(e.CORS_ORIGINS, isProduction, problems);
  const sessionCookieDomain = parseSessionCookieDomain(e.SESSION_COOKIE_DOMAIN, publicUrl, problems);
  const branding = parseBranding(e, { publicUrl, isProduction }, problems);

  const database = parseDatabase(e.DATABASE_URL, e.DATA_DIR);
  const rateLimitStore = e.RATE_LIMIT_STORE ?? (database.dialect === 'postgres' ? 'postgres' : 'memory');
  if (rateLimitStore === 'postgres' && database.dialect !== 'postgres') {
    problems.push('RATE_LIMIT_STORE: postgres needs a postgres:// DATABASE_URL');
  }

  if (problems.length > 0 || !current) throw new ConfigError(problems);
  const keys: KeyRing = createKeyRing(current, previous);

  const config: Config = {
    env: e.NODE_ENV,
    isProduction,
    version: readVersion(),
    appName: e.APP_NAME,
    branding,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl,
      publicOrigin,
      secure,
      trustProxy: e.TRUST_PROXY ? e.TRUST_PROXY.split(',').map((s) => s.trim()) : false,
      bodyLimitBytes: 16 * 1024,
      sessionCookieDomain,
      sessionCheckOrigins,
    },
    dataDir: e.DATA_DIR,
    database,
    keys,
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, templatesDir: e.TEMPLATES_DIR },
    delivery: {
      // The development mailbox holds what a dev channel delivers: e-mail without SMTP_URL and
      // SMS with SMS_PROVIDER=dev, never in production.
      devMailbox: !isProduction && (e.SMTP_URL === undefined || sms.provider.kind === 'dev'),
      runWorkerInProcess: e.RUN_WORKER,
      pollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      leaseMs: e.OUTBOX_LEASE_SECONDS * 1000,
      retryBaseMs: e.OUTBOX_RETRY_BASE_SECONDS * 1000,
      retryMaxMs: e.OUTBOX_RETRY_MAX_SECONDS * 1000,
    },
    metrics: { token: e.METRICS_TOKEN },
    log: { level: e.LOG_LEVEL },
    argon2: { memoryKib: e.ARGON2_MEMORY_KIB, iterations: e.ARGON2_ITERATIONS, parallelism: e.ARGON2_PARALLELISM, concurrency: e.ARGON2_CONCURRENCY },
    rateLimits: { store: rateLimitStore, apiPerMinute: e.RATE_LIMIT_API_PER_MINUTE },
    verification: { maxAttempts: e.VERIFICATION_MAX_ATTEMPTS, maxFailuresPerHour: e.VERIFICATION_MAX_FAILURES_PER_HOUR },
    securityLog: { retentionDays: e.SECURITY_LOG_DAYS },
    geoIp: { databasePath: e.GEOIP_DB },
    returnLinks: returnLinks.links,
    actionVerification: {
      hostMinChannelAgeMs: e.VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS * 86_400_000,
    },
    passwordReset: {
      notifyUnknownRecipients: e.NOTIFY_UNKNOWN_RECIPIENTS,
      perIdentifierPerHour: e.PASSWORD_RESET_PER_IDENTIFIER_PER_HOUR,
      perIdentifierTotalPerHour: e.PASSWORD_RESET_PER_IDENTIFIER_TOTAL_PER_HOUR,
      perAccountPerHour: e.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR,
      perClientPerHour: e.PASSWORD_RESET_PER_CLIENT_PER_HOUR,
    },
    hold: { newDeviceMs: e.HOLD_NEW_DEVICE_DAYS * 86_400_000 },
    // Back-channel logout (and later webhooks) may reach loopback and private networks outside
    // production; in production only with WEBHOOK_ALLOW_PRIVATE=true (docs/oidc.md).
    outbound: { allowPrivateNetworks: !isProduction || e.WEBHOOK_ALLOW_PRIVATE },
    oidc: { refreshTokenMs: e.OIDC_REFRESH_TOKEN_DAYS * 86_400_000, accessTokenMs: e.OIDC_ACCESS_TOKEN_MINUTES * 60_000 },
    sms,
    i18n: { defaultLocale: e.DEFAULT_LOCALE, defaultTimeZone: e.DEFAULT_TIME_ZONE },
    sessions: {
      idleMs: e.SESSION_IDLE_DAYS * 86_400_000,
      absoluteMs: e.SESSION_ABSOLUTE_DAYS * 86_400_000,
      privilegedMs: e.PRIVILEGED_WINDOW_MINUTES * 60_000,
    },
  };
  return deepFreeze(config);
}
