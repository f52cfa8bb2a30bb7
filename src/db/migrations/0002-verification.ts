import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/** One-time secrets (links and codes) for every purpose, and the hourly failure count. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('verification_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('target', 'text')
    .addColumn('flow_id', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('attempts_left', 'integer', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('expires_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('used_at', EPOCH_MS)
    .execute();
  await db.schema.createIndex('verification_secrets_account_purpose').on('verification_secrets').columns(['account_id', 'purpose']).execute();
  await db.schema.createIndex('verification_secrets_expires').on('verification_secrets').column('expires_at').execute();

  await db.schema
    .createTable('verification_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('verification_failures_account_purpose_time')
    .on('verification_failures')
    .columns(['account_id', 'purpose', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('verification_failures').execute();
  await db.schema.dropTable('verification_secrets').execute();
}
