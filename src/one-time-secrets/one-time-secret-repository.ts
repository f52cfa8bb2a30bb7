import type { Executor } from '../db/database.js';
import type { VerificationSecretRow } from '../db/tables.js';
import { newId } from '../core/random.js';

export interface OneTimeSecretRepositoryOptions {
  /**
   * Lock the secret a redemption reads (`SELECT … FOR UPDATE`; PostgreSQL). SQLite needs no
   * row lock: its write transactions begin IMMEDIATE and so run one at a time already.
   */
  readonly lockRows?: boolean;
}

/**
 * The SQL of one-time secrets. Every state change is one statement whose WHERE clause
 * re-checks that the secret is still live, so that under concurrency the database, not the
 * application, decides who wins (docs/reference/contracts.md "One mechanism for one-time secrets").
 *
 * The hourly failure count is a read (count the failures) followed by a write (record one),
 * which no single statement can guard. Redemptions therefore read their secret with a row
 * lock where the database has them, so that guesses at one secret are serialised and each
 * sees the failures of those before it; otherwise parallel wrong guesses would all pass the
 * check just below the limit, and the count (and the guesses allowed) would end above it.
 */
export function createOneTimeSecretRepository(options: OneTimeSecretRepositoryOptions = {}) {
  const lockRows = options.lockRows ?? false;
  return {
    async insert(trx: Executor, row: VerificationSecretRow): Promise<void> {
      await trx.insertInto('verification_secrets').values(row).execute();
    },

    /** Serialises issuing for one account (PostgreSQL; SQLite's IMMEDIATE transactions already are). */
    async lockAccount(trx: Executor, accountId: string): Promise<void> {
      // FOR NO KEY UPDATE: serialises this account's writers, yet lets the foreign-key checks of
      // other transactions (KEY SHARE) through, which FOR UPDATE would block into a deadlock.
      if (lockRows) await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forNoKeyUpdate().execute();
    },

    /** Ends every live secret of this purpose and account (a new one replaces them). */
    async liveOf(db: Executor, accountId: string, purpose: string, now: number): Promise<VerificationSecretRow[]> {
      return db
        .selectFrom('verification_secrets')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .execute();
    },

    async retireIds(trx: Executor, ids: readonly string[], now: number): Promise<number> {
      const result = await trx
        .updateTable('verification_secrets')
        .set({ used_at: now })
        .where('id', 'in', [...ids])
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async retireLive(trx: Executor, accountId: string, purposes: readonly string[], now: number): Promise<number> {
      if (purposes.length === 0) return 0;
      const result = await trx
        .updateTable('verification_secrets')
        .set({ used_at: now })
        .where('account_id', '=', accountId)
        .where('purpose', 'in', purposes)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Retires every live secret of these purposes bound to one browser flow (any account). */
    async retireFlow(trx: Executor, flowId: string, purposes: readonly string[], now: number): Promise<number> {
      if (purposes.length === 0) return 0;
      const result = await trx
        .updateTable('verification_secrets')
        .set({ used_at: now })
        .where('flow_id', '=', flowId)
        .where('purpose', 'in', purposes)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** The account and flow a secret belongs to, read without a lock (to lock those first). */
    async ownerOf(trx: Executor, id: string, purpose: string): Promise<{ accountId: string; flowId: string | null } | undefined> {
      const row = await trx
        .selectFrom('verification_secrets')
        .select(['account_id', 'flow_id'])
        .where('id', '=', id)
        .where('purpose', '=', purpose)
        .executeTakeFirst();
      return row ? { accountId: row.account_id, flowId: row.flow_id } : undefined;
    },

    async findById(trx: Executor, id: string, purpose: string): Promise<VerificationSecretRow | undefined> {
      return trx
        .selectFrom('verification_secrets')
        .selectAll()
        .where('id', '=', id)
        .where('purpose', '=', purpose)
        .$if(lockRows, (qb) => qb.forUpdate())
        .executeTakeFirst();
    },

    /**
     * The newest unused, unexpired secret for this purpose and account, issued in this browser
     * flow. Without a flow id only secrets issued without one match: a code bound to a flow is
     * never redeemable outside it (docs/reference/security-requirements.md 4.6).
     */
    async findNewestUnused(
      trx: Executor,
      query: { accountId: string; purpose: string; flowId: string | undefined; now: number },
    ): Promise<VerificationSecretRow | undefined> {
      let select = trx
        .selectFrom('verification_secrets')
        .selectAll()
        .where('account_id', '=', query.accountId)
        .where('purpose', '=', query.purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', query.now);
      select = query.flowId === undefined ? select.where('flow_id', 'is', null) : select.where('flow_id', '=', query.flowId);
      return select
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .$if(lockRows, (qb) => qb.forUpdate())
        .executeTakeFirst();
    },

    /**
     * Marks the secret used if, at this instant, it is still unused, unexpired and has tries
     * left. Returns the row when this call won; undefined when another redemption, the last
     * wrong guess or the clock got there first.
     */
    async markUsed(trx: Executor, id: string, now: number): Promise<VerificationSecretRow | undefined> {
      return trx
        .updateTable('verification_secrets')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .where('attempts_left', '>', 0)
        .returningAll()
        .executeTakeFirst();
    },

    /**
     * Takes one try from a live secret. Returns the tries left, or undefined when there was
     * none to take (so 100 parallel wrong guesses on a 5-try secret count exactly 5).
     */
    async takeAttempt(trx: Executor, id: string, now: number): Promise<number | undefined> {
      const row = await trx
        .updateTable('verification_secrets')
        .set((eb) => ({ attempts_left: eb('attempts_left', '-', 1) }))
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .where('attempts_left', '>', 0)
        .returning('attempts_left')
        .executeTakeFirst();
      return row?.attempts_left;
    },

    async recordFailure(trx: Executor, accountId: string, purpose: string, now: number): Promise<void> {
      await trx.insertInto('verification_failures').values({ id: newId(), account_id: accountId, purpose, created_at: now }).execute();
    },

    /** Failures of this account and purpose since `since`: their count and the oldest time. */
    /** When the newest secret of this purpose for this target was issued, by any account. */
    async newestIssuedFor(trx: Executor, purpose: string, target: string): Promise<number | undefined> {
      const row = await trx
        .selectFrom('verification_secrets')
        .select((eb) => eb.fn.max<number | null>('created_at').as('newest'))
        .where('purpose', '=', purpose)
        .where('target', '=', target)
        .executeTakeFirst();
      return row?.newest === null || row?.newest === undefined ? undefined : Number(row.newest);
    },

    /** When each wrong guess of this account and purpose since `since` happened, oldest first. */
    async failureTimes(trx: Executor, accountId: string, purpose: string, since: number): Promise<number[]> {
      const rows = await trx
        .selectFrom('verification_failures')
        .select('created_at')
        .where('account_id', '=', accountId)
        .where('purpose', '=', purpose)
        .where('created_at', '>', since)
        .orderBy('created_at', 'asc')
        .execute();
      return rows.map((r) => Number(r.created_at));
    },

    async failuresSince(trx: Executor, accountId: string, purpose: string, since: number): Promise<{ count: number; oldest: number | null }> {
      const row = await trx
        .selectFrom('verification_failures')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min<number | null>('created_at').as('oldest')])
        .where('account_id', '=', accountId)
        .where('purpose', '=', purpose)
        .where('created_at', '>', since)
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), oldest: row.oldest === null ? null : Number(row.oldest) };
    },

    /** Housekeeping: secrets expired or used before `before`, failures older than `before`. */
    async prune(trx: Executor, before: number): Promise<number> {
      const secrets = await trx
        .deleteFrom('verification_secrets')
        .where((eb) => eb.or([eb('expires_at', '<', before), eb('used_at', '<', before)]))
        .executeTakeFirst();
      const failures = await trx.deleteFrom('verification_failures').where('created_at', '<', before).executeTakeFirst();
      return Number(secrets.numDeletedRows) + Number(failures.numDeletedRows);
    },
  };
}

export type OneTimeSecretRepository = ReturnType<typeof createOneTimeSecretRepository>;
