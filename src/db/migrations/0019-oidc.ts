import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * The OpenID Connect provider's state (docs/oidc.md):
 * - `oidc_payloads`: every artefact of oidc-provider (sessions, interactions, grants, codes,
 *   access and refresh tokens, replay records) in one table keyed by model and id, so that every
 *   instance sees the same. `grant_id` serves "revoke everything of this grant", `uid` the
 *   session look-up by its cookie, `account_id` "end everything of this account", `client_id` "end everything of a revoked client" and
 *   `expires_at` the housekeeping sweep.
 * - `oidc_clients`: the host applications registered with `lifeline client create`; the secret
 *   sealed with SECRET_KEY (the provider compares it, so it cannot be a one-way hash).
 * - `oidc_signing_keys`: the provider's signing keys, made on first start and kept here sealed,
 *   so that all instances publish and sign with the same. `generation` is unique: two instances
 *   starting together both try generation 1 and one of them wins.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_payloads')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('account_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('expires_at', EPOCH_MS)
    .addColumn('consumed_at', EPOCH_MS)
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').column('uid').execute();
  await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').column('account_id').execute();
  await db.schema.createIndex('oidc_payloads_client').on('oidc_payloads').column('client_id').execute();
  await db.schema.createIndex('oidc_payloads_expiry').on('oidc_payloads').column('expires_at').execute();

  await db.schema
    .createTable('oidc_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('first_party', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text')
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('revoked_at', EPOCH_MS)
    .execute();

  await db.schema
    .createTable('oidc_signing_keys')
    .addColumn('generation', 'integer', (c) => c.primaryKey())
    .addColumn('kid', 'text', (c) => c.notNull().unique())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', EPOCH_MS, (c) => c.notNull())
    .addColumn('retired_at', EPOCH_MS)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_signing_keys').execute();
  await db.schema.dropTable('oidc_clients').execute();
  await db.schema.dropTable('oidc_payloads').execute();
}
