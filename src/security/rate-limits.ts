import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LifelineError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { PasswordResetConfig, SmsConfig } from '../config/config.js';
import { comparableEmail } from '../contract/email-address.js';
import { clientBucketKey, clientSlash48Key } from './client-address.js';
import type { BucketPolicy, RateLimitStore } from './rate-limit-store.js';

export type { BucketPolicy, LimiterFactory } from './rate-limit-store.js';

export interface RateLimitsConfig {
  readonly rateLimits: { readonly store: 'memory' | 'postgres'; readonly apiPerMinute: number };
  readonly sms: { readonly caps: SmsConfig['caps'] };
  readonly passwordReset: Pick<PasswordResetConfig, 'perIdentifierPerHour' | 'perIdentifierTotalPerHour' | 'perAccountPerHour' | 'perClientPerHour'>;
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
     * Login-email changes (docs/reference/product.md §8: sending is limited per account and per address).
     * Per account and hour: 429, since it is the requester's own account.
     */
    'email-change-account': { points: 10, durationSeconds: 3600 },
    /** Mails (link or "someone tried" notice) per new address and hour; neutral like signup-address. */
    'email-change-address': { points: 5, durationSeconds: 3600 },
    /**
     * Recovery-email confirmation mails: 5 an hour per account, per recipient and per client
     * (429, since it is the owner's own account). Caps are per purpose.
     */
    'recovery-email-account': { points: 5, durationSeconds: 3600 },
    'recovery-email-address': { points: 5, durationSeconds: 3600 },
    'recovery-email-client': { points: 5, durationSeconds: 3600 },
    /**
     * SMS to numbers nobody has confirmed yet (recovery phone setup): the defence against SMS
     * pumping (sizes from SMS_CAP_* and SMS_SETUP_BUDGET_PER_HOUR). Per account,
     * number, number prefix, country and client, then one global budget.
     */
    'sms-setup-account': { points: sms.accountPerHour, durationSeconds: 3600 },
    'sms-setup-number': { points: sms.numberPerHour, durationSeconds: 3600 },
    'sms-setup-prefix': { points: sms.prefixPerHour, durationSeconds: 3600 },
    'sms-setup-country': { points: sms.countryPerHour, durationSeconds: 3600 },
    'sms-setup-client': { points: sms.clientPerHour, durationSeconds: 3600 },
    'sms-setup-global': { points: sms.setupBudgetPerHour, durationSeconds: 3600 },
    /**
     * "Passwort vergessen?": per client 429 (it says nothing about an account); per identifier
     * (the normalised value, known or not) and per account neutral: the answer stays the same,
     * nothing is sent, the refusal is logged. Identifier and account are counted per client (a
     * stranger's requests never spend the owner's sends); the identifier also, higher, for all
     * clients together (against mail bombing from many addresses; the account's own known
     * browsers pass that one). No total per account: it would let requests for the login email
     * use up the sends to the owner's other channels.
     */
    'reset-client': { points: config.passwordReset.perClientPerHour, durationSeconds: 3600 },
    'reset-identifier': { points: config.passwordReset.perIdentifierPerHour, durationSeconds: 3600 },
    'reset-identifier-total': { points: config.passwordReset.perIdentifierTotalPerHour, durationSeconds: 3600 },
    'reset-account': { points: config.passwordReset.perAccountPerHour, durationSeconds: 3600 },
    /** "Someone asked for a reset, but there is no account" (NOTIFY_UNKNOWN_RECIPIENTS): one a day per address. */
    'reset-unknown-notice': { points: 1, durationSeconds: 86_400 },
    /**
     * "Änderung abbrechen" of a held change from the profile, per account: each sends
     * notices, and removing again holds (and mails) again, so an intruder could loop the two
     * into a flood that buries the real notices (429: the account's own session asks).
     */
    'held-cancel-account': { points: 5, durationSeconds: 3600 },
    /** "Das war ich nicht" links sent afresh from the profile's list, per account (429: the owner's own account). */
    'undo-link-account': { points: 5, durationSeconds: 3600 },
    /** New sets of recovery codes per account: each mails every address and texts the phone (429: the owner's own account). */
    'recovery-codes-account': { points: 5, durationSeconds: 3600 },
    /**
     * Verification of sensitive actions: starts per API key, per session and per
     * account; codes sent per account and per channel target (besides one a minute per target).
     * All 429: the caller is the host or the account's owner.
     */
    'verification-start-key': { points: 1000, durationSeconds: 3600 },
    'verification-start-session': { points: 20, durationSeconds: 3600 },
    'verification-start-account': { points: 30, durationSeconds: 3600 },
    'verification-send-account': { points: 10, durationSeconds: 3600 },
    'verification-send-channel': { points: 5, durationSeconds: 3600 },
    /**
     * The host's own security events (docs/integration.md "Host events"): per API key, per
     * account, and notices mailed per account (each mails every address of the account, so a
     * buggy or hostile host must not bury the owner's real notices). All 429: the host asks.
     */
    'host-event-key': { points: 1000, durationSeconds: 3600 },
    'host-event-account': { points: 30, durationSeconds: 3600 },
    'host-event-notice-account': { points: 10, durationSeconds: 3600 },
    /** SMS to confirmed numbers (recovery codes, verification, notices): a budget of its own. */
    'sms-confirmed-global': { points: sms.confirmedBudgetPerHour, durationSeconds: 3600 },
  } satisfies Record<string, BucketPolicy>;
}

