import { sql } from 'kysely';
import type { Database } from './database.js';
import { isSchemaCurrent } from './migrate.js';

export interface Readiness {
  readonly database: 'up' | 'down';
  readonly migrations: 'current' | 'pending' | 'unknown';
}

/** A probe must answer within a load balancer's patience, not wait for a pool's connect timeout. */
const READINESS_TIMEOUT_MS = 2000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether the database answers and every migration has been applied (GET /ready). */
export async function checkReadiness(database: Database, timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
  try {
    await within(sql`select 1`.execute(database.db), timeoutMs);
  } catch {
    return { database: 'down', migrations: 'unknown' };
  }
  try {
    return { database: 'up', migrations: (await within(isSchemaCurrent(database), timeoutMs)) ? 'current' : 'pending' };
  } catch {
    return { database: 'up', migrations: 'unknown' };
  }
}
