import type { AccentPalette } from '../core/accent-colour.js';
import type { KeyRing } from '../core/keyring.js';
import type { ReturnLink } from '../contract/return-links.js';

export type Locale = 'de' | 'en';
export const supportedLocales: readonly Locale[] = ['de', 'en'];

/** Where SMS go: none hides the recovery phone. */
export type SmsProviderConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'dev' }
  | { readonly kind: 'twilio'; readonly accountSid: string; readonly authToken: string; readonly from: string; readonly baseUrl: string }
  | { readonly kind: 'webhook'; readonly url: string; readonly secret: string };

export interface SmsConfig {
  readonly provider: SmsProviderConfig;
  /** The country a number without +/00 belongs to, and the dialog's preselection. */
  readonly defaultCountry: string;
  /** ISO 3166-1 alpha-2 codes a recovery phone may belong to. */
  readonly allowedCountries: readonly string[];
  /** Hourly caps on sends of setup codes, the defence against SMS pumping (docs/security.md). */
  readonly caps: {
    readonly accountPerHour: number;
    readonly numberPerHour: number;
    /** Per number prefix: all but the last 3 digits (pumpers walk through number ranges). */
    readonly prefixPerHour: number;
    readonly countryPerHour: number;
    readonly clientPerHour: number;
    /** All sends to numbers nobody has confirmed yet, across accounts. */
    readonly setupBudgetPerHour: number;
    /** All sends to confirmed numbers (recovery, verification, notices): a budget of its own. */
    readonly confirmedBudgetPerHour: number;
  };
}

/**
 * Branding (docs/operations.md "Branding"). Every URL was checked at start (http(s) only, https
 * in production, mailto: for support; never javascript: or data:); pages and mails still escape
 * each value where they write it.
 */
export interface BrandingConfig {
  /** BRAND_LOGO_URL as an absolute URL (a path was resolved on PUBLIC_URL). */
  readonly logoUrl: string | undefined;
  /** BRAND_ACCENT_COLOR and the colours derived from it for buttons and links. */
  readonly accent: AccentPalette | undefined;
  /** The footer's links, each shown only when set: BRAND_SUPPORT_URL (http(s) or mailto:), BRAND_PRIVACY_URL, BRAND_TERMS_URL, BRAND_IMPRINT_URL. */
  readonly links: {
    readonly support: string | undefined;
    readonly privacy: string | undefined;
    readonly terms: string | undefined;
    readonly imprint: string | undefined;
  };
}

export type DatabaseConfig =
  { readonly dialect: 'sqlite'; readonly path: string; readonly url: string } | { readonly dialect: 'postgres'; readonly url: string };

/**
 * Lifeline's whole configuration, parsed once from the environment at start and frozen.
 * Every variable is listed with its default and meaning in `.env.example`.
 */
