import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { createManualClock, SECOND, type ManualClock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/logger.js';
import type { Database, DialectName } from '../../src/db/database.js';
import { closeChannels } from '../../src/delivery/channels/create-channels.js';
import { buildAppFor } from '../../src/server.js';
import { createServices, type Services } from '../../src/services.js';
import type { Environment } from '../../src/config/parse-config.js';
import { captureLogs } from './log-capture.js';
import { testConfig } from './test-config.js';
import { createTestDatabase, openMigrated, type TestDatabase } from './test-database.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly config: Config;
  readonly database: Database;
  readonly testDb: TestDatabase;
  readonly clock: ManualClock;
  readonly logs: () => Record<string, unknown>[];
  readonly logLines: () => string[];
  /** Closes the app and database and drops the database. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly env?: Environment;
  /** Extra routes for tests of the HTTP plumbing, added before the app is ready. */
  readonly extendApp?: (app: FastifyInstance) => void;
  /** Share an existing test database (e.g. two app instances on one outbox). */
  readonly testDb?: TestDatabase;
  readonly logger?: Logger;
}

/**
 * A complete Lifeline (services + HTTP app, not listening; use `app.inject`) on a fresh
 * database of the given dialect, with a manual clock and captured logs.
 */
export async function createTestApp(dialect: DialectName, options: TestAppOptions = {}): Promise<TestApp> {
  const testDb = options.testDb ?? (await createTestDatabase(dialect));
  const config = testConfig({ DATABASE_URL: testDb.url, DATA_DIR: testDb.dir, ...options.env });
  const database = await openMigrated(testDb);
  const clock = createManualClock();
  const capture = captureLogs('info');
  const logger = options.logger ?? capture.logger;
  const services = createServices({ config, database, logger, clock });
  const app = await buildAppFor(services);
  options.extendApp?.(app);
  await app.ready();
  return {
    app,
    services,
    config,
    database,
    testDb,
    clock,
    logs: capture.records,
    logLines: capture.lines,
    async close() {
      await app.close();
      await services.passwordReset.drain();
      await services.worker.stop();
      await closeChannels(services.channels);
      await database.destroy();
      if (!options.testDb) await testDb.drop();
    },
  };
}

/**
 * A source of fresh client addresses in the block `prefix` (e.g. '198.32'): the n-th call answers
 * `prefix.⌊n/250⌋.(n mod 250)`. Each test file takes a block of its own, so no per-client bucket of
 * the rate limits is shared between tests (or files).
 */
export function ipSequence(prefix: string): () => string {
  let counter = 0;
  return () => {
    counter += 1;
    return `${prefix}.${Math.floor(counter / 250)}.${counter % 250}`;
  };
}

/**
 * The test app of the enclosing `describe`: registers a `beforeAll` that creates it on `dialect`
 * (createTestApp) and an `afterAll` that closes it. The answer is filled in by that `beforeAll`, so
 * use it in hooks and tests, not while the `describe` is being collected.
 */
export function useTestApp(dialect: DialectName, options: TestAppOptions = {}): TestApp {
  const handle = {} as TestApp;
  beforeAll(async () => {
    Object.assign(handle, await createTestApp(dialect, options));
  });
  afterAll(async () => handle.close());
  return handle;
}

/** Lets the delivery worker send what is due, then moves the clock one second on (the next step happens later). */
export async function settleOutbox(t: TestApp): Promise<void> {
  await t.services.worker.runOnce();
  t.clock.advance(SECOND);
}

/** The types of the security-log events stored for `accountId` (in the database's order). */
export async function securityEventTypes(t: TestApp, accountId: string): Promise<string[]> {
  return (await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', accountId).execute()).map((e) => e.type);
}
