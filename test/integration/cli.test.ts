import { createOutboxRepository } from '../../src/delivery/outbox/outbox-repository.js';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import { createOutbox } from '../../src/delivery/outbox/outbox.js';
import { systemClock } from '../../src/core/clock.js';
import { outgoingMessage } from '../helpers/outbox-message.js';
import { TEST_SECRET_KEY } from '../helpers/test-config.js';
import { createTestDatabase, dialectsUnderTest, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cliPath = join(root, 'dist', 'cli', 'main.js');
const mainPath = join(root, 'dist', 'main.js');

/** Runs the built CLI (npm test builds before the tests) like `npx lifeline …` would. */
async function lifeline(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)|node:internal/);

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: lifeline CLI`, () => {
    let testDb: TestDatabase;
    let env: Record<string, string>;
    beforeAll(async () => {
      testDb = await createTestDatabase(dialect);
      env = { DATABASE_URL: testDb.url, DATA_DIR: testDb.dir, SECRET_KEY: TEST_SECRET_KEY, PUBLIC_URL: 'http://127.0.0.1:3999' };
    });
    afterAll(async () => testDb.drop());

    it('migrate applies every migration once, then reports the schema current', async () => {
      const first = await lifeline(['migrate'], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('applied 0001-accounts');
      expect(first.stdout).toContain('applied 0005-rate-limits');
      const second = await lifeline(['migrate'], env);
      expect(second.stdout).toContain('schema is up to date');
    });

    it('mail-test queues through the outbox; outbox lists it; --wait delivers it', async () => {
      const queued = await lifeline(['mail-test', '--to', 'Operator@Example.com'], env);
      expect(queued.code).toBe(0);
      expect(queued.stdout).toMatch(/queued test mail [0-9a-f-]{36} to operator@example.com/);
      const listed = await lifeline(['outbox'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('1 queued');
      expect(listed.stdout).toContain('QUEUED  email → operator@example.com  [operator.test-mail]');
      const delivered = await lifeline(['mail-test', '--to', 'ops@example.com', '--locale', 'en', '--wait'], env);
      expect(delivered.code).toBe(0);
      expect(delivered.stdout).toContain('delivered');
      const json = JSON.parse((await lifeline(['outbox', '--status', 'all', '--json'], env)).stdout) as {
        counts: Record<string, number>;
        messages: { status: string }[];
      };
      expect(json.counts.sent).toBe(2); // --wait's worker round took the first one too
      expect(json.messages.every((m) => m.status === 'sent')).toBe(true);
    });

    it('api-key create prints a key once, list never shows one, revoke stops it; bad names and doubles are refused', async () => {
      const created = await lifeline(['api-key', 'create', 'billing'], env);
      expect(created.code).toBe(0);
      const key = /llk_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0];
      expect(key).toBeDefined();
      const again = await lifeline(['api-key', 'create', 'billing'], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists already');
      const bad = await lifeline(['api-key', 'create', 'no spaces'], env);
      expect(bad.code).toBe(2);
      noStackTrace(bad.stderr);
      expect((await lifeline(['api-key', 'create'], env)).code).toBe(2);
      const listed = await lifeline(['api-key', 'list'], env);
      expect(listed.stdout).toMatch(/^billing {2}active {2}created \S+ {2}last used - {2}scopes verifications$/m);
      expect(listed.stdout).not.toContain(String(key?.split('.')[1]));
      const revoked = await lifeline(['api-key', 'revoke', 'billing'], env);
      expect(revoked.code).toBe(0);
      expect((await lifeline(['api-key', 'revoke', 'billing'], env)).code).toBe(1);
      const json = JSON.parse((await lifeline(['api-key', 'list', '--json'], env)).stdout) as { name: string; revokedAt: string | null }[];
      expect(json).toEqual([expect.objectContaining({ name: 'billing', revokedAt: expect.any(String) })]);
    });

    it('api-key create --scope stores scopes; --json prints exactly name, key and scopes; list shows scopes; a bad scope is refused (exit 2)', async () => {
      const json = await lifeline(['api-key', 'create', 'backoffice', '--scope', 'admin:read', '--scope', 'admin:write', '--json'], env);
      expect(json.code).toBe(0);
      const created = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(Object.keys(created).sort()).toEqual(['key', 'name', 'scopes']);
      expect(created).toEqual({
        name: 'backoffice',
        key: expect.stringMatching(/^llk_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/),
        scopes: ['admin:read', 'admin:write'],
      });
      expect(json.stdout.trim().split('\n')).toHaveLength(1); // one JSON document, nothing else on stdout
      const plain = JSON.parse((await lifeline(['api-key', 'create', 'plain-host', '--json'], env)).stdout) as { scopes: string[] };
      expect(plain.scopes).toEqual(['verifications']);
      const comma = JSON.parse((await lifeline(['api-key', 'create', 'events-host', '--scope', 'events,verifications', '--json'], env)).stdout) as {
        scopes: string[];
      };
      expect(comma.scopes).toEqual(['verifications', 'events']);
      for (const bad of [
        ['--scope', 'admin'],
        ['--scope', 'verifications', '--scope', 'root'],
        ['--scope', ''],
      ]) {
        const refused = await lifeline(['api-key', 'create', 'never-stored', ...bad], env);
        expect(refused.code, bad.join(' ')).toBe(2);
        expect(refused.stderr).toMatch(/--scope: ".*" is not a scope; use one or more of verifications, admin:read, admin:write, events/);
        expect(refused.stdout).toBe('');
        noStackTrace(refused.stderr);
      }
      const listed = await lifeline(['api-key', 'list'], env);
      expect(listed.stdout).toMatch(/^backoffice {2}active .* {2}scopes admin:read,admin:write$/m);
      expect(listed.stdout).toMatch(/^plain-host {2}active .* {2}scopes verifications$/m);
      const listedJson = JSON.parse((await lifeline(['api-key', 'list', '--json'], env)).stdout) as { name: string; scopes: string[] }[];
      expect(listedJson.find((k) => k.name === 'backoffice')?.scopes).toEqual(['admin:read', 'admin:write']);
      expect(listedJson.some((k) => k.name === 'never-stored')).toBe(false);
    });

    it('client create | list | revoke: one JSON document with the secret once; list never shows it; wrong input exits 2 and stores nothing', async () => {
      const made = await lifeline(
        [
          'client',
          'create',
          'Kundenportal',
          '--redirect-uri',
          'https://portal.example/cb',
          '--redirect-uri',
          'http://127.0.0.1:8080/cb',
          '--backchannel-logout-uri',
          'https://portal.example/bcl',
          '--first-party',
          '--json',
        ],
        env,
      );
      expect(made.code).toBe(0);
      expect(made.stdout.trim().split('\n')).toHaveLength(1);
      const created = JSON.parse(made.stdout) as { clientId: string; clientSecret: string };
      expect(Object.keys(created).sort()).toEqual(['clientId', 'clientSecret']);
      const spa = JSON.parse(
        (await lifeline(['client', 'create', 'SPA', '--redirect-uri', 'https://spa.example/cb', '--public', '--json'], env)).stdout,
      ) as Record<string, unknown>;
      expect(Object.keys(spa)).toEqual(['clientId']);
      for (const bad of [
        [],
        ['--redirect-uri', 'https://a.example/cb#x'],
        ['--redirect-uri', 'ftp://a.example/cb'],
        ['--redirect-uri', 'https://a.example/cb', '--backchannel-logout-uri', 'nope'],
      ]) {
        const refused = await lifeline(['client', 'create', 'never-stored', ...bad, '--json'], env);
        expect(refused.code, bad.join(' ')).toBe(2);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toMatch(/lifeline client create: /);
        noStackTrace(refused.stderr);
      }
      const listed = await lifeline(['client', 'list', '--json'], env);
      expect(listed.stdout).not.toContain(created.clientSecret);
      const clients = JSON.parse(listed.stdout) as {
        clientId: string;
        name: string;
        firstParty: boolean;
        public: boolean;
        backchannelLogoutUri: string | null;
        revokedAt: string | null;
      }[];
      expect(clients.find((c) => c.clientId === created.clientId)).toMatchObject({
        name: 'Kundenportal',
        firstParty: true,
        public: false,
        backchannelLogoutUri: 'https://portal.example/bcl',
        revokedAt: null,
      });
      expect(clients.some((c) => c.name === 'never-stored')).toBe(false);
      expect((await lifeline(['client', 'revoke', created.clientId], env)).code).toBe(0);
      expect((await lifeline(['client', 'revoke', created.clientId], env)).code).toBe(1);
      expect((await lifeline(['client', 'list'], env)).stdout).toMatch(new RegExp(`^${created.clientId} {2}Kundenportal {2}REVOKED`, 'm'));
      const keys = JSON.parse((await lifeline(['oidc-keys', 'list', '--json'], env)).stdout) as { kid: string; signing: boolean }[];
      expect(keys.filter((k) => k.signing)).toHaveLength(1);
      expect((await lifeline(['oidc-keys', 'retire', keys[0]?.kid ?? ''], env)).code).toBe(1);
    });

    it('outbox masks codes and links of waiting messages', async () => {
      const database = await openTestDatabase(testDb, 2);
      try {
        await inTransaction(database, (trx) =>
          createOutbox({ database, clock: systemClock, repository: createOutboxRepository(database) }).enqueue(
            trx,
            outgoingMessage('test.code', 'sms', '+4915112345678', {
              subject: 'SMS',
              text: 'Ihr Code:\n493817\nhttp://127.0.0.1:3999/reset?token=abc.SECRETSECRET',
              secrets: ['493817', 'abc.SECRETSECRET'],
            }),
          ),
        );
      } finally {
        await database.destroy();
      }
      const listed = await lifeline(['outbox'], env);
      expect(listed.stdout).toContain('[test.code]');
      expect(listed.stdout).not.toContain('493817');
      expect(listed.stdout).not.toContain('SECRETSECRET');
      expect(listed.stdout).toContain('••••••');
    });

    it('webhook create | list | rotate | revoke: one JSON document with the secret once; list never shows it; wrong input exits 2 and stores nothing', async () => {
      const made = await lifeline(['webhook', 'create', 'http://127.0.0.1:9/hook', '--events', 'account.created,account.deleted', '--json'], env);
      expect(made.code).toBe(0);
      expect(made.stdout.trim().split('\n')).toHaveLength(1);
      const hook = JSON.parse(made.stdout) as { id: string; secret: string; events: string[] };
      expect(hook.id).toMatch(/^wh_/);
      expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(hook.events).toEqual(['account.created', 'account.deleted']);
      const listed = await lifeline(['webhook', 'list'], env);
      expect(listed.stdout).toContain(hook.id);
      expect(listed.stdout).toContain('account.created,account.deleted');
      expect(listed.stdout).not.toContain(hook.secret.slice(6, 20));
      const rotated = JSON.parse((await lifeline(['webhook', 'rotate', hook.id, '--json'], env)).stdout) as { secret: string; previousSecretUntil: string };
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(hook.secret);
      expect(Date.parse(rotated.previousSecretUntil)).toBeGreaterThan(Date.now() + 23 * 3600_000);
      expect((await lifeline(['webhook', 'list'], env)).stdout).toContain('previous secret signs until');
      for (const args of [['ftp://example.com/x'], ['https://u:p@example.com/x'], ['http://127.0.0.1:9/x', '--events', 'account.hacked']]) {
        const wrong = await lifeline(['webhook', 'create', ...args], env);
        expect(wrong.code, args.join(' ')).toBe(2);
        expect(wrong.stderr).toMatch(/lifeline webhook create: /);
        noStackTrace(wrong.stderr);
      }
      expect(JSON.parse((await lifeline(['webhook', 'list', '--json'], env)).stdout)).toHaveLength(1);
      expect((await lifeline(['webhook', 'revoke', hook.id], env)).code).toBe(0);
      expect((await lifeline(['webhook', 'revoke', hook.id], env)).code).toBe(1);
      expect((await lifeline(['webhook', 'rotate', hook.id], env)).code).toBe(1);
      expect((await lifeline(['webhook', 'list'], env)).stdout).toContain('REVOKED');
    });

    it('account find | disable | enable | revoke-sessions | send-reset | delete: the admin API for operators; unknown ids exit 1, delete needs --yes', async () => {
      const database = await openTestDatabase(testDb, 2);
      const id = '11111111-2222-4333-8444-555555555555';
      try {
        await database.db
          .insertInto('accounts')
          .values({
            id,
            email: 'Kundin@Example.com',
            email_normalized: 'kundin@example.com',
            password_hash: 'x',
            locale: 'de',
            time_zone: 'Europe/Berlin',
            created_at: Date.now(),
            updated_at: Date.now(),
            email_verified_at: Date.now(),
            password_changed_at: Date.now(),
            signup_notice_at: null,
            throttle_notice_at: null,
          })
          .execute();
      } finally {
        await database.destroy();
      }
      const found = await lifeline(['account', 'find', 'kundin@example.com', '--json'], env);
      expect(found.code).toBe(0);
      expect(JSON.parse(found.stdout)).toEqual({ items: [expect.objectContaining({ id, disabled: false, recovery: { email: 'none', phone: 'none' } })] });
      expect((await lifeline(['account', 'find', 'niemand@example.com'], env)).code).toBe(1);
      const disabled = await lifeline(['account', 'disable', id], env);
      expect(disabled.code).toBe(0);
      expect(disabled.stderr).toContain('disabled');
      expect((await lifeline(['account', 'disable', id], env)).stderr).toContain('nothing changed');
      expect(
        (JSON.parse((await lifeline(['account', 'find', 'kundin@example.com', '--json'], env)).stdout) as { items: { disabled: boolean }[] }).items[0]
          ?.disabled,
      ).toBe(true);
      expect((await lifeline(['account', 'enable', id], env)).code).toBe(0);
      expect((await lifeline(['account', 'revoke-sessions', id], env)).code).toBe(0);
      expect((await lifeline(['account', 'send-reset', id], env)).code).toBe(0);
      const unknown = await lifeline(['account', 'disable', '99999999-2222-4333-8444-555555555555'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no account');
      noStackTrace(unknown.stderr);
      const unsure = await lifeline(['account', 'delete', id], env);
      expect(unsure.code).toBe(2);
      expect(unsure.stderr).toContain('--yes');
      expect((await lifeline(['account', 'delete', id, '--yes'], env)).code).toBe(0);
      expect((await lifeline(['account', 'find', 'kundin@example.com'], env)).code).toBe(1);
    });

    it('the worker command delivers and stops on SIGTERM', async () => {
      const child = spawn(process.execPath, [cliPath, 'worker'], { env: { PATH: process.env.PATH ?? '', ...env, OUTBOX_POLL_INTERVAL_MS: '100' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const deadline = Date.now() + 15_000;
      let pending = 1;
      while (Date.now() < deadline && pending > 0) {
        await new Promise((r) => setTimeout(r, 200));
        const json = JSON.parse((await lifeline(['outbox', '--status', 'all', '--json'], env)).stdout) as { counts: Record<string, number> };
        pending = (json.counts.queued ?? 0) + (json.counts.processing ?? 0);
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(pending).toBe(0);
      expect(stderr).toContain('delivering');
    });
  });
}

describe('lifeline CLI: wrong input stops with a clear message, never a stack trace', () => {
  const env = { SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: '/tmp/lifeline-cli-unused' };

  it('a wrong DATABASE_URL is named (exit 1)', async () => {
    const r = await lifeline(['migrate'], { ...env, DATABASE_URL: 'mysql://nowhere' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL: must be sqlite:PATH or postgres://');
    noStackTrace(r.stderr);
  });

  it('an unreachable PostgreSQL is named, its password masked (exit 1)', async () => {
    const r = await lifeline(['migrate'], { ...env, DATABASE_URL: 'postgres://lifeline:hunter2@127.0.0.1:1/lifeline' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL: cannot connect to postgres:\/\/lifeline:\*\*\*@127\.0\.0\.1:1\/lifeline/);
    expect(r.stderr).not.toContain('hunter2');
    noStackTrace(r.stderr);
  });

  it('an unknown environment value is named (exit 1)', async () => {
    const r = await lifeline(['config'], { ...env, LOG_LEVEL: 'chatty', NODE_ENV: 'staging' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LOG_LEVEL: must be one of');
    expect(r.stderr).toContain('NODE_ENV: must be development, production or test (got "staging")');
    noStackTrace(r.stderr);
  });

  it.each([
    [['mail-test', '--to', 'not-an-address'], '--to: "not-an-address" is not a valid email address'],
    [['mail-test', '--to', 'a@example.com', '--locale', 'fr'], '--locale: must be de or en'],
    [['outbox', '--status', 'lost'], '--status: must be one of'],
    [['outbox', '--limit', '0'], '--limit: must be a whole number'],
    [['mail-test'], "required option '--to <address>' not specified"],
    [['no-such-command'], "unknown command 'no-such-command'"],
  ])('wrong arguments %j exit 2', async (args, message) => {
    const r = await lifeline(args, { ...env, DATABASE_URL: 'sqlite:/tmp/lifeline-cli-unused/x.db' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('config prints the effective settings with secrets masked', async () => {
    const r = await lifeline(['config'], {
      ...env,
      DATABASE_URL: 'postgres://lifeline:hunter2@db.internal:5432/lifeline',
      METRICS_TOKEN: 'metrics-secret-123456',
    });
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout) as { database: { url: string }; metrics: { tokenSet: boolean } };
    expect(view.database.url).toBe('postgres://lifeline:***@db.internal:5432/lifeline');
    expect(view.metrics.tokenSet).toBe(true);
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stdout).not.toContain('metrics-secret');
    expect(r.stdout).not.toContain(TEST_SECRET_KEY);
  });
});

describe('lifeline config warns in production when TRUST_PROXY is unset (docs/operations.md)', () => {
  const production = {
    SECRET_KEY: TEST_SECRET_KEY,
    DATA_DIR: '/tmp/lifeline-cli-unused',
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://id.example.com',
    SMTP_URL: 'smtps://mail.example.com',
    METRICS_TOKEN: 'metrics-secret-123456',
    DATABASE_URL: 'postgres://lifeline@db.internal:5432/lifeline',
  };

  it('production without TRUST_PROXY: a warning on stderr that says what goes wrong; stdout stays the JSON; exit 0', async () => {
    const r = await lifeline(['config'], production);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ env: 'production' });
    expect(r.stderr).toContain('warning: TRUST_PROXY is not set');
    expect(r.stderr).toContain('per-client limits');
    expect(r.stderr).toContain('one limit for all clients together');
  });

  it.each([
    ['production with TRUST_PROXY', { ...production, TRUST_PROXY: '10.0.0.0/8' }],
    ['outside production', { SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: '/tmp/lifeline-cli-unused', DATABASE_URL: 'sqlite:/tmp/lifeline-cli-unused/x.db' }],
  ])('%s: no warning', async (_name, environment) => {
    const r = await lifeline(['config'], environment);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('TRUST_PROXY');
  });
});

describe('the server start refuses wrong configuration with a named variable', () => {
  it.each([
    [{ PORT: 'http' }, 'PORT: must be a whole number'],
    [{ NODE_ENV: 'production' }, 'METRICS_TOKEN: is required in production'],
    [{ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, 'DATABASE_URL: cannot connect'],
  ])('%j', async (bad, message) => {
    try {
      await run(process.execPath, [mainPath], {
        env: { PATH: process.env.PATH ?? '', SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: '/tmp/lifeline-main-unused', ...bad },
        timeout: 30_000,
      });
      expect.unreachable('the server must not start');
    } catch (error) {
      const e = error as { code?: number; stderr?: string };
      expect(e.code).toBe(1);
      expect(e.stderr).toContain(message);
      noStackTrace(e.stderr ?? '');
    }
  });
});
