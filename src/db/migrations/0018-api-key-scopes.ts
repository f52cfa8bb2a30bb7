import type { Kysely } from 'kysely';

/**
 * API keys with scopes (docs/api.md "API keys and scopes"): `scopes` holds the key's scopes,
 * space-separated (`verifications admin:read`). Keys made before it could only start action
 * verifications, so they get `verifications`, the scope those routes need.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('verifications'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('scopes').execute();
}
