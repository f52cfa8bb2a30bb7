import type { Executor } from '../db/database.js';
import type { ApiKeyRow } from '../db/tables.js';

/** The SQL of the host applications' API keys (`api_keys`). */
export function createApiKeyRepository() {
  return {
    /** Fails with a unique violation when the name is taken (revoked keys' names too). */
    async insert(db: Executor, row: ApiKeyRow): Promise<void> {
      await db.insertInto('api_keys').values(row).execute();
    },

    /** Every key, the revoked ones too, oldest first. */
    list(db: Executor): Promise<ApiKeyRow[]> {
      return db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('name').execute();
    },

    byId(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Revokes the live key of this name; answers whether there was one. */
    async revokeByName(db: Executor, name: string, now: number): Promise<boolean> {
      const result = await db.updateTable('api_keys').set({ revoked_at: now }).where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async touch(db: Executor, id: string, now: number): Promise<void> {
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
