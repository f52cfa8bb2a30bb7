import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LifelineError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { Database } from '../db/database.js';
import type { PasswordResetConfig, SmsConfig } from '../config/config.js';

/** One named bucket: `points` per `durationSeconds`, optionally blocked for a while after. */
export interface BucketPolicy {
  readonly points: number;
  readonly durationSeconds: number;
  readonly blockSeconds?: number;
}

export interface RateLimitsConfig {
  readonly rateLimits: { readonly store: 'memory' | 'postgres'; readonly apiPerMinute: number };
  readonly sms: { readonly caps: SmsConfig['caps'] };
  readonly passwordReset: Pick<PasswordResetConfig, 'perIdentifierPerHour' | 'perAccountPerHour' | 'perClientPerHour'>;
}

/** The buckets and their sizes, in one table (documented in docs/security.md). */
export function bucketPolicies(config: RateLimitsConfig) {
  const sms = config.sms.caps;
  return {
    /** Every `/api` request, per client (IPv4 address or IPv6 /64). */
    'api-client': { points: config.rateLimits.apiPerMinute, durationSeconds: 60 },
    /** Sign-ups (and "send the link again") per client: 429, since it says nothing about an account. */
    'signup-client': { points: 20, durationSeconds: 3600 },
    /**
     * Confirmation mails per address and hour, so nobody can flood a mailbox by signing up with
     * it. Neutral: over the limit the answer stays the same, only no mail goes out (logged).
     */
    'signup-address': { points: 5, durationSeconds: 3600 },
    /**
     * Login-e-mail changes (PRODUCT.md §8: sending is limited per account and per address).
     * Per account and hour: 429, since it is the requester's own account.
     */
    'email-change-account': { points: 10, durationSeconds: 3600 },
    /** Mails (link or "someone tried" notice) per new address and hour; neutral like signup-address. */
    'email-change-address': { points: 5, durationSeconds: 3600 },
    /**
     * Recovery-e-mail confirmation mails: 5 an hour per account, per recipient and per client
     * (issue 5; 429, since it is the owner's own account). Caps are per purpose.
     */
    'recovery-email-account': { points: 5, durationSeconds: 3600 },
    'recovery-email-address': { points: 5, durationSeconds: 3600 },
    'recovery-email-client': { points: 5, durationSeconds: 3600 },
    /**
     * SMS to numbers nobody has confirmed yet (recovery phone setup): the defence against SMS
     * pumping (issue 6; sizes from SMS_CAP_* and SMS_SETUP_BUDGET_PER_HOUR). Per account,
     * number, number prefix, country and client, then one global budget.
     */
    'sms-setup-account': { points: sms.accountPerHour, durationSeconds: 3600 },
    'sms-setup-number': { points: sms.numberPerHour, durationSeconds: 3600 },
    'sms-setup-prefix': { points: sms.prefixPerHour, durationSeconds: 3600 },
    'sms-setup-country': { points: sms.countryPerHour, durationSeconds: 3600 },
    'sms-setup-client': { points: sms.clientPerHour, durationSeconds: 3600 },
    'sms-setup-global': { points: sms.setupBudgetPerHour, durationSeconds: 3600 },
    /**
     * "Passwort vergessen?" (issue 7): per client 429 (it says nothing about an account); per
     * identifier (the normalised value, known or not) and per account neutral: the answer stays
     * the same, nothing is sent, the refusal is logged.
     */
    'reset-client': { points: config.passwordReset.perClientPerHour, durationSeconds: 3600 },
    'reset-identifier': { points: config.passwordReset.perIdentifierPerHour, durationSeconds: 3600 },
    'reset-account': { points: config.passwordReset.perAccountPerHour, durationSeconds: 3600 },
    /** "Someone asked for a reset, but there is no account" (NOTIFY_UNKNOWN_RECIPIENTS): one a day per address. */
    'reset-unknown-notice': { points: 1, durationSeconds: 86_400 },
    /**
     * "Änderung abbrechen" of a held change from the profile (issue 9), per account: each sends
     * notices, and removing again holds (and mails) again, so an intruder could loop the two
     * into a flood that buries the real notices (429: the account's own session asks).
     */
    'held-cancel-account': { points: 5, durationSeconds: 3600 },
    /** "Das war ich nicht" links sent afresh from the profile's list, per account (429: the owner's own account). */
    'undo-link-account': { points: 5, durationSeconds: 3600 },
    /**
     * Verification of sensitive actions (issue 9): starts per API key, per session and per
     * account; codes sent per account and per channel target (besides one a minute per target).
     * All 429: the caller is the host or the account's owner.
     */
    'verification-start-key': { points: 1000, durationSeconds: 3600 },
    'verification-start-session': { points: 20, durationSeconds: 3600 },
    'verification-start-account': { points: 30, durationSeconds: 3600 },
    'verification-send-account': { points: 10, durationSeconds: 3600 },
    'verification-send-channel': { points: 5, durationSeconds: 3600 },
    /** SMS to confirmed numbers (recovery codes, verification, notices): a budget of its own. */
    'sms-confirmed-global': { points: sms.confirmedBudgetPerHour, durationSeconds: 3600 },
  } satisfies Record<string, BucketPolicy>;
}

