import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * The account row every other table hangs from. The "Accounts and sessions" issue adds the
 * password, verification and session columns; this migration gives one-time secrets, the
 * outbox and the security log something to reference (with ON DELETE CASCADE).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('de'))
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('accounts').execute();
}
