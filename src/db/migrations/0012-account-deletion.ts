import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Account deletion with a grace period: `deletion_due_at` is set when the owner asks
 * (password + a code), cleared by any sign-in before it; the worker deletes accounts past it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('deletion_requested_at', EPOCH_MS).execute();
  await db.schema.alterTable('accounts').addColumn('deletion_due_at', EPOCH_MS).execute();
  await db.schema.createIndex('accounts_deletion_due').on('accounts').column('deletion_due_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('accounts_deletion_due').execute();
  await db.schema.alterTable('accounts').dropColumn('deletion_due_at').execute();
  await db.schema.alterTable('accounts').dropColumn('deletion_requested_at').execute();
}
