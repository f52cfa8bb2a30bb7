import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MINUTE, SECOND } from '../../src/core/clock.js';
import { growingDelaySeconds, passwordThrottlePolicy } from '../../src/security/password-throttle.js';
import { apiClient, lastMailTo, mailsTo, tokenIn, uniqueEmail, type ApiClient, type ApiResponse } from '../helpers/api-client.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * The password throttle over HTTP (docs/reference/security-requirements.md 5.1, 5.2): the buckets of
 * `passwordThrottlePolicy`, enforced exactly, for every route that checks a password.
 * rate-limiter-flexible reads Date.now, the app its injected clock: time moves for both.
 */

const PASSWORD = 'Lange-Leitung-im-Nebel-7';
const WRONG = 'Falsch-geraten-1234';
const { accountClient, account: accountBucket, client: clientBucket } = passwordThrottlePolicy;

let ipCounter = 0;
/** A fresh client address (198.18.0.0/15): every test has buckets of its own. */
function nextIp(): string {
  ipCounter += 1;
  return `198.19.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

function expectProblem(response: ApiResponse, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body.code, response.text).toBe(code);
}

function expectThrottled(response: ApiResponse, retryAfterSeconds?: number): void {
  expectProblem(response, 429, 'rate-limited');
  const retryAfter = Number(response.headers['retry-after']);
  if (retryAfterSeconds === undefined) expect(retryAfter).toBeGreaterThanOrEqual(1);
  else expect(retryAfter).toBe(retryAfterSeconds);
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: password throttling (docs/reference/security-requirements.md 5.1, 5.2)`, () => {
    let t: TestApp;

    /** Moves the app's clock and the limiter's Date.now together. */
    function advance(ms: number): void {
      t.clock.advance(ms);
      vi.setSystemTime(Date.now() + ms);
    }

    /** A signed-up, confirmed and signed-in account; its client keeps the device cookie. */
    async function account() {
      const email = uniqueEmail('throttle');
      const client = apiClient(t.app, { ip: nextIp() });
      expect((await client.post('/api/v1/signup', { email, password: PASSWORD })).status).toBe(202);
      const token = tokenIn((await lastMailTo(t, email))?.text);
      expect((await client.post('/api/v1/signup/confirm', { token })).status).toBe(200);
      const login = await client.post('/api/v1/login', { email, password: PASSWORD });
      expect(login.status, login.text).toBe(200);
      return { email, client, accountId: (login.body.account as { id: string }).id };
    }

    const login = (client: ApiClient, email: string, password: string) => client.post('/api/v1/login', { email, password });
    const stranger = () => apiClient(t.app, { ip: nextIp() });

    async function throttleNotices(accountId: string): Promise<number> {
      const rows = await t.database.db
        .selectFrom('outbox_messages')
        .select('id')
        .where('account_id', '=', accountId)
        .where('kind', '=', 'account.signin-throttled')
        .execute();
      return rows.length;
    }

    beforeAll(async () => {
      t = await createTestApp(dialect, { env: { RATE_LIMIT_API_PER_MINUTE: '1000000' } });
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(t.clock.now());
    });
    afterAll(async () => {
      vi.useRealTimers();
      await t.close();
    });
    afterEach(() => {
      vi.restoreAllMocks();
      // Every test starts after the previous one's hourly windows have ended.
      advance(2 * 60 * MINUTE);
    });

    it('(account, client): 10 failures, the 11th wrong password is still checked, then 429 with Retry-After 30 s doubling to 15 min; the right password is refused during the delay (docs/reference/security-requirements.md 5.1, 5.2)', async () => {
      const { email } = await account();
      const attacker = stranger();
      const verify = vi.spyOn(t.services.hasher, 'verify');
      for (let i = 0; i < accountClient.freeFailures; i++) expectProblem(await login(attacker, email, WRONG), 401, 'invalid-credentials');
      expect(verify).toHaveBeenCalledTimes(accountClient.freeFailures);
      // The 11th still reaches the hash (and may be right); it starts the delay.
      expectProblem(await login(attacker, email, WRONG), 401, 'invalid-credentials');
      expect(verify).toHaveBeenCalledTimes(accountClient.freeFailures + 1);
      let wait = growingDelaySeconds(1);
      expect(wait).toBe(30);
      expectThrottled(await login(attacker, email, WRONG), wait);
      expectThrottled(await login(attacker, email, PASSWORD), wait); // the right one too
      expect(verify).toHaveBeenCalledTimes(accountClient.freeFailures + 1);
      advance(10 * SECOND);
      expectThrottled(await login(attacker, email, PASSWORD), wait - 10);
      for (const next of [60, 120, 240, 480, 900, 900]) {
        advance((wait - 10) * SECOND + SECOND);
        const calls = verify.mock.calls.length;
        expectProblem(await login(attacker, email, WRONG), 401, 'invalid-credentials'); // checked: the next, longer delay starts
        expect(verify).toHaveBeenCalledTimes(calls + 1);
        expectThrottled(await login(attacker, email, WRONG), next);
        advance(10 * SECOND);
        wait = next;
      }
      expect(wait).toBe(passwordThrottlePolicy.delay.maxSeconds);
    });

    it('a right password resets the counters (docs/reference/security-requirements.md 5.1)', async () => {
      const { email } = await account();
      const browser = stranger();
      for (let i = 0; i < accountClient.freeFailures - 1; i++) expectProblem(await login(browser, email, WRONG), 401, 'invalid-credentials');
      expect((await login(browser, email, PASSWORD)).status).toBe(200);
      // 10 free failures again, and the 11th is checked.
      for (let i = 0; i <= accountClient.freeFailures; i++) expectProblem(await login(browser, email, WRONG), 401, 'invalid-credentials');
      expectThrottled(await login(browser, email, WRONG), 30);
    });

    it('account: 50 failures from many clients delay browsers without the device cookie; the owner’s browser still signs in, from anywhere (docs/reference/security-requirements.md 5.1)', async () => {
      const owner = await account();
      for (let i = 0; i < accountBucket.freeFailures; i++) expectProblem(await login(stranger(), owner.email, WRONG), 401, 'invalid-credentials');
      expectProblem(await login(stranger(), owner.email, WRONG), 401, 'invalid-credentials'); // the 51st is checked
      expectThrottled(await login(stranger(), owner.email, WRONG), 30);
      expectThrottled(await login(stranger(), owner.email, PASSWORD), 30); // the owner on a new browser waits too
      // The owner's browser keeps its device cookie (signed out or not), and gets through.
      expect((await owner.client.post('/api/v1/logout')).status).toBe(204);
      const device = [...owner.client.jar].find(([name]) => name.endsWith('lifeline_device'));
      expect(device).toBeDefined();
      expect((await login(owner.client, owner.email, PASSWORD)).status).toBe(200);
      // The same browser on another network.
      const travelling = stranger();
      if (device) travelling.jar.set(device[0], device[1]);
      expect((await login(travelling, owner.email, PASSWORD)).status).toBe(200);
    });

    it('client: 100 failures across accounts → 429 for every account from that client, not for others (docs/reference/security-requirements.md 5.1)', async () => {
      const known = await account();
      // The hash is not what is tested here: skip its cost (unknown addresses verify a dummy).
      vi.spyOn(t.services.hasher, 'verifyDummy').mockResolvedValue(false);
      const attacker = stranger();
      for (let i = 0; i < clientBucket.failures; i++) expectProblem(await login(attacker, uniqueEmail('spray'), WRONG), 401, 'invalid-credentials');
      const refused = await login(attacker, uniqueEmail('spray'), WRONG);
      expectThrottled(refused);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(3600);
      expectThrottled(await login(attacker, known.email, PASSWORD));
      expect((await login(stranger(), known.email, PASSWORD)).status).toBe(200);
    });

    it('an unknown address is throttled exactly like a known one: identical answers, nothing to enumerate (docs/reference/security-requirements.md 5.1, 7.3)', async () => {
      const known = await account();
      const unknown = uniqueEmail('nobody');
      const run = async (email: string) => {
        const client = stranger();
        const answers: unknown[] = [];
        for (let i = 0; i < accountClient.freeFailures + 3; i++) {
          const r = await login(client, email, WRONG);
          const { instance: _instance, requestId: _requestId, ...body } = r.body;
          answers.push({ status: r.status, retryAfter: r.headers['retry-after'] ?? null, body, cookies: r.setCookies.length });
        }
        return answers;
      };
      const forKnown = await run(known.email);
      const forUnknown = await run(unknown);
      expect(forUnknown).toEqual(forKnown);
      expect(forKnown.filter((a) => (a as { status: number }).status === 429)).toHaveLength(2);
    });

    it('a guess at a known address does the same database work as one at an unknown address, with or without a device cookie, throttled or not (docs/reference/security-requirements.md 7.3)', async () => {
      const known = await account();
      // A browser that signed in to some account of its own carries a well-formed device cookie.
      const attackerOwn = await account();
      const device = [...attackerOwn.client.jar].find(([name]) => name.endsWith('lifeline_device'));
      expect(device).toBeDefined();
      /** Database calls per guess, by kind (every query and write transaction goes through these). */
      const measure = async (client: ApiClient, email: string, guesses: number) => {
        const db = t.database.db;
        const spies = {
          select: vi.spyOn(db, 'selectFrom'),
          update: vi.spyOn(db, 'updateTable'),
          insert: vi.spyOn(db, 'insertInto'),
          delete: vi.spyOn(db, 'deleteFrom'),
          transaction: dialect === 'postgres' ? vi.spyOn(db, 'transaction') : vi.spyOn(db, 'connection'),
        };
        const statuses: number[] = [];
        for (let i = 0; i < guesses; i++) statuses.push((await login(client, email, WRONG)).status);
        const counts = Object.fromEntries(Object.entries(spies).map(([kind, spy]) => [kind, spy.mock.calls.length]));
        for (const spy of Object.values(spies)) spy.mockRestore();
        return { statuses, counts };
      };
      for (const withDevice of [false, true]) {
        const forKnown = stranger();
        const forUnknown = stranger();
        if (withDevice && device) for (const c of [forKnown, forUnknown]) c.jar.set(device[0], device[1]);
        const unknown = uniqueEmail('nobody');
        // Checked guesses (each reaches the hash).
        expect(await measure(forUnknown, unknown, accountClient.freeFailures + 1)).toEqual(
          await measure(forKnown, known.email, accountClient.freeFailures + 1),
        );
        // Refusals by the (account, client) bucket tell nobody: they cost the same for any address.
        expectThrottled(await login(forKnown, known.email, WRONG));
        expectThrottled(await login(forUnknown, unknown, WRONG));
        const refusedKnown = await measure(forKnown, known.email, 5);
        const refusedUnknown = await measure(forUnknown, unknown, 5);
        expect(refusedKnown.statuses).toEqual([429, 429, 429, 429, 429]);
        expect(refusedUnknown).toEqual(refusedKnown);
        expect(refusedKnown.counts.transaction).toBe(0);
      }
      expect(await throttleNotices(known.accountId)).toBe(0);
    });

    it('tells the owner "Anmeldung vorübergehend gesperrt" when the account’s own bucket refuses, at most once an hour (docs/reference/security-requirements.md 6.8)', async () => {
      const owner = await account();
      const guess = () => login(stranger(), owner.email, WRONG); // a new client each time: only the account bucket fills
      for (let i = 0; i <= accountBucket.freeFailures; i++) expectProblem(await guess(), 401, 'invalid-credentials');
      expect(await throttleNotices(owner.accountId)).toBe(0);
      expectThrottled(await guess(), 30);
      expectThrottled(await guess(), 30);
      expect(await throttleNotices(owner.accountId)).toBe(1);
      const subjects = (await mailsTo(t, owner.email)).map((m) => m.subject);
      expect(subjects.filter((subject) => subject.includes('Anmeldung vorübergehend gesperrt'))).toHaveLength(1);
      // Half an hour later, throttled again: no second mail within the hour.
      advance(30 * MINUTE);
      expectProblem(await guess(), 401, 'invalid-credentials');
      expectThrottled(await guess(), 60);
      expect(await throttleNotices(owner.accountId)).toBe(1);
      // After the hour, a new round of guesses brings the next notice.
      advance(31 * MINUTE);
      for (let i = 0; i <= accountBucket.freeFailures; i++) expectProblem(await guess(), 401, 'invalid-credentials');
      expectThrottled(await guess(), 30);
      expect(await throttleNotices(owner.accountId)).toBe(2);
    });

    it('200 parallel wrong sign-ins from one client: no 5xx, at most 10 + a few reach the hasher, the rest 429 (docs/reference/pitfalls.md, docs/reference/security-requirements.md 5.1)', async () => {
      const owner = await account();
      const verify = vi.spyOn(t.services.hasher, 'verify');
      const attacker = stranger();
      const results = await Promise.all(Array.from({ length: 200 }, () => login(attacker, owner.email, WRONG)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      const checked = statuses.filter((s) => s === 401).length;
      expect(checked).toBeGreaterThanOrEqual(1);
      expect(checked).toBeLessThanOrEqual(accountClient.freeFailures + 3);
      expect(verify.mock.calls.length).toBe(checked);
      expect(statuses.filter((s) => s === 429)).toHaveLength(200 - checked);
      expectThrottled(await login(attacker, owner.email, PASSWORD));
      // One client's guesses fill the client buckets, not the account's: the owner is not told
      // (the notice would be false: the owner's devices are not delayed).
      expect(await throttleNotices(owner.accountId)).toBe(0);
      // The owner's own browser is another client with the device cookie: unaffected.
      expect((await login(owner.client, owner.email, PASSWORD)).status).toBe(200);
    });

    it('200 parallel wrong sign-ins from 200 clients: at most 50 + a few reach the hasher, no 5xx (docs/reference/pitfalls.md, docs/reference/security-requirements.md 5.1)', async () => {
      const owner = await account();
      const verify = vi.spyOn(t.services.hasher, 'verify');
      const results = await Promise.all(Array.from({ length: 200 }, () => login(stranger(), owner.email, WRONG)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      const checked = statuses.filter((s) => s === 401).length;
      expect(checked).toBeLessThanOrEqual(accountBucket.freeFailures + 3);
      expect(verify.mock.calls.length).toBe(checked);
      expect(statuses.filter((s) => s === 429)).toHaveLength(200 - checked);
      expect((await login(owner.client, owner.email, PASSWORD)).status).toBe(200);
    });

    it('re-authentication, password change and email change count against the same buckets as sign-in (docs/reference/security-requirements.md 5.1)', async () => {
      const owner = await account();
      const before = await t.database.db.selectFrom('accounts').select(['password_hash', 'email']).where('id', '=', owner.accountId).executeTakeFirstOrThrow();
      const c = owner.client;
      for (let i = 0; i < 4; i++) expectProblem(await c.post('/api/v1/session/reauthenticate', { password: WRONG }), 403, 'wrong-password');
      for (let i = 0; i < 3; i++)
        expectProblem(await c.put('/api/v1/account/password', { currentPassword: WRONG, newPassword: 'Ganz-neues-Passwort-99' }), 403, 'wrong-password');
      for (let i = 0; i < 2; i++)
        expectProblem(await c.post('/api/v1/account/email', { newEmail: uniqueEmail('new'), password: WRONG }), 403, 'wrong-password');
      expectProblem(await login(c, owner.email, WRONG), 401, 'invalid-credentials'); // the 10th failure
      // The session survives a failed sign-in of its browser? It was replaced only on success.
      expectProblem(await c.post('/api/v1/session/reauthenticate', { password: WRONG }), 403, 'wrong-password'); // 11th: checked
      expectThrottled(await c.post('/api/v1/session/reauthenticate', { password: PASSWORD }), 30);
      expectThrottled(await c.put('/api/v1/account/password', { currentPassword: PASSWORD, newPassword: 'Ganz-neues-Passwort-99' }), 30);
      expectThrottled(await c.post('/api/v1/account/email', { newEmail: uniqueEmail('new'), password: PASSWORD }), 30);
      expectThrottled(await login(c, owner.email, PASSWORD), 30);
      const after = await t.database.db.selectFrom('accounts').select(['password_hash', 'email']).where('id', '=', owner.accountId).executeTakeFirstOrThrow();
      expect(after).toEqual(before);
      // Another client of the same account is not delayed by this client's failures.
      expect((await login(stranger(), owner.email, PASSWORD)).status).toBe(200);
    });

    if (dialect === 'postgres') {
      it('a failing limit store answers 503, not 200 and not 429, and checks no password (docs/reference/pitfalls.md, docs/reference/security-requirements.md 7.2)', async () => {
        const owner = await account();
        const verify = vi.spyOn(t.services.hasher, 'verify');
        // The per-client API limit shares the table; keep it out of the way to reach the password throttle.
        vi.spyOn(t.services.rateLimits, 'enforce').mockResolvedValue(undefined);
        const sessionsBefore = await t.database.db.selectFrom('sessions').select('id').where('account_id', '=', owner.accountId).execute();
        await sql`alter table rate_limit_buckets rename to rate_limit_buckets_gone`.execute(t.database.db);
        try {
          for (const r of [
            await login(stranger(), owner.email, PASSWORD),
            await login(stranger(), owner.email, WRONG),
            await login(stranger(), uniqueEmail('nobody'), WRONG),
            await owner.client.post('/api/v1/session/reauthenticate', { password: PASSWORD }),
          ]) {
            expectProblem(r, 503, 'service-unavailable');
            expect(r.headers['retry-after']).toBe('5');
            expect(r.setCookies.some((cookie) => cookie.includes('lifeline_session=') && !/max-age=0/i.test(cookie))).toBe(false);
          }
        } finally {
          await sql`alter table rate_limit_buckets_gone rename to rate_limit_buckets`.execute(t.database.db);
        }
        expect(verify).not.toHaveBeenCalled();
        const sessionsAfter = await t.database.db.selectFrom('sessions').select('id').where('account_id', '=', owner.accountId).execute();
        expect(sessionsAfter).toEqual(sessionsBefore);
        expect((await login(stranger(), owner.email, PASSWORD)).status).toBe(200);
      });
    }
  });
}
