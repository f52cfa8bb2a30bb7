import type { Executor } from '../db/database.js';
import type { WebhookEndpointRow } from '../db/tables.js';

/** The SQL of webhook endpoints (`webhook_endpoints`). */
export function createWebhookRepository() {
  return {
    async insert(db: Executor, row: WebhookEndpointRow): Promise<void> {
      await db.insertInto('webhook_endpoints').values(row).execute();
    },

    /** Every endpoint, the revoked ones too (the CLI lists them), oldest first. */
    list(db: Executor): Promise<WebhookEndpointRow[]> {
      return db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
    },

    /** The endpoints that receive events now: read in the emitting transaction, so a new one hears the next change. */
    live(db: Executor): Promise<Pick<WebhookEndpointRow, 'id' | 'events'>[]> {
      return db.selectFrom('webhook_endpoints').select(['id', 'events']).where('revoked_at', 'is', null).execute();
    },

    byId(db: Executor, id: string): Promise<WebhookEndpointRow | undefined> {
      return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async revoke(db: Executor, id: string, now: number): Promise<boolean> {
      const result = await db.updateTable('webhook_endpoints').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async rotate(
      db: Executor,
      id: string,
      change: Pick<WebhookEndpointRow, 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_until'>,
    ): Promise<boolean> {
      const result = await db.updateTable('webhook_endpoints').set(change).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