export type BucketName = keyof ReturnType<typeof bucketPolicies>;

export type LimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Rate limits with rate-limiter-flexible: in memory for the embedded default (one process),
 * in PostgreSQL when several instances share the work. A refusal is counted in /metrics and
 * logged as `security.control_triggered` (SECURITY.md 6.9). A store that fails is not a
 * refusal: it answers 503 (PITFALLS.md), since letting everything through would disarm the
 * limits and refusing with 429 would blame the client.
 */
/**
 * Makes rate-limiter-flexible limiters in the configured store: memory for one process,
 * PostgreSQL (our `rate_limit_buckets` table) when several instances share the work.
 */
export function createLimiterFactory(deps: { config: RateLimitsConfig; database: Database }) {
  return (name: string, policy: BucketPolicy): RateLimiterAbstract => {
    const options = { keyPrefix: name, points: policy.points, duration: policy.durationSeconds, blockDuration: policy.blockSeconds ?? 0 };
    return deps.config.rateLimits.store === 'postgres' && deps.database.pgPool
      ? new RateLimiterPostgres({
          ...options,
          storeClient: deps.database.pgPool,
          storeType: 'pool',
          tableName: 'rate_limit_buckets',
          tableCreated: true,
          clearExpiredByTimeout: false,
        })
      : new RateLimiterMemory(options);
  };
}

export type LimiterFactory = ReturnType<typeof createLimiterFactory>;

export function createRateLimits(deps: { config: RateLimitsConfig; database: Database; metrics: Metrics; logger: Logger }) {
  const policies = bucketPolicies(deps.config);
  const makeLimiter = createLimiterFactory(deps);
  const limiters = new Map<BucketName, RateLimiterAbstract>();
  for (const [name, policy] of Object.entries(policies) as [BucketName, BucketPolicy][]) limiters.set(name, makeLimiter(name, policy));

  function limiter(bucket: BucketName): RateLimiterAbstract {
    const found = limiters.get(bucket);
    if (!found) throw new Error(`unknown rate-limit bucket ${bucket}`);
    return found;
  }

  /**
   * Takes `points` from the bucket for `key`. Answers whether that was allowed instead of
   * throwing, for callers whose answer must stay neutral (PRODUCT.md §8).
   */
  async function consume(bucket: BucketName, key: string, points = 1): Promise<LimitDecision> {
      try {
        await limiter(bucket).consume(key, points);
        return { allowed: true };
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
          deps.metrics.rateLimitRefusals.inc({ bucket });
          deps.logger.warn({ event: 'security.control_triggered', control: 'rate-limit', bucket, retryAfterSeconds }, 'rate limit refused a request');
          return { allowed: false, retryAfterSeconds };
        }
        deps.logger.error({ event: 'rate_limit.store_failed', bucket, err: (error as Error).message }, 'rate-limit store failed');
        throw new LifelineError('service-unavailable', {}, { retryAfterSeconds: 5, cause: error });
      }
  }

  /**
   * Whether `points` could be taken from the bucket for `key` now, without taking them: callers
   * that must pass several buckets check them all first, so that a refusal by one does not use
   * up the others (a pumper refused per client must not drain a country's cap).
   */
  async function peek(bucket: BucketName, key: string, points = 1): Promise<LimitDecision> {
    try {
      const state = await limiter(bucket).get(key);
      if (state === null || state.consumedPoints + points <= policies[bucket].points) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) };
    } catch (error) {
      deps.logger.error({ event: 'rate_limit.store_failed', bucket, err: (error as Error).message }, 'rate-limit store failed');
      throw new LifelineError('service-unavailable', {}, { retryAfterSeconds: 5, cause: error });
    }
  }

  return {
    policies,
    consume,
    peek,

    /** Like {@link consume}, but a refusal throws `rate-limited` (429 with Retry-After). */
    async enforce(bucket: BucketName, key: string, points = 1): Promise<void> {
      const decision = await consume(bucket, key, points);
      if (!decision.allowed) {
        throw new LifelineError('rate-limited', { retryAfter: decision.retryAfterSeconds }, { retryAfterSeconds: decision.retryAfterSeconds });
      }
    },

    /** Gives points back (e.g. after a successful sign-in: PITFALLS.md "consume, then refund"). */
    async refund(bucket: BucketName, key: string, points = 1): Promise<void> {
      await limiter(bucket).reward(key, points).catch(() => undefined);
    },

    /** Housekeeping (PostgreSQL store): drops buckets that expired more than an hour ago. */
    async prune(nowMs: number): Promise<void> {
      if (deps.config.rateLimits.store !== 'postgres' || !deps.database.pgPool) return;
      await deps.database.db.deleteFrom('rate_limit_buckets').where('expire', '<', nowMs - 3_600_000).execute();
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
