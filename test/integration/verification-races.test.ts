import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { LifelineError } from '../../src/core/errors.js';
import { createKeyRing, type SecretKey } from '../../src/core/keyring.js';
import { newId } from '../../src/core/random.js';
import type { Database } from '../../src/db/database.js';
import { inTransaction } from '../../src/db/transaction.js';
import type { SecretPurpose } from '../../src/one-time-secrets/purposes.js';
import { createOneTimeSecretService, type ApplyRedeemed, type OneTimeSecretService } from '../../src/one-time-secrets/one-time-secret-service.js';
import { createOneTimeSecretRepository } from '../../src/one-time-secrets/one-time-secret-repository.js';
import { createTestDatabase, dialectsUnderTest, openMigrated, type TestDatabase } from '../helpers/test-database.js';

/**
 * Races on one-time secrets (docs/reference/contracts.md "One mechanism for one-time secrets"): parallel
 * redemptions never both win, parallel wrong guesses use up exactly the tries there are.
 *
 * PostgreSQL: 100 concurrent calls over a pool of 20 connections are a real race. SQLite:
 * Kysely uses one connection per process, so the in-process loop below proves little there
 * (docs/reference/pitfalls.md); the real SQLite race is two processes on one file, at the end.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD_SCRIPT = join(ROOT, 'test', 'helpers', 'verification-race-child.mjs');
const KEY: SecretKey = { id: 'race-key', key: Buffer.alloc(32, 5) };
const CONFIG = { verification: { maxAttempts: 5, maxFailuresPerHour: 10 } };

/** The service as services.ts wires it: the secrets read for a redemption are row-locked on PostgreSQL. */
const secretServiceOn = (database: Database, clock: ManualClock): OneTimeSecretService =>
  createOneTimeSecretService({
    database,
    clock,
    keys: createKeyRing(KEY),
    config: CONFIG,
    repository: createOneTimeSecretRepository({ lockRows: database.dialect === 'postgres' }),
  });
const PARALLEL = 100;
const SMS: SecretPurpose = 'recovery-phone-confirmation';
const LINK: SecretPurpose = 'recovery-email-confirmation';

type Settled<T> = PromiseSettledResult<T>;

/** How many calls won and how many failed with each LifelineError code (anything else is a bug). */
function tally<T>(results: readonly Settled<T>[]): { wins: number; errors: Record<string, number> } {
  const errors: Record<string, number> = {};
  let wins = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') {
      wins += 1;
    } else {
      const code = r.reason instanceof LifelineError ? r.reason.code : `unexpected: ${String(r.reason)}`;
      errors[code] = (errors[code] ?? 0) + 1;
    }
  }
  return { wins, errors };
}

