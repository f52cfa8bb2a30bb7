import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { Database } from './database.js';
import * as m0001 from './migrations/0001-accounts.js';
import * as m0002 from './migrations/0002-verification.js';
import * as m0003 from './migrations/0003-outbox.js';
import * as m0004 from './migrations/0004-security-events.js';
import * as m0005 from './migrations/0005-rate-limits.js';
import * as m0006 from './migrations/0006-accounts-sessions.js';
import * as m0007 from './migrations/0007-recovery-emails.js';
import * as m0008 from './migrations/0008-recovery-phones.js';
import * as m0009 from './migrations/0009-phone-delivery.js';
import * as m0010 from './migrations/0010-password-reset-flows.js';
import * as m0011 from './migrations/0011-action-verifications.js';
import * as m0012 from './migrations/0012-account-deletion.js';
import * as m0013 from './migrations/0013-delayed-email-change.js';
import * as m0014 from './migrations/0014-held-changes.js';
import * as m0015 from './migrations/0015-held-setups.js';
import * as m0016 from './migrations/0016-email-change-requester.js';
import * as m0017 from './migrations/0017-settled-channels.js';
import * as m0018 from './migrations/0018-api-key-scopes.js';
import * as m0019 from './migrations/0019-oidc.js';
import * as m0020 from './migrations/0020-oidc-session-links.js';
import * as m0021 from './migrations/0021-webhooks-admin.js';
import * as m0022 from './migrations/0022-recovery-codes.js';

/**
 * Every migration, in order, imported explicitly (no directory listing at run time, so the
 * built tree and the sources can never disagree about which migrations exist).
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-accounts': m0001,
  '0002-verification': m0002,
  '0003-outbox': m0003,
  '0004-security-events': m0004,
  '0005-rate-limits': m0005,
  '0006-accounts-sessions': m0006,
  '0007-recovery-emails': m0007,
  '0008-recovery-phones': m0008,
  '0009-phone-delivery': m0009,
  '0010-password-reset-flows': m0010,
  '0011-action-verifications': m0011,
  '0012-account-deletion': m0012,
  '0013-delayed-email-change': m0013,
  '0014-held-changes': m0014,
  '0015-held-setups': m0015,
  '0016-email-change-requester': m0016,
  '0017-settled-channels': m0017,
  '0018-api-key-scopes': m0018,
  '0019-oidc': m0019,
  '0020-oidc-session-links': m0020,
  '0021-webhooks-admin': m0021,
  '0022-recovery-codes': m0022,
});

function createMigrator(database: Database): Migrator {
  return new Migrator({
    db: database.db,
    provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const reason = result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

const isBusy = (error: unknown) => /SQLITE_BUSY|database is locked/i.test(String((error as Error)?.message ?? error));

/**
 * Applies every pending migration; returns the names applied. On PostgreSQL Kysely holds an
 * advisory lock, so several instances starting together migrate once. On SQLite two
 * processes (server and CLI) can meet on the write lock: the loser tries again.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return unwrap(await createMigrator(database).migrateToLatest());
    } catch (error) {
      if (database.dialect !== 'sqlite' || !isBusy(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** Reverts the latest migration (operators: `lifeline migrate --down`). */
export async function migrateDown(database: Database): Promise<string[]> {
  return unwrap(await createMigrator(database).migrateDown());
}

/** True when every known migration has been applied (the readiness check). */
export async function isSchemaCurrent(database: Database): Promise<boolean> {
  const applied = await createMigrator(database).getMigrations();
  return applied.every((m) => m.executedAt !== undefined);
}
