import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * Which Lifeline session each provider session was used with (docs/oidc.md "Sessions end
 * together"): when one Lifeline session ends (signed out, or ended from the session list by the
 * owner), the provider sessions and grants of that browser end with it, not the account's others.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_session_links')
    .addColumn('provider_session_uid', 'text', (c) => c.primaryKey())
    .addColumn('lifeline_session_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_session_links_session').on('oidc_session_links').column('lifeline_session_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_session_links').execute();
}
