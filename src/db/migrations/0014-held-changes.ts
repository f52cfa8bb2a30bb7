import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Changes held for 72 hours: removing a recovery channel from a session that signed
 * in less than 24 hours ago on a new device takes effect only after the hold, and every channel
 * can cancel it meanwhile (the grace period Google and Microsoft use). The worker applies the
 * rows whose `effective_at` has passed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('held_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('effective_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('cancelled_at', EPOCH_MS)
    .addColumn('applied_at', EPOCH_MS)
    .execute();
  await db.schema.createIndex('held_changes_due').on('held_changes').columns(['effective_at']).execute();
  await db.schema.createIndex('held_changes_account').on('held_changes').columns(['account_id', 'kind']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('held_changes').execute();
}
