import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Recovery e-mail addresses (docs/reference/product.md §2): per account at most one active and one pending
 * (awaiting confirmation) row; a change is a pending row beside the active one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recovery_emails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('address_normalized', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('confirmed_at', EPOCH_MS)
    .addColumn('last_sent_at', EPOCH_MS)
    .execute();
  await db.schema.createIndex('recovery_emails_account_status').on('recovery_emails').columns(['account_id', 'status']).unique().execute();
  await db.schema.createIndex('recovery_emails_address').on('recovery_emails').column('address_normalized').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recovery_emails').execute();
}
