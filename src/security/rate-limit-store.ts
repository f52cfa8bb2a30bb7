import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../db/database.js';

/** One named bucket: `points` per `durationSeconds`, optionally blocked for a while after. */
export interface BucketPolicy {
  readonly points: number;
  readonly durationSeconds: number;
  readonly blockSeconds?: number;
}

/** Makes the rate-limiter-flexible limiter of one named bucket. */
export type LimiterFactory = (name: string, policy: BucketPolicy) => RateLimiterAbstract;

/**
 * Where the buckets live: in memory for the embedded default (one process), in PostgreSQL (our
 * `rate_limit_buckets` table) when several instances share the work. Created once in
 * services.ts; the rate limits and the password throttle both count in it.
 */
export interface RateLimitStore {
  /** Makes rate-limiter-flexible limiters in the configured store. */
  readonly makeLimiter: LimiterFactory;
  /** Housekeeping (PostgreSQL store): drops buckets that expired more than an hour ago. */
  prune(nowMs: number): Promise<void>;
}

export function createRateLimitStore(deps: { config: { readonly rateLimits: { readonly store: 'memory' | 'postgres' } }; database: Database }): RateLimitStore {
  const pool = deps.config.rateLimits.store === 'postgres' ? deps.database.pgPool : undefined;
  return {
    makeLimiter(name, policy) {
      const options = { keyPrefix: name, points: policy.points, duration: policy.durationSeconds, blockDuration: policy.blockSeconds ?? 0 };
      return pool
        ? new RateLimiterPostgres({
            ...options,
            storeClient: pool,
            storeType: 'pool',
            tableName: 'rate_limit_buckets',
            tableCreated: true,
            clearExpiredByTimeout: false,
          })
        : new RateLimiterMemory(options);
    },

    async prune(nowMs) {
      if (!pool) return;
      await deps.database.db
        .deleteFrom('rate_limit_buckets')
        .where('expire', '<', nowMs - 3_600_000)
        .execute();
    },
  };
}