function wrongDigits(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** A link token of the right form whose secret differs from the real one in its last character. */
function forgedLink(token: string): string {
  return `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
}

interface Fixture {
  readonly database: Database;
  readonly clock: ManualClock;
  readonly service: OneTimeSecretService;
}

/** What every race leaves behind in the database, for the assertions. */
async function stateOf(database: Database, secretId: string, accountId: string) {
  const secret = await database.db.selectFrom('verification_secrets').select(['attempts_left', 'used_at']).where('id', '=', secretId).executeTakeFirstOrThrow();
  const failures = await database.db.selectFrom('verification_failures').select('id').where('account_id', '=', accountId).execute();
  const applied = await database.db.selectFrom('security_events').select('id').where('account_id', '=', accountId).where('type', '=', 'race-applied').execute();
  return { attemptsLeft: secret.attempts_left, used: secret.used_at !== null, failures: failures.length, applied: applied.length };
}

async function newAccount(fixture: Fixture): Promise<string> {
  const id = newId();
  await fixture.database.db
    .insertInto('accounts')
    .values({ id, email: `${id}@example.test`, email_normalized: `${id}@example.test`, locale: 'de', created_at: fixture.clock.now() })
    .execute();
  return id;
}

/** Wrong guesses through the service, one at a time, on as many codes as it takes (5 tries each). */
async function spendFailures(fixture: Fixture, accountId: string, failures: number): Promise<void> {
  for (let spent = 0; spent < failures;) {
    const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId });
    for (let i = 0; i < 5 && spent < failures; i++, spent++) {
      await expect(fixture.service.redeemCode({ purpose: SMS, accountId, code: wrongDigits(code.secret) }, async () => 'x')).rejects.toMatchObject({
        code: 'wrong-code',
      });
    }
  }
  expect(await fixture.service.failuresInLastHour(accountId, SMS)).toBe(failures);
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: ${PARALLEL} parallel redemptions in one process${dialect === 'sqlite' ? ' (serialised by the one connection)' : ' (pool of 20: a real race)'}`, () => {
    let testDb: TestDatabase;
    let fixture: Fixture;
    const clock = createManualClock();

    beforeAll(async () => {
      testDb = await createTestDatabase(dialect);
      const database = await openMigrated(testDb, 20);
      fixture = { database, clock, service: secretServiceOn(database, clock) };
    });
    afterAll(async () => {
      await fixture?.database.destroy();
      await testDb?.drop();
    });

    /** apply records each run in memory and, in the redeeming transaction, in the security log. */
    let applyRuns = 0;
    const apply: ApplyRedeemed<string> = async (trx, secret) => {
      applyRuns += 1;
      await trx
        .insertInto('security_events')
        .values({ id: newId(), account_id: secret.accountId, type: 'race-applied', ip: null, user_agent: null, details: null, created_at: clock.now() })
        .execute();
      return 'applied';
    };
    beforeEach(async () => {
      applyRuns = 0;
      // Open all 20 connections first: a cold pool connects one by one, and the first
      // transactions would finish before the others start.
      if (dialect === 'postgres') await Promise.all(Array.from({ length: 20 }, () => sql`select pg_sleep(0.02)`.execute(fixture.database.db)));
    });

    it('the same correct code: exactly one winner, the others code-expired, apply ran once (docs/reference/security-requirements.md 3.3, 4.4)', async () => {
      const account = await newAccount(fixture);
      const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId: account });
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () => fixture.service.redeemCode({ purpose: SMS, accountId: account, code: code.secret }, apply)),
      );
      expect(tally(results)).toEqual({ wins: 1, errors: { 'code-expired': PARALLEL - 1 } });
      expect(applyRuns).toBe(1);
      expect(await stateOf(fixture.database, code.id, account)).toEqual({ attemptsLeft: 5, used: true, failures: 0, applied: 1 });
    });

    it('wrong guesses on a 5-try code: exactly 5 counted, 5 wrong-code, the rest code-expired (burnt); then the right code is refused (docs/reference/security-requirements.md 4.5, 3.10)', async () => {
      const account = await newAccount(fixture);
      const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId: account });
      const wrong = wrongDigits(code.secret);
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () => fixture.service.redeemCode({ purpose: SMS, accountId: account, code: wrong }, apply)),
      );
      expect(tally(results)).toEqual({ wins: 0, errors: { 'wrong-code': 5, 'code-expired': PARALLEL - 5 } });
      const attemptsReported = results.flatMap((r) =>
        r.status === 'rejected' && (r.reason as LifelineError).code === 'wrong-code' ? [(r.reason as LifelineError).params.triesLeft] : [],
      );
      expect(attemptsReported.sort()).toEqual([0, 1, 2, 3, 4]); // each try taken exactly once
      expect(await stateOf(fixture.database, code.id, account)).toEqual({ attemptsLeft: 0, used: false, failures: 5, applied: 0 });
      expect(await fixture.service.failuresInLastHour(account, SMS)).toBe(5);
      await expect(fixture.service.redeemCode({ purpose: SMS, accountId: account, code: code.secret }, apply)).rejects.toMatchObject({
        code: 'code-expired',
        reason: 'code-used-up',
      });
      expect(applyRuns).toBe(0);
    });

    it('the same link: exactly one winner, apply ran once (docs/reference/security-requirements.md 3.3)', async () => {
      const account = await newAccount(fixture);
      const link = await fixture.service.issue(fixture.database.db, { purpose: LINK, accountId: account });
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () => fixture.service.redeemLink({ purpose: LINK, token: link.secret }, apply)),
      );
      expect(tally(results)).toEqual({ wins: 1, errors: { 'invalid-or-expired': PARALLEL - 1 } });
      expect(applyRuns).toBe(1);
      expect(await stateOf(fixture.database, link.id, account)).toEqual({ attemptsLeft: 5, used: true, failures: 0, applied: 1 });
    });

    it('forged link secrets: exactly 5 counted, then the real link is refused (docs/reference/security-requirements.md 3.10)', async () => {
      const account = await newAccount(fixture);
      const link = await fixture.service.issue(fixture.database.db, { purpose: LINK, accountId: account });
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () => fixture.service.redeemLink({ purpose: LINK, token: forgedLink(link.secret) }, apply)),
      );
      expect(tally(results)).toEqual({ wins: 0, errors: { 'code-incorrect': 5, 'code-used-up': PARALLEL - 5 } });
      expect(await stateOf(fixture.database, link.id, account)).toEqual({ attemptsLeft: 0, used: false, failures: 5, applied: 0 });
      await expect(fixture.service.redeemLink({ purpose: LINK, token: link.secret }, apply)).rejects.toMatchObject({ code: 'code-used-up' });
    });

    it('wrong guesses at 8 failures in the hour: the hourly count stops at exactly 10, then even the right code is refused (docs/reference/security-requirements.md 4.5)', async () => {
      const account = await newAccount(fixture);
      await spendFailures(fixture, account, 8);
      const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId: account });
      const wrong = wrongDigits(code.secret);
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () => fixture.service.redeemCode({ purpose: SMS, accountId: account, code: wrong }, apply)),
      );
      expect(tally(results)).toEqual({ wins: 0, errors: { 'wrong-code': 2, 'too-many-attempts': PARALLEL - 2 } });
      expect(await fixture.service.failuresInLastHour(account, SMS)).toBe(10);
      expect((await stateOf(fixture.database, code.id, account)).attemptsLeft).toBe(3);
      await expect(fixture.service.redeemCode({ purpose: SMS, accountId: account, code: code.secret }, apply)).rejects.toMatchObject({
        code: 'too-many-attempts',
      });
    });

    it('right and wrong guesses mixed: at most one winner, never more than 5 tries counted (docs/reference/security-requirements.md 3.3, 4.5)', async () => {
      const account = await newAccount(fixture);
      const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId: account });
      const wrong = wrongDigits(code.secret);
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, (_, i) =>
          fixture.service.redeemCode({ purpose: SMS, accountId: account, code: i % 2 === 0 ? code.secret : wrong }, apply),
        ),
      );
      const { wins, errors } = tally(results);
      const state = await stateOf(fixture.database, code.id, account);
      expect(wins).toBeLessThanOrEqual(1);
      expect(applyRuns).toBe(wins);
      expect(state.applied).toBe(wins);
      expect(state.used).toBe(wins === 1);
      expect(state.failures).toBe(errors['wrong-code'] ?? 0);
      expect(state.failures).toBeLessThanOrEqual(5);
      expect(state.attemptsLeft).toBe(5 - state.failures);
      expect(Object.keys(errors).every((c) => ['code-expired', 'wrong-code', 'too-many-attempts'].includes(c))).toBe(true);
    });

    it('issuing in parallel ("send again" clicked twice) leaves exactly one live secret', async () => {
      const account = await newAccount(fixture);
      const issued = await Promise.all(
        Array.from({ length: 10 }, () => inTransaction(fixture.database, (trx) => fixture.service.issue(trx, { purpose: LINK, accountId: account }))),
      );
      const live = await fixture.database.db
        .selectFrom('verification_secrets')
        .select('id')
        .where('account_id', '=', account)
        .where('used_at', 'is', null)
        .execute();
      expect(live).toHaveLength(1);
      const results = await Promise.allSettled(issued.map((secret) => fixture.service.redeemLink({ purpose: LINK, token: secret.secret }, apply)));
      expect(tally(results).wins).toBe(1);
    });
  });
}

