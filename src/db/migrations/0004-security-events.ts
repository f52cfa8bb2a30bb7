import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/** The account's security log ("Sicherheitsaktivität"), written with the change it records. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('security_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('details', 'text')
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('security_events_account_time').on('security_events').columns(['account_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('security_events').execute();
}
