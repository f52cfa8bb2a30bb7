import type { Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import type { OidcSigningKeysTable } from '../db/tables.js';

export type SigningKeyRow = Selectable<OidcSigningKeysTable>;

/** The SQL of the provider's signing keys (`oidc_signing_keys`). */
export function createSigningKeyRepository() {
  return {
    /**
     * Inserts the key unless its generation exists; answers whether it did. Two instances
     * making the same generation at once: one row, and the other learns it lost.
     */
    async insertNewGeneration(db: Executor, row: SigningKeyRow): Promise<boolean> {
      const result = await db
        .insertInto('oidc_signing_keys')
        .values(row)
        .onConflict((oc) => oc.column('generation').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** Every key, the retired ones too, newest generation first. */
    all(db: Executor): Promise<SigningKeyRow[]> {
      return db.selectFrom('oidc_signing_keys').selectAll().orderBy('generation', 'desc').execute();
    },

    /** Whether any key is published (not retired). */
    async anyPublished(db: Executor): Promise<boolean> {
      return (await db.selectFrom('oidc_signing_keys').select('generation').where('retired_at', 'is', null).executeTakeFirst()) !== undefined;
    },

    /** The highest generation there is, retired keys included; 0 when there is none. */
    async newestGeneration(db: Executor): Promise<number> {
      const newest = await db
        .selectFrom('oidc_signing_keys')
        .select((eb) => eb.fn.max('generation').as('max'))
        .executeTakeFirst();
      return Number(newest?.max ?? 0);
    },

    async retire(db: Executor, kid: string, now: number): Promise<void> {
      await db.updateTable('oidc_signing_keys').set({ retired_at: now }).where('kid', '=', kid).execute();
    },
  };
}

export type SigningKeyRepository = ReturnType<typeof createSigningKeyRepository>;