export type BucketName = keyof ReturnType<typeof bucketPolicies>;

/**
 * The buckets keyed by a client: its IPv4 address or IPv6 /64 (`clientBucketKey`; callers may
 * pass the IP itself). One site usually gets an IPv6 /48, which holds 65,536 /64s, so for an
 * IPv6 client each of these also takes its points from a sibling bucket `<name>@48`, keyed by
 * the /48 and {@link IPV6_SLASH48_FACTOR} times as large; IPv4 clients count as before
 * (docs/security.md "Anti-automation controls").
 */
export const clientBuckets = [
  'api-client',
  'signup-client',
  'recovery-email-client',
  'reset-client',
  'sms-setup-client',
] as const satisfies readonly BucketName[];

/** How much larger a client bucket's /48 sibling is than the bucket of one /64. */
export const IPV6_SLASH48_FACTOR = 16;

/**
 * The buckets keyed by an email address: counted by the address's comparable form
 * (`comparableEmail`: Gmail's dots and `+tags`, other providers' `+tags`), so that spellings of one
 * mailbox share one bucket (docs/security.md "Anti-automation controls").
 */
export const addressBuckets = ['signup-address', 'email-change-address', 'recovery-email-address'] as const satisfies readonly BucketName[];

export type LimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** The rate limits every flow counts in (the buckets of {@link bucketPolicies}). */
export interface RateLimits {
  /** The buckets' sizes, as configured. */
  readonly policies: ReturnType<typeof bucketPolicies>;
  /**
   * Takes `points` from the bucket for `key` and answers whether that was allowed, for callers
   * whose answer must stay neutral (docs/security.md).
   */
  consume(bucket: BucketName, key: string, points?: number): Promise<LimitDecision>;
  /** Whether `points` could be taken now, without taking them (callers that check several buckets first). */
  peek(bucket: BucketName, key: string, points?: number): Promise<LimitDecision>;
  /** Like {@link RateLimits.consume}, but a refusal throws `rate-limited` (429 with Retry-After). */
  enforce(bucket: BucketName, key: string, points?: number): Promise<void>;
  /** Gives points back (e.g. after a successful sign-in: docs/reference/pitfalls.md "consume, then refund"). */
  refund(bucket: BucketName, key: string, points?: number): Promise<void>;
  /** Housekeeping (PostgreSQL store): drops buckets that expired more than an hour ago. */
  prune(nowMs: number): Promise<void>;
}

/**
 * Rate limits with rate-limiter-flexible, in the store services.ts hands in (rate-limit-store.ts:
 * memory for one process, PostgreSQL when several instances share the work). A refusal is counted in /metrics and
 * logged as `security.control_triggered` (docs/reference/security-requirements.md 6.9). A store that fails is not a
 * refusal: it answers 503 (docs/reference/pitfalls.md), since letting everything through would disarm the
 * limits and refusing with 429 would blame the client.
 */
