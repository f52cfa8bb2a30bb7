import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * API keys of host applications, and verifications of sensitive actions.
 *
 * `api_keys`: only a keyed hash (HMAC-SHA256 under SECRET_KEY, `key_id` names the key) of the
 * secret half of `llk_<id>.<secret>` is stored; the key is printed once by
 * `lifeline api-key create`. Revoked keys stay (revoked_at) so their records stay attributable.
 *
 * `action_verifications`: one row per "prove access to a channel before this action", bound to
 * the account, the action name and the requester (an API key or a session). The code itself is
 * a verification secret bound to the row by its flow id; `page_token_hash` is the SHA-256 of the
 * capability in the row's URL (the page a host sends the user to).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('last_used_at', EPOCH_MS)
    .addColumn('revoked_at', EPOCH_MS)
    .execute();

  await db.schema
    .createTable('action_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('requester_kind', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text')
    .addColumn('page_token_hash', 'text')
    .addColumn('channel', 'text')
    .addColumn('secret_purpose', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('expires_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('sent_at', EPOCH_MS)
    .addColumn('verified_at', EPOCH_MS)
    .addColumn('failed_at', EPOCH_MS)
    .addColumn('consumed_at', EPOCH_MS)
    .execute();
  await db.schema.createIndex('action_verifications_account').on('action_verifications').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('action_verifications_page_token').on('action_verifications').column('page_token_hash').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('action_verifications').execute();
  await db.schema.dropTable('api_keys').execute();
}
