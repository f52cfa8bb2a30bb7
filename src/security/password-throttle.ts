import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LifelineError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import { clientBucketKey, clientSlash48Key } from './client-address.js';
import { IPV6_SLASH48_FACTOR, type LimiterFactory } from './rate-limits.js';

const HOUR_SECONDS = 3600;

/** The password-guessing buckets (documented in docs/security.md, docs/reference/security-requirements.md 5.1, 5.2). */
export const passwordThrottlePolicy = {
  /** One account from one client: 10 failures an hour free, then a growing delay. */
  accountClient: { freeFailures: 10, windowSeconds: HOUR_SECONDS },
  /** One account from anywhere: 50 failures an hour, then a growing delay for unknown browsers. */
  account: { freeFailures: 50, windowSeconds: HOUR_SECONDS },
  /** One client across accounts: 100 failures an hour, then refused until the hour is over. */
  client: { failures: 100, windowSeconds: HOUR_SECONDS },
  /** An IPv6 client's /48 across its /64s and accounts: 16 × 100 failures an hour, likewise. */
  clientSlash48: { failures: 100 * IPV6_SLASH48_FACTOR, windowSeconds: HOUR_SECONDS },
  /** The growing delay: 30 s after the first failure over the limit, doubling up to 15 min. */
  delay: { firstSeconds: 30, maxSeconds: 15 * 60 },
} as const;

/** Seconds to wait before the next try, `over` failures past the free ones (1, 2, …). */
export function growingDelaySeconds(over: number): number {
  const { firstSeconds, maxSeconds } = passwordThrottlePolicy.delay;
  return Math.min(maxSeconds, firstSeconds * 2 ** Math.max(0, over - 1));
}

export interface PasswordAttempt {
  /** The normalised email submitted, or the session's account's: whether or not it exists. */
  readonly identifier: string;
  readonly ip: string;
  /** The browser carries a device cookie this account signed in with before. */
  readonly trustedDevice: boolean;
}

/** What a started attempt consumed, to settle it when the password turned out right. */
export interface AttemptTicket {
  readonly identifier: string;
  readonly clientKey: string;
  readonly trustedDevice: boolean;
}

/** Which bucket refused, for the log and for the "sign-in blocked" notice. */
export type ThrottleBucket = 'password-client' | 'password-account-client' | 'password-account';

export class PasswordThrottled extends LifelineError {
  readonly bucket: ThrottleBucket;
  constructor(bucket: ThrottleBucket, retryAfterSeconds: number) {
    super('rate-limited', {}, { retryAfterSeconds });
    this.bucket = bucket;
  }
}

/**
 * Throttles password checks (sign-in, re-authentication, password change, every route that
 * takes a password), docs/reference/product.md §1 and docs/reference/security-requirements.md 5.1:
 *
 * - Each check takes one point from three buckets *before* the password is hashed (docs/reference/pitfalls.md:
 *   a check-then-hash limiter lets 200 parallel guesses through), keyed by the submitted
 *   identifier whether or not an account has it, so the answer reveals nothing.
 * - A right password gives the points back and clears the account's counters (5.1 SHOULD).
 * - (account, client): 10 failures an hour, then a delay of 30 s doubling to 15 min per further
 *   failure. account: the same after 50 failures, but only for browsers without the account's
 *   device cookie, so a stranger cannot lock the owner out. client: 100 failures an hour, and
 *   for an IPv6 client also 1600 for its /48 (its /64s together), refused like the client's own.
 * - An attempt refused by a delay does not count as a failure (it never reached the hash).
 */
