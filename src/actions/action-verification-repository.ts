import type { Executor } from '../db/database.js';
import type { ActionVerificationRow, VerificationRequesterKind } from '../db/tables.js';

/**
 * The SQL of action verifications (`action_verifications`). Every change of a record's state is
 * one conditional UPDATE (actions/verification/verification-states.mmd), so two requests cannot
 * both take the same arrow; each such method answers whether it won.
 */
export function createActionVerificationRepository() {
  return {
    /** A new record (pending; `start`). */
    async insert(trx: Executor, row: ActionVerificationRow): Promise<void> {
      await trx.insertInto('action_verifications').values(row).execute();
    },

    /** The record by id, whoever asked for it (the link's secret names it; a read after a change). */
    findById(db: Executor, id: string): Promise<ActionVerificationRow | undefined> {
      return db.selectFrom('action_verifications').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The record by id that a change has just written: it must be there (else the error is a bug, a 500). */
    getById(db: Executor, id: string): Promise<ActionVerificationRow> {
      return db.selectFrom('action_verifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    },

    /**
     * The record by id if this requester (API key or session) started it: another key's or
     * session's record does not exist for it. With `lock` (PostgreSQL), held until the
     * transaction ends (NO KEY UPDATE, as the account's lock).
     */
    findOwn(
      db: Executor,
      id: string,
      requester: { readonly kind: VerificationRequesterKind; readonly id: string },
      lock: boolean,
    ): Promise<ActionVerificationRow | undefined> {
      const query = db
        .selectFrom('action_verifications')
        .selectAll()
        .where('id', '=', id)
        .where('requester_kind', '=', requester.kind)
        .where('requester_id', '=', requester.id);
      return (lock ? query.forNoKeyUpdate() : query).executeTakeFirst();
    },

    /** The record whose page capability (`/verify-action?token=`) hashes to `pageTokenHash`. */
    findByPageTokenHash(db: Executor, pageTokenHash: string): Promise<ActionVerificationRow | undefined> {
      return db.selectFrom('action_verifications').selectAll().where('page_token_hash', '=', pageTokenHash).executeTakeFirst();
    },

    /**
     * Locks the record's row (PostgreSQL only; the caller asks for it there): the record before
     * its secrets is the lock order of every path that touches both.
     */
    async lock(trx: Executor, id: string): Promise<void> {
      await trx.selectFrom('action_verifications').select('id').where('id', '=', id).forNoKeyUpdate().execute();
    },

    /** A code (and link) went to `channel`: the record remembers where, under which purpose, and when. */
    async markSent(trx: Executor, id: string, sent: { channel: string; purpose: string; at: number }): Promise<void> {
      await trx
        .updateTable('action_verifications')
        .set({ channel: sent.channel, secret_purpose: sent.purpose, sent_at: sent.at })
        .where('id', '=', id)
        .execute();
    },

    /** pending → verified, if it is still pending at `now`: it can then be consumed until `expiresAt`. Answers whether it won. */
    async markVerified(trx: Executor, id: string, now: number, expiresAt: number): Promise<boolean> {
      const updated = await trx
        .updateTable('action_verifications')
        .set({ verified_at: now, expires_at: expiresAt })
        .where('id', '=', id)
        .where('verified_at', 'is', null)
        .where('failed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /** pending → failed (its code's tries used up), unless it failed or was verified meanwhile. Answers whether it won. */
    async markFailed(trx: Executor, id: string, now: number): Promise<boolean> {
      const updated = await trx
        .updateTable('action_verifications')
        .set({ failed_at: now })
        .where('id', '=', id)
        .where('failed_at', 'is', null)
        .where('verified_at', 'is', null)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /** verified → consumed, once and within its time: one statement, so two parallel consumes cannot both win. */
    async markConsumed(db: Executor, id: string, now: number): Promise<boolean> {
      const updated = await db
        .updateTable('action_verifications')
        .set({ consumed_at: now })
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where('verified_at', 'is not', null)
        .where('failed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /** Every open record of the account (pending, or verified and not consumed) fails; answers how many. */
    async failOpenOf(trx: Executor, accountId: string, now: number): Promise<number> {
      const result = await trx
        .updateTable('action_verifications')
        .set({ failed_at: now })
        .where('account_id', '=', accountId)
        .where('consumed_at', 'is', null)
        .where('failed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Housekeeping: deletes the records that ended before `before`; answers how many went. */
    async deleteExpiredBefore(db: Executor, before: number): Promise<number> {
      const result = await db.deleteFrom('action_verifications').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /**
     * The name of the API key that asked (shown to the user), or undefined for a key that is
     * gone. Read here because api-keys/ comes after actions/ in the folder order; only the name
     * is selected, never the key's hash.
     */
    async apiKeyName(db: Executor, keyId: string): Promise<string | undefined> {
      const key = await db.selectFrom('api_keys').select('name').where('id', '=', keyId).executeTakeFirst();
      return key?.name;
    },
  };
}

export type ActionVerificationRepository = ReturnType<typeof createActionVerificationRepository>;