export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly version: string;
  /** The product name in mails and pages (the host SaaS's name, or "Lifeline"). */
  readonly appName: string;
  /** The host's logo, accent colour and footer links on every page and in every mail (docs/operations.md "Branding"). */
  readonly branding: BrandingConfig;
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Origin + optional path, without trailing slash; every link in a message starts with it. */
    readonly publicUrl: string;
    readonly publicOrigin: string;
    /** PUBLIC_URL is https: Secure cookies, `__Host-` prefix, HSTS, upgrade-insecure-requests. */
    readonly secure: boolean;
    /** Addresses or ranges of trusted reverse proxies; false: client IPs come from the socket. */
    readonly trustProxy: readonly string[] | false;
    readonly bodyLimitBytes: number;
    /**
     * SESSION_COOKIE_DOMAIN: the session cookie's `Domain` (then `__Secure-` instead of `__Host-`,
     * which forbids a Domain); undefined: host-only. PUBLIC_URL's host is it or below it
     * (docs/operations.md "Session cookie domain and CORS").
     */
    readonly sessionCookieDomain: string | undefined;
    /** CORS_ORIGINS: origins whose pages may read GET /api/v1/session with the browser's cookie (docs/integration.md "CORS and cookie domain"). */
    readonly sessionCheckOrigins: readonly string[];
  };
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly keys: KeyRing;
  readonly mail: {
    readonly smtpUrl: string | undefined;
    readonly from: string;
    /** TEMPLATES_DIR: per-locale overrides of the mail texts (`de.json`, `en.json`), checked at start. */
    readonly templatesDir: string | undefined;
  };
  readonly delivery: {
    /** True only in the embedded default: messages go to the development mailbox. */
    readonly devMailbox: boolean;
    readonly runWorkerInProcess: boolean;
    readonly pollIntervalMs: number;
    readonly maxAttempts: number;
    readonly leaseMs: number;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
  };
  /** Deliveries to host applications (back-channel logout): may they reach private networks? */
  readonly outbound: { readonly allowPrivateNetworks: boolean };
  /** The OpenID Connect provider's token lifetimes (docs/oidc.md). */
  readonly oidc: { readonly refreshTokenMs: number; readonly accessTokenMs: number };
  readonly metrics: { readonly token: string | undefined };
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  readonly argon2: { readonly memoryKib: number; readonly iterations: number; readonly parallelism: number; readonly concurrency: number };
  readonly rateLimits: {
    readonly store: 'memory' | 'postgres';
    /** Requests per minute and client (IP, IPv6 by /64) on `/api`. */
    readonly apiPerMinute: number;
  };
  readonly verification: {
    /** Wrong guesses a single code or link survives. */
    readonly maxAttempts: number;
    /** Wrong guesses per (account, purpose) within an hour, across all its secrets. */
    readonly maxFailuresPerHour: number;
  };
  /** The security log ("Sicherheitsaktivität"): rows older than this many days are deleted (SECURITY_LOG_DAYS, at least the 90 the profile shows). */
  readonly securityLog: { readonly retentionDays: number };
  /** GEOIP_DB: a MaxMind-format (GeoLite2 City or Country) file; without it no place is shown, never a guess. */
  readonly geoIp: { readonly databasePath: string | undefined };
  /** Forgot password ("Passwort vergessen?"). */
  readonly passwordReset: PasswordResetConfig;
  readonly actionVerification: ActionVerificationConfig;
  /**
   * ALLOWED_RETURN_ORIGINS: where Lifeline's pages (`return_to`) and a verification's `returnTo`
   * may send a browser back to, each an origin with an optional path prefix and the name the
   * pages show (docs/integration.md "Return links").
   */
  readonly returnLinks: readonly ReturnLink[];
  /**
   * The 72-hour hold (docs/security.md "The owner wins"): a device stays new this long after
   * the account first saw it (HOLD_NEW_DEVICE_DAYS, default 7); recovery changes from a new
   * device's sessions are held.
   */
  readonly hold: { readonly newDeviceMs: number };
  readonly sms: SmsConfig;
  readonly i18n: { readonly defaultLocale: Locale; /** For accounts whose browser sent no time zone. */ readonly defaultTimeZone: string };
  readonly sessions: {
    /** A session unused this long ends (docs/reference/security-requirements.md 2.3; default 7 days). */
    readonly idleMs: number;
    /** A session ends this long after sign-in, however used (default 30 days). */
    readonly absoluteMs: number;
    /** How long a password entry opens the privileged window (default 10 minutes). */
    readonly privilegedMs: number;
  };
}

/** Verification of sensitive actions and the host API. */
export interface ActionVerificationConfig {
  /**
   * VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS: how long a channel must have been confirmed before it
   * counts for a host's actions (default 7; a channel confirmed from the account's first device
   * counts at once). Lower values let a channel an intruder just added verify (docs/security.md).
   */
  readonly hostMinChannelAgeMs: number;
}

export interface PasswordResetConfig {
  /** Tell an address Lifeline knows in no state that someone asked for a reset (NOTIFY_UNKNOWN_RECIPIENTS, default off). */
  readonly notifyUnknownRecipients: boolean;
  /**
   * Requests per identifier, client and hour that send anything; beyond, the answer stays the
   * same and nothing is sent. Per client, so that a stranger's requests never spend the owner's.
   */
  readonly perIdentifierPerHour: number;
  /** Requests per identifier and hour from all clients together (stops mail bombing from many addresses); the account's known browsers pass. */
  readonly perIdentifierTotalPerHour: number;
  /** Likewise per account (all its identifiers together) and client. */
  readonly perAccountPerHour: number;
  /** Requests per client (IP, IPv6 /64) and hour; beyond, 429. */
  readonly perClientPerHour: number;
}
