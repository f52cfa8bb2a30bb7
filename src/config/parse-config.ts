import { createRequire } from 'node:module';
import path from 'node:path';
import { parseReturnLinks } from '../contract/return-links.js';
import { parseSessionCheckOrigins, parseSessionCookieDomain } from './cross-site-settings.js';
import { createKeyRing, type KeyRing } from '../core/keyring.js';
import { parseBranding } from './branding-settings.js';
import { ConfigError } from './config-error.js';
import type { Config, DatabaseConfig } from './config.js';
import { describeIssues, environmentSchema, type Environment, type ParsedEnvironment } from './environment-schema.js';
import { isKnownTimeZone } from './setting-parsers.js';
import { parseSecretKeys } from './secret-key-settings.js';
import { parseSms } from './sms-settings.js';
import { productionSmtpProblems } from './smtp-settings.js';

// The environment's variables and their schema are in environment-schema.ts; the settings that
// depend on others are judged in the *-settings.ts files beside it, each pushing its problems.
export { defaultDataDir, type Environment } from './environment-schema.js';
export { DEFAULT_SMS_COUNTRIES } from './sms-settings.js';

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
  const { current, previous } = parseSecretKeys(env, isProduction, options.fallbackSecretKey, problems);
  if (!result.success) throw new ConfigError(problems);

  const e: ParsedEnvironment = result.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const publicOrigin = new URL(publicUrl).origin;
  const secure = publicUrl.startsWith('https:');

  if (isProduction) {
    if (e.METRICS_TOKEN === undefined) problems.push('METRICS_TOKEN: is required in production (at least 16 random characters)');
    if (e.PUBLIC_URL === undefined) problems.push('PUBLIC_URL: is required in production (the https:// address users reach Lifeline at)');
    else if (!secure) problems.push('PUBLIC_URL: must be https:// in production (links in emails carry one-time secrets)');
    if (e.SMTP_URL === undefined) problems.push('SMTP_URL: is required in production (without it no email can be delivered)');
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
      // The development mailbox holds what a dev channel delivers: email without SMTP_URL and
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
