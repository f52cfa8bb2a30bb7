import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * What sign-up, sign-in and sessions need: the account's password, verification, language
 * and time zone; server-side sessions (only a keyed hash of the cookie token is stored);
 * devices (a long-lived cookie per browser, hashed, per account) for sign-in throttling.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite can only add nullable columns or columns with a default.
  await db.schema.alterTable('accounts').addColumn('password_hash', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('email_verified_at', EPOCH_MS).execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Europe/Berlin'))
    .execute();
  await db.schema.alterTable('accounts').addColumn('password_changed_at', EPOCH_MS).execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('password_reset_required', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('accounts').addColumn('signup_notice_at', EPOCH_MS).execute();
  await db.schema.alterTable('accounts').addColumn('throttle_notice_at', EPOCH_MS).execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('updated_at', EPOCH_MS, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('accounts_unverified').on('accounts').columns(['email_verified_at', 'created_at']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('last_seen_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('expires_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('privileged_until', EPOCH_MS)
    .execute();
  await db.schema.createIndex('sessions_account').on('sessions').column('account_id').execute();

  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('last_used_at', EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('devices_account_token').on('devices').columns(['account_id', 'token_hash']).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('devices').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropIndex('accounts_unverified').execute();
  for (const column of [
    'updated_at',
    'throttle_notice_at',
    'signup_notice_at',
    'password_reset_required',
    'password_changed_at',
    'time_zone',
    'email_verified_at',
    'password_hash',
  ]) {
    await db.schema.alterTable('accounts').dropColumn(column).execute();
  }
}
