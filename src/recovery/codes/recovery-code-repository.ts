import type { Executor } from '../../db/database.js';
import type { RecoveryCodeSetRow, RecoveryCodesTable } from '../../db/tables.js';

/** A code of a new set as stored: its keyed hash and the key's id, never the code. */
export type StoredRecoveryCode = Omit<RecoveryCodesTable, 'set_id' | 'used_at'>;

/**
 * The SQL of recovery codes (migration 0022; recovery/codes/recovery-code-service.ts): one set per
 * account (a unique index), its codes beside it; deleting the set deletes its codes (cascade).
 */
export function createRecoveryCodeRepository() {
  return {
    /** The account's current set, if it has one. */
    async currentSet(db: Executor, accountId: string): Promise<RecoveryCodeSetRow | undefined> {
      return db.selectFrom('recovery_code_sets').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    },

    /** How many codes of the set are still unused. */
    async remaining(db: Executor, setId: string): Promise<number> {
      const row = await db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('set_id', '=', setId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    /** The account's set ends with its codes (only the set `setId`, when given); answers whether one went. */
    async deleteSet(trx: Executor, accountId: string, setId?: string): Promise<boolean> {
      let query = trx.deleteFrom('recovery_code_sets').where('account_id', '=', accountId);
      if (setId !== undefined) query = query.where('id', '=', setId);
      return Number((await query.executeTakeFirst()).numDeletedRows) > 0;
    },

    /** A new set and its codes (the account's old set must be gone: one set per account). */
    async insertSet(trx: Executor, set: RecoveryCodeSetRow, codes: readonly StoredRecoveryCode[]): Promise<void> {
      await trx.insertInto('recovery_code_sets').values(set).execute();
      await trx
        .insertInto('recovery_codes')
        .values(codes.map((code) => ({ ...code, set_id: set.id, used_at: null })))
        .execute();
    },

    /**
     * Uses the code of the set whose hash is one of `hashes` (one per key of the key ring), if it
     * is unused: one conditional UPDATE, so of parallel uses of one code exactly one wins.
     */
    async useCode(trx: Executor, setId: string, hashes: readonly string[], now: number): Promise<boolean> {
      const row = await trx
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('set_id', '=', setId)
        .where('code_hash', 'in', hashes)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type RecoveryCodeRepository = ReturnType<typeof createRecoveryCodeRepository>;
