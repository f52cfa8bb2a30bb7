import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { randomToken } from '../../src/core/random.js';
import type { Database, DialectName } from '../../src/db/database.js';
import { createDatabase } from '../../src/db/create-database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * The dialects this run covers: SQLite always; PostgreSQL when the global setup found one
 * (with CI=true it must have). Integration suites loop over this list (as Kysely's own tests do).
 */
export function dialectsUnderTest(): DialectName[] {
  return inject('postgresUrl') ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A database of its own for one test file: created empty, dropped (or deleted) after. */
export interface TestDatabase {
  readonly dialect: DialectName;
  /** The DATABASE_URL a Lifeline process would use for it. */
  readonly url: string;
  /** For SQLite: the directory holding the file (DATA_DIR of a test process). */
  readonly dir: string;
  /** Drops the database (PostgreSQL: after closing our pools) or deletes its directory. */
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-test-'));
  if (dialect === 'sqlite') {
    return { dialect, url: `sqlite:${join(dir, 'lifeline.db')}`, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = inject('postgresUrl');
  if (!adminUrl) throw new Error('PostgreSQL is not available in this run');
  const name = `lifeline_test_${randomToken(9)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    dir,
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the test database through Lifeline's own code, as it is (no migration applied). */
export async function openTestDatabase(testDb: TestDatabase, poolSize: number): Promise<Database> {
  return createDatabase(
    testDb.dialect === 'sqlite' ? { dialect: 'sqlite', path: testDb.url.slice('sqlite:'.length), url: testDb.url } : { dialect: 'postgres', url: testDb.url },
    { poolSize },
  );
}

/** Opens the test database through Lifeline's own code and applies the migrations. */
export async function openMigrated(testDb: TestDatabase, poolSize = 12): Promise<Database> {
  const database = await openTestDatabase(testDb, poolSize);
  await migrateToLatest(database);
  return database;
}