export function createRateLimits(deps: { config: RateLimitsConfig; store: RateLimitStore; metrics: Metrics; logger: Logger }): RateLimits {
  const policies = bucketPolicies(deps.config);
  const { makeLimiter } = deps.store;
  const limiters = new Map<BucketName, RateLimiterAbstract>();
  for (const [name, policy] of Object.entries(policies) as [BucketName, BucketPolicy][]) limiters.set(name, makeLimiter(name, policy));
  /** The /48 siblings of the client buckets (`api-client@48`, …), with their policies. */
  const slash48 = new Map<BucketName, { readonly limiter: RateLimiterAbstract; readonly policy: BucketPolicy }>();
  for (const name of clientBuckets) {
    const policy = { ...policies[name], points: policies[name].points * IPV6_SLASH48_FACTOR };
    slash48.set(name, { limiter: makeLimiter(`${name}@48`, policy), policy });
  }

  function limiter(bucket: BucketName): RateLimiterAbstract {
    const found = limiters.get(bucket);
    if (!found) throw new Error(`unknown rate-limit bucket ${bucket}`);
    return found;
  }

  /** One limiter a request counts in: the bucket itself, or a client bucket's /48 sibling. */
  interface Target {
    readonly label: string;
    readonly limiter: RateLimiterAbstract;
    readonly points: number;
    readonly key: string;
  }

  /**
   * Where a point for `key` in `bucket` is counted: the bucket (a client bucket by the client's
   * key, an address bucket by the comparable address) and, for an IPv6 client, its /48 sibling.
   */
  function targets(bucket: BucketName, key: string): Target[] {
    if ((addressBuckets as readonly BucketName[]).includes(bucket)) {
      return [{ label: bucket, limiter: limiter(bucket), points: policies[bucket].points, key: comparableEmail(key) }];
    }
    const sibling = slash48.get(bucket);
    if (!sibling) return [{ label: bucket, limiter: limiter(bucket), points: policies[bucket].points, key }];
    const clientKey = clientBucketKey(key);
    const own: Target = { label: bucket, limiter: limiter(bucket), points: policies[bucket].points, key: clientKey };
    const wideKey = clientSlash48Key(clientKey);
    return wideKey === undefined ? [own] : [own, { label: `${bucket}@48`, limiter: sibling.limiter, points: sibling.policy.points, key: wideKey }];
  }

  function storeFailed(label: string, error: unknown): never {
    deps.logger.error({ event: 'rate_limit.store_failed', bucket: label, err: (error as Error).message }, 'rate-limit store failed');
    throw new LifelineError('service-unavailable', {}, { retryAfterSeconds: 5, cause: error });
  }

  async function take(target: Target, points: number): Promise<LimitDecision> {
    try {
      await target.limiter.consume(target.key, points);
      return { allowed: true };
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        deps.metrics.rateLimitRefusals.inc({ bucket: target.label });
        deps.logger.warn(
          { event: 'security.control_triggered', control: 'rate-limit', bucket: target.label, retryAfterSeconds },
          'rate limit refused a request',
        );
        return { allowed: false, retryAfterSeconds };
      }
      return storeFailed(target.label, error);
    }
  }

  /**
   * Takes `points` from the bucket for `key`. Answers whether that was allowed instead of
   * throwing, for callers whose answer must stay neutral (docs/security.md). An IPv6 client takes
   * them from its /64 and then from its /48: a refusal by the /64 leaves the /48 alone, so the
   * /48 counts what its /64s were allowed.
   */
  async function consume(bucket: BucketName, key: string, points = 1): Promise<LimitDecision> {
    for (const target of targets(bucket, key)) {
      const decision = await take(target, points);
      if (!decision.allowed) return decision;
    }
    return { allowed: true };
  }

  /**
   * Whether `points` could be taken from the bucket for `key` now, without taking them: callers
   * that must pass several buckets check them all first, so that a refusal by one does not use
   * up the others (a pumper refused per client must not drain a country's cap).
   */
  async function peek(bucket: BucketName, key: string, points = 1): Promise<LimitDecision> {
    for (const target of targets(bucket, key)) {
      let state: RateLimiterRes | null;
      try {
        state = await target.limiter.get(target.key);
      } catch (error) {
        return storeFailed(target.label, error);
      }
      if (state !== null && state.consumedPoints + points > target.points)
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) };
    }
    return { allowed: true };
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

    /** Gives points back (e.g. after a successful sign-in: docs/reference/pitfalls.md "consume, then refund"). */
    async refund(bucket: BucketName, key: string, points = 1): Promise<void> {
      for (const target of targets(bucket, key)) await target.limiter.reward(target.key, points).catch(() => undefined);
    },

    /** Housekeeping (PostgreSQL store): drops buckets that expired more than an hour ago. */
    prune: (nowMs: number): Promise<void> => deps.store.prune(nowMs),
  };
}