// ─── SQLite: two processes, two connections, one file ────────────────────────────────────────

interface ChildResult {
  readonly pid: number;
  readonly wins: number;
  readonly applyCalls: number;
  readonly errors: Record<string, number>;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** One round of a race: what each child fires `count` times at once. */
interface Round {
  readonly mode: 'code' | 'link';
  readonly purpose: SecretPurpose;
  readonly accountId: string;
  readonly secret: string;
  readonly count: number;
  /** Epoch ms (the real clock) at which both children start firing. */
  readonly startAt: number;
}

/**
 * Starts test/helpers/verification-race-child.mjs: a process of its own with its own SQLite
 * connection to the file. `run` sends it a round and resolves with the outcome it prints.
 */
function startChild(args: { dbPath: string; key: SecretKey; now: number }) {
  const payload = JSON.stringify({
    dbPath: args.dbPath,
    key: { id: args.key.id, base64: args.key.key.toString('base64') },
    now: args.now,
    ...CONFIG.verification,
  });
  const child = spawn(process.execPath, [CHILD_SCRIPT, payload], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  const exited = new Promise<void>((resolve) => {
    child.on('close', (code) => {
      for (const w of waiting.splice(0)) w.reject(new Error(`race child exited with ${code}:\n${stderr}`));
      resolve();
    });
  });
  const nextLine = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = nextLine().then((line) => {
    if (line !== '{"ready":true}') throw new Error(`race child did not start: ${line}\n${stderr}`);
  });
  return {
    ready,
    run(round: Round): Promise<ChildResult> {
      const answer = nextLine().then((line) => JSON.parse(line) as ChildResult);
      child.stdin.write(`${JSON.stringify(round)}\n`);
      return answer;
    },
    async close(): Promise<void> {
      child.stdin.end();
      await exited;
    },
  };
}

/** The children run dist/: refuse to race against a missing or stale build. */
function assertBuiltCodeIsCurrent(): void {
  const pairs = [
    ['src/one-time-secrets/one-time-secret-service.ts', 'dist/one-time-secrets/one-time-secret-service.js'],
    ['src/one-time-secrets/one-time-secret-repository.ts', 'dist/one-time-secrets/one-time-secret-repository.js'],
    ['src/one-time-secrets/secret-format.ts', 'dist/one-time-secrets/secret-format.js'],
    ['src/db/transaction.ts', 'dist/db/transaction.js'],
    ['src/db/create-database.ts', 'dist/db/create-database.js'],
  ] as const;
  for (const [source, built] of pairs) {
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` before these tests (npm test does)`);
    if (statSync(join(ROOT, source)).mtimeMs > statSync(join(ROOT, built)).mtimeMs) {
      throw new Error(`${built} is older than ${source}: run \`npm run build\` before these tests (npm test does)`);
    }
  }
}

const sum = (results: readonly ChildResult[], pick: (r: ChildResult) => number) => results.reduce((total, r) => total + pick(r), 0);
const mergedErrors = (results: readonly ChildResult[]) => {
  const merged: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.errors)) merged[code] = (merged[code] ?? 0) + n;
  return merged;
};

