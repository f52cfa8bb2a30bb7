import type { Insertable } from 'kysely';
import type { Executor } from '../db/database.js';
import type { DevicesTable } from '../db/tables.js';

/** The SQL of the browsers an account signed in with (`devices`). */
export function createDeviceRepository() {
  return {
    /** The account's device whose token hash is one of `tokenHashes` (one per key of the key ring). */
    findByTokenHash(db: Executor, accountId: string, tokenHashes: readonly string[]): Promise<{ id: string } | undefined> {
      return db.selectFrom('devices').select('id').where('account_id', '=', accountId).where('token_hash', 'in', tokenHashes).executeTakeFirst();
    },

    findOfAccount(db: Executor, accountId: string, deviceId: string): Promise<{ id: string; created_at: number; first_of_account: number } | undefined> {
      return db
        .selectFrom('devices')
        .select(['id', 'created_at', 'first_of_account'])
        .where('id', '=', deviceId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
    },

    /** Whether the account has any device yet. */
    async hasAny(db: Executor, accountId: string): Promise<boolean> {
      return (await db.selectFrom('devices').select('id').where('account_id', '=', accountId).limit(1).executeTakeFirst()) !== undefined;
    },

    /**
     * The account's creation time, to tell whether its first device is the owner's. Read here
     * rather than through the accounts repository: sessions/ sits below accounts/.
     */
    async accountCreatedAt(db: Executor, accountId: string): Promise<number | undefined> {
      return (await db.selectFrom('accounts').select('created_at').where('id', '=', accountId).executeTakeFirst())?.created_at;
    },

    async touch(trx: Executor, id: string, now: number): Promise<void> {
      await trx.updateTable('devices').set({ last_used_at: now }).where('id', '=', id).execute();
    },

    /**
     * Inserts the device, or, when the browser already has a row for the account (two sign-ins
     * from one browser at once), marks that one used. Answers the id of the row there now.
     */
    async insertOrTouch(trx: Executor, row: Insertable<DevicesTable> & { last_used_at: number }): Promise<string> {
      const inserted = await trx
        .insertInto('devices')
        .values(row)
        .onConflict((oc) => oc.columns(['account_id', 'token_hash']).doUpdateSet({ last_used_at: row.last_used_at }))
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },

    /** Deletes devices of the account but its first: one by id, or those first seen since a time. Answers how many went. */
    async deleteOfAccount(trx: Executor, accountId: string, which: { readonly device: string } | { readonly seenSince: number }): Promise<number> {
      let query = trx.deleteFrom('devices').where('account_id', '=', accountId).where('first_of_account', '=', 0);
      query = 'device' in which ? query.where('id', '=', which.device) : query.where('created_at', '>=', which.seenSince);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Deletes the devices last used before `before`; answers how many went. */
    async deleteUnusedBefore(db: Executor, before: number): Promise<number> {
      const result = await db.deleteFrom('devices').where('last_used_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type DeviceRepository = ReturnType<typeof createDeviceRepository>;
