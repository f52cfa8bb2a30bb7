import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Webhooks and the admin API (docs/integration.md):
 * - `webhook_endpoints`: a host's receiver (`lifeline webhook create`), its event filter, and its
 *   signing secrets sealed with SECRET_KEY (the current one and, during a rotation, the previous
 *   one until it expires: both sign, as Standard Webhooks allows);
 * - `accounts.disabled_at` / `disabled_by`: an account disabled from the back office cannot sign
 *   in (403 account-disabled) until enabled again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text')
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_secret_until', EPOCH_MS)
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('revoked_at', EPOCH_MS)
    .execute();
  await db.schema.alterTable('accounts').addColumn('disabled_at', EPOCH_MS).execute();
  await db.schema.alterTable('accounts').addColumn('disabled_by', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('disabled_by').execute();
  await db.schema.alterTable('accounts').dropColumn('disabled_at').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
}
