import { sql } from 'kysely';
import type { Database, Executor } from './database.js';

/**
 * Runs `work` in one write transaction and returns its result; rolls back if it throws.
 *
 * On SQLite the transaction starts with BEGIN IMMEDIATE: it takes the write lock up front,
 * so a read-then-write can never be interleaved with another process's write (a deferred
 * BEGIN would fail with SQLITE_BUSY when it tries to upgrade). Kysely's own
 * `db.transaction()` would begin deferred, so nothing outside `db/` calls it (lint rule).
 */
export async function inTransaction<T>(database: Database, work: (trx: Executor) => Promise<T>): Promise<T> {
  if (database.dialect === 'postgres') {
    return database.db.transaction().execute(work);
  }
  return database.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}
