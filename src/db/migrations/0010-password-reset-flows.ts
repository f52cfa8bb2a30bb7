import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Forgot-password flows: one row per "Passwort vergessen?" request, keyed by the
 * SHA-256 of the HttpOnly flow cookie. The request itself only writes this row (the same work
 * for every identifier); the lookup, the code and the message follow after the answer
 * (`processed_at`), so the answer's timing cannot depend on whether an account exists.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('password_reset_flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identifier_hash', 'text', (c) => c.notNull())
    .addColumn('identifier_kind', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text')
    .addColumn('country', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('expires_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('processed_at', EPOCH_MS)
    .addColumn('channel', 'text')
    .addColumn('account_ids', 'text')
    .addColumn('secret_purpose', 'text')
    .addColumn('secret_account_id', 'text')
    .addColumn('attempts_left', 'integer', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failure_at', EPOCH_MS)
    .addColumn('superseded_at', EPOCH_MS)
    .addColumn('verified_at', EPOCH_MS)
    .addColumn('used_at', EPOCH_MS)
    .execute();
  await db.schema.createIndex('password_reset_flows_identifier').on('password_reset_flows').columns(['identifier_hash', 'created_at']).execute();
  await db.schema.createIndex('password_reset_flows_unprocessed').on('password_reset_flows').columns(['processed_at', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('password_reset_flows').execute();
}