export function createPasswordThrottle(deps: { makeLimiter: LimiterFactory; metrics: Metrics; logger: Logger }) {
  const { accountClient, account, client, clientSlash48 } = passwordThrottlePolicy;
  const clientCount = deps.makeLimiter('pw-client', { points: client.failures, durationSeconds: client.windowSeconds });
  const clientSlash48Count = deps.makeLimiter('pw-client@48', { points: clientSlash48.failures, durationSeconds: clientSlash48.windowSeconds });
  const accountClientCount = deps.makeLimiter('pw-account-client', { points: accountClient.freeFailures, durationSeconds: accountClient.windowSeconds });
  const accountClientDelay = deps.makeLimiter('pw-account-client-delay', { points: 1, durationSeconds: passwordThrottlePolicy.delay.firstSeconds });
  const accountCount = deps.makeLimiter('pw-account', { points: account.freeFailures, durationSeconds: account.windowSeconds });
  const accountDelay = deps.makeLimiter('pw-account-delay', { points: 1, durationSeconds: passwordThrottlePolicy.delay.firstSeconds });

  /** Takes a point; a refusal is a result, a store failure is an error (→ 503). */
  async function take(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes> {
    try {
      return await limiter.consume(key, 1);
    } catch (error) {
      if (error instanceof RateLimiterRes) return error;
      deps.logger.error({ event: 'rate_limit.store_failed', err: (error as Error).message }, 'rate-limit store failed');
      throw new LifelineError('service-unavailable', {}, { retryAfterSeconds: 5, cause: error });
    }
  }

  /**
   * A counted bucket with a growing delay past its free failures: the first try over the limit
   * is let through and starts the delay; further tries within it are refused.
   */
  async function takeWithDelay(count: RateLimiterAbstract, delay: RateLimiterAbstract, key: string, free: number): Promise<number | undefined> {
    const counted = await take(count, key);
    if (counted.consumedPoints <= free) return undefined;
    const over = counted.consumedPoints - free;
    try {
      await delay.consume(key, 1, { customDuration: growingDelaySeconds(over) });
      return undefined;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw new LifelineError('service-unavailable', {}, { retryAfterSeconds: 5, cause: error });
      await count.reward(key, 1).catch(() => undefined);
      return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    }
  }

  function refuse(bucket: ThrottleBucket, retryAfterSeconds: number): never {
    deps.metrics.rateLimitRefusals.inc({ bucket });
    deps.logger.warn({ event: 'security.control_triggered', control: 'password-throttle', bucket, retryAfterSeconds }, 'password attempt throttled');
    throw new PasswordThrottled(bucket, retryAfterSeconds);
  }

  return {
    /**
     * Call before hashing. Throws {@link PasswordThrottled} (429 with Retry-After) when a
     * bucket refuses; otherwise returns the ticket to settle on success.
     */
    async begin(attempt: PasswordAttempt): Promise<AttemptTicket> {
      const clientKey = clientBucketKey(attempt.ip);
      const wideKey = clientSlash48Key(clientKey);
      const pair = `${attempt.identifier}|${clientKey}`;
      const fromClient = await take(clientCount, clientKey);
      if (fromClient.consumedPoints > client.failures) refuse('password-client', Math.max(1, Math.ceil(fromClient.msBeforeNext / 1000)));
      /** Gives the client's points back (its /64 and, for IPv6, its /48) when a later bucket refuses. */
      const giveBackClient = async () => {
        await clientCount.reward(clientKey, 1).catch(() => undefined);
        if (wideKey !== undefined) await clientSlash48Count.reward(wideKey, 1).catch(() => undefined);
      };
      if (wideKey !== undefined) {
        const fromSite = await take(clientSlash48Count, wideKey);
        if (fromSite.consumedPoints > clientSlash48.failures) {
          await clientCount.reward(clientKey, 1).catch(() => undefined);
          refuse('password-client', Math.max(1, Math.ceil(fromSite.msBeforeNext / 1000)));
        }
      }
      const pairWait = await takeWithDelay(accountClientCount, accountClientDelay, pair, accountClient.freeFailures);
      if (pairWait !== undefined) {
        await giveBackClient();
        refuse('password-account-client', pairWait);
      }
      if (!attempt.trustedDevice) {
        const accountWait = await takeWithDelay(accountCount, accountDelay, attempt.identifier, account.freeFailures);
        if (accountWait !== undefined) {
          await giveBackClient();
          await accountClientCount.reward(pair, 1).catch(() => undefined);
          refuse('password-account', accountWait);
        }
      }
      return { identifier: attempt.identifier, clientKey, trustedDevice: attempt.trustedDevice };
    },

    /** The password was right: the points come back and the account's counters start over. */
    async succeeded(ticket: AttemptTicket): Promise<void> {
      const pair = `${ticket.identifier}|${ticket.clientKey}`;
      const wideKey = clientSlash48Key(ticket.clientKey);
      await Promise.all([
        clientCount.reward(ticket.clientKey, 1),
        ...(wideKey === undefined ? [] : [clientSlash48Count.reward(wideKey, 1)]),
        accountClientCount.delete(pair),
        accountClientDelay.delete(pair),
        accountCount.delete(ticket.identifier),
        accountDelay.delete(ticket.identifier),
      ]).catch(() => undefined);
    },
  };
}

export type PasswordThrottle = ReturnType<typeof createPasswordThrottle>;
