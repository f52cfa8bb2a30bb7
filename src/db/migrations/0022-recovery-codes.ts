import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Recovery codes (docs/architecture.md "Recovery codes"): ten single-use codes the owner keeps on
 * paper, for "Passwort vergessen?" when no channel is reachable.
 * - `recovery_code_sets`: the account's one current set (a new set replaces it: the unique index),
 *   when it was made and from when it counts as the owner's (`settled_at`, as for channels).
 * - `recovery_codes`: its codes, only as HMAC(key, purpose | account | set | code) with the key's
 *   id; `used_at` is set by one conditional UPDATE, so a code is used once, also under parallel use.
 * - `password_reset_flows.recovery_code_set_id`: the set whose code verified a flow; the reset
 *   checks it is still the account's current one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recovery_code_sets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('settled_at', EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recovery_code_sets_account').on('recovery_code_sets').columns(['account_id']).unique().execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('set_id', 'text', (c) => c.notNull().references('recovery_code_sets.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('used_at', EPOCH_MS)
    .execute();
  await db.schema.createIndex('recovery_codes_set_hash').on('recovery_codes').columns(['set_id', 'code_hash']).execute();
  await db.schema.alterTable('password_reset_flows').addColumn('recovery_code_set_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('password_reset_flows').dropColumn('recovery_code_set_id').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('recovery_code_sets').execute();
}
