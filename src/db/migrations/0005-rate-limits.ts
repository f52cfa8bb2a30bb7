import type { Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

/**
 * rate-limiter-flexible's table, in exactly the shape its RateLimiterPostgres expects, so it
 * can run with `tableCreated: true` (docs/reference/pitfalls.md). SQLite (the embedded default, one
 * process) keeps its buckets in memory and needs no table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await db.schema
    .createTable('rate_limit_buckets')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await db.schema.dropTable('rate_limit_buckets').execute();
}