describe('sqlite: two processes racing on one file (BEGIN IMMEDIATE, busy_timeout 5000)', () => {
  const PER_PROCESS = 100;
  const clock = createManualClock();
  let testDb: TestDatabase;
  let fixture: Fixture;
  let children: ReturnType<typeof startChild>[] = [];

  beforeAll(async () => {
    assertBuiltCodeIsCurrent();
    testDb = await createTestDatabase('sqlite');
    const database = await openMigrated(testDb);
    fixture = { database, clock, service: secretServiceOn(database, clock) };
    const dbPath = testDb.url.slice('sqlite:'.length);
    children = [startChild({ dbPath, key: KEY, now: clock.now() }), startChild({ dbPath, key: KEY, now: clock.now() })];
    await Promise.all(children.map((c) => c.ready));
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.close()));
    await fixture?.database.destroy();
    await testDb?.drop();
  });

  /** Sends the same round to both processes at once. */
  const race = async (round: Omit<Round, 'count' | 'startAt'>): Promise<ChildResult[]> => {
    const startAt = performance.timeOrigin + performance.now() + 100;
    const results = await Promise.all(children.map((c) => c.run({ ...round, count: PER_PROCESS, startAt })));
    expect(new Set(results.map((r) => r.pid)).size).toBe(2);
    // It was a race: each process was still redeeming when the other began.
    expect(Math.max(...results.map((r) => r.startedAt))).toBeLessThan(Math.min(...results.map((r) => r.finishedAt)));
    return results;
  };

  it('the same correct code from two processes: exactly one winner across both, apply ran once (docs/reference/security-requirements.md 3.3, 4.4)', async () => {
    const account = await newAccount(fixture);
    const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId: account });
    const results = await race({ mode: 'code', purpose: SMS, accountId: account, secret: code.secret });
    expect(sum(results, (r) => r.wins)).toBe(1);
    expect(sum(results, (r) => r.applyCalls)).toBe(1);
    expect(mergedErrors(results)).toEqual({ 'code-expired': 2 * PER_PROCESS - 1 });
    expect(await stateOf(fixture.database, code.id, account)).toEqual({ attemptsLeft: 5, used: true, failures: 0, applied: 1 });
  });

  it('the same link from two processes: exactly one winner across both (docs/reference/security-requirements.md 3.3)', async () => {
    const account = await newAccount(fixture);
    const link = await fixture.service.issue(fixture.database.db, { purpose: LINK, accountId: account });
    const results = await race({ mode: 'link', purpose: LINK, accountId: account, secret: link.secret });
    expect(sum(results, (r) => r.wins)).toBe(1);
    expect(sum(results, (r) => r.applyCalls)).toBe(1);
    expect(mergedErrors(results)).toEqual({ 'invalid-or-expired': 2 * PER_PROCESS - 1 });
    expect(await stateOf(fixture.database, link.id, account)).toEqual({ attemptsLeft: 5, used: true, failures: 0, applied: 1 });
  });

  it('wrong guesses from two processes on a 5-try code: exactly 5 counted, then the right code is refused (docs/reference/security-requirements.md 4.5, 3.10)', async () => {
    const account = await newAccount(fixture);
    const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId: account });
    const results = await race({ mode: 'code', purpose: SMS, accountId: account, secret: wrongDigits(code.secret) });
    expect(sum(results, (r) => r.wins)).toBe(0);
    expect(mergedErrors(results)).toEqual({ 'wrong-code': 5, 'code-expired': 2 * PER_PROCESS - 5 });
    expect(await stateOf(fixture.database, code.id, account)).toEqual({ attemptsLeft: 0, used: false, failures: 5, applied: 0 });
    const apply = vi.fn<ApplyRedeemed<string>>(async () => 'applied');
    await expect(fixture.service.redeemCode({ purpose: SMS, accountId: account, code: code.secret }, apply)).rejects.toMatchObject({
      code: 'code-expired',
      reason: 'code-used-up',
    });
    expect(apply).not.toHaveBeenCalled();
  });

  it('wrong guesses from two processes at 8 failures in the hour: the hourly count stops at exactly 10 (docs/reference/security-requirements.md 4.5)', async () => {
    const account = await newAccount(fixture);
    await spendFailures(fixture, account, 8);
    const code = await fixture.service.issue(fixture.database.db, { purpose: SMS, accountId: account });
    const results = await race({ mode: 'code', purpose: SMS, accountId: account, secret: wrongDigits(code.secret) });
    expect(mergedErrors(results)).toEqual({ 'wrong-code': 2, 'too-many-attempts': 2 * PER_PROCESS - 2 });
    expect(await fixture.service.failuresInLastHour(account, SMS)).toBe(10);
    expect((await stateOf(fixture.database, code.id, account)).attemptsLeft).toBe(3);
  });

  it('forged link secrets from two processes: exactly 5 counted (docs/reference/security-requirements.md 3.10)', async () => {
    const account = await newAccount(fixture);
    const link = await fixture.service.issue(fixture.database.db, { purpose: LINK, accountId: account });
    const results = await race({ mode: 'link', purpose: LINK, accountId: account, secret: forgedLink(link.secret) });
    expect(mergedErrors(results)).toEqual({ 'code-incorrect': 5, 'code-used-up': 2 * PER_PROCESS - 5 });
    expect(await stateOf(fixture.database, link.id, account)).toEqual({ attemptsLeft: 0, used: false, failures: 5, applied: 0 });
  });
});
