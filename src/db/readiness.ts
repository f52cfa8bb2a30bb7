import { sql } from 'kysely';
import type { Database } from './database.js';
import { isSchemaCurrent } from './migrate.js';

export interface Readiness {
  readonly database: 'up' | 'down';
  readonly migrations: 'current' | 'pending' | 'unknown';
}

/** Whether the database answers and every migration has been applied (GET /ready). */
export async function checkReadiness(database: Database): Promise<Readiness> {
  try {
    await sql`select 1`.execute(database.db);
  } catch {
    return { database: 'down', migrations: 'unknown' };
  }
  try {
    return { database: 'up', migrations: (await isSchemaCurrent(database)) ? 'current' : 'pending' };
  } catch {
    return { database: 'up', migrations: 'unknown' };
  }
}
