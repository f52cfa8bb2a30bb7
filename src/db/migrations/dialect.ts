import { PostgresAdapter, type Kysely } from 'kysely';

/** Migrations receive only a Kysely instance; this tells them which dialect it speaks. */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Epoch-millisecond columns: bigint on PostgreSQL; SQLite stores any integer in it. */
export const EPOCH_MS = 'bigint' as const;
