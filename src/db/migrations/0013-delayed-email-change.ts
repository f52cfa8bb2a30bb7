import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * A login-e-mail change without a settled channel to verify it: once the new address
 * has confirmed, the change waits here for 7 days from the request, during which the old
 * address can cancel it; the worker applies it when `email_change_due_at` has passed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('pending_email', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('pending_email_normalized', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('email_change_due_at', EPOCH_MS).execute();
  await db.schema.createIndex('accounts_email_change_due').on('accounts').column('email_change_due_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('accounts_email_change_due').execute();
  await db.schema.alterTable('accounts').dropColumn('email_change_due_at').execute();
  await db.schema.alterTable('accounts').dropColumn('pending_email_normalized').execute();
  await db.schema.alterTable('accounts').dropColumn('pending_email').execute();
}
