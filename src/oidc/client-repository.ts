import type { Executor } from '../db/database.js';
import type { OidcClientRow } from '../db/tables.js';

/** The SQL of the host applications registered as OpenID Connect clients (`oidc_clients`). */
export function createClientRepository() {
  return {
    async insert(db: Executor, row: OidcClientRow): Promise<void> {
      await db.insertInto('oidc_clients').values(row).execute();
    },

    /** Every client, the revoked ones too, oldest first. */
    list(db: Executor): Promise<OidcClientRow[]> {
      return db.selectFrom('oidc_clients').selectAll().orderBy('created_at', 'asc').execute();
    },

    /** A live (not revoked) client. */
    live(db: Executor, clientId: string): Promise<OidcClientRow | undefined> {
      return db.selectFrom('oidc_clients').selectAll().where('id', '=', clientId).where('revoked_at', 'is', null).executeTakeFirst();
    },

    /** The metadata of those of these clients that are live. */
    liveMetadata(db: Executor, clientIds: readonly string[]): Promise<Pick<OidcClientRow, 'id' | 'metadata'>[]> {
      return db
        .selectFrom('oidc_clients')
        .select(['id', 'metadata'])
        .where('id', 'in', [...clientIds])
        .where('revoked_at', 'is', null)
        .execute();
    },

    /** Revokes a live client; answers whether there was one. */
    async revoke(db: Executor, clientId: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('oidc_clients')
        .set({ revoked_at: now })
        .where('id', '=', clientId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Deletes everything the provider stored for the client (`oidc_payloads`: its tokens, codes and grants). */
    async deletePayloadsOf(db: Executor, clientId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('client_id', '=', clientId).execute();
    },
  };
}

export type ClientRepository = ReturnType<typeof createClientRepository>;
