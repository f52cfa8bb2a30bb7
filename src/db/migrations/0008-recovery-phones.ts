import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Recovery phone numbers (docs/reference/product.md §3): per account at most one active and one pending
 * (awaiting its SMS code) row; a change is a pending row beside the active one. Numbers are
 * stored in E.164; `country` (ISO 3166-1 alpha-2) feeds the per-country caps and metrics.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recovery_phones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('number_e164', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('confirmed_at', EPOCH_MS)
    .addColumn('last_sent_at', EPOCH_MS)
    .execute();
  await db.schema.createIndex('recovery_phones_account_status').on('recovery_phones').columns(['account_id', 'status']).unique().execute();
  await db.schema.createIndex('recovery_phones_number').on('recovery_phones').column('number_e164').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recovery_phones').execute();
}
