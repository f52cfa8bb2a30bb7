import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { ConfigError } from '../config/config-error.js';
import type { DatabaseConfig } from '../config/config.js';
import type { Database } from './database.js';
import type { Tables } from './tables.js';

export interface CreateDatabaseOptions {
  /** Connections in the PostgreSQL pool (tests keep it small: docs/reference/pitfalls.md). */
  readonly poolSize?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * pg returns int8 (our epoch-millisecond columns, `count(*)`) as strings: parse them into
 * numbers here, per pool, instead of changing pg's process-wide type table.
 */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return (format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text')) as (value: string) => unknown;
  },
};

const secretQueryParameters = ['password', 'sslpassword', 'sslkey', 'pass'];

/**
 * `postgres://user:secret@host/db?sslpassword=x` → `postgres://user:***@host/db?sslpassword=***`,
 * for messages and `lifeline config`. Parsed as a URL, so an unencoded `@` in a password cannot
 * push part of it past the mask; anything unparsable is not shown at all.
 */
export function maskUrlCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const name of secretQueryParameters) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, '***');
    return parsed.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return `${url.split(':')[0] ?? 'database'}://(unparsable URL)`;
  }
}

/**
 * Keeps prepared statements by their SQL text. Kysely prepares every query anew, and on a cheap
 * read (a session look-up) preparing costs more than running; Kysely's SQL is parameterised, so
 * a few hundred distinct texts cover the whole application. A statement still busy (an open
 * iterator) is never handed out twice: a fresh one is prepared instead.
 */
function cacheStatements(connection: BetterSqlite3.Database, capacity = 500): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = connection.prepare.bind(connection);
  const cached = (source: string): BetterSqlite3.Statement => {
    const hit = cache.get(source);
    if (hit && !hit.busy) return hit;
    const statement = prepare(source);
    if (!hit) {
      if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  };
  connection.prepare = cached as typeof connection.prepare;
  return connection;
}

function openSqlite(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const connection = new BetterSqlite3(file);
  // WAL lets readers run beside the one writer (the CLI next to the server); busy_timeout makes
  // a second process wait for the write lock instead of failing at once (docs/reference/pitfalls.md).
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('synchronous = NORMAL');
  return cacheStatements(connection);
}

/**
 * Opens the database named by DATABASE_URL and checks that it answers, so a wrong URL stops
 * the start with a message naming DATABASE_URL rather than failing on the first request.
 */
export async function createDatabase(config: DatabaseConfig, options: CreateDatabaseOptions = {}): Promise<Database> {
  if (config.dialect === 'sqlite') {
    let connection: BetterSqlite3.Database;
    try {
      connection = openSqlite(config.path);
    } catch (error) {
      throw new ConfigError([`DATABASE_URL: cannot open the SQLite file ${config.path}: ${(error as Error).message}`]);
    }
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: connection }) });
    return { db, dialect: 'sqlite', pgPool: undefined, destroy: () => db.destroy() };
  }

  const pool = new pg.Pool({
    connectionString: config.url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    const reason = (error as Error).message || (error as NodeJS.ErrnoException).code || 'unknown error';
    throw new ConfigError([`DATABASE_URL: cannot connect to ${maskUrlCredentials(config.url)}: ${reason}`]);
  }
  return { db, dialect: 'postgres', pgPool: pool, destroy: () => db.destroy() };
}
