import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HOUR, MINUTE } from '../../src/core/clock.js';
import { randomToken } from '../../src/core/random.js';
import { apiClient, lastMailTo, tokenIn, uniqueEmail, type ApiClient, type ApiResponse } from '../helpers/api-client.js';
import { createTestApp, type TestApp, useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Bad input and abuse against sign-up, sign-in, sessions and account changes (docs/reference/product.md §8, "Bad
 * input and abuse"): each gets a clear 4xx and changes nothing. The main flows are in
 * accounts.test.ts and sessions.test.ts; the password throttle in password-throttle.test.ts.
 */

const PASSWORD = 'Lange-Leitung-im-Nebel-7';
const NEW_PASSWORD = 'Neues-Passwort-fuer-2026';
/** Many clients per test: the per-client limits (API, sign-ups) must not get in the way. */
const ENV = { RATE_LIMIT_API_PER_MINUTE: '1000000' };

let ipCounter = 0;
/** A fresh client address (198.18.0.0/15, for benchmarks): no per-client bucket is shared. */
function nextIp(): string {
  ipCounter += 1;
  return `198.18.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

/** A signed-up, confirmed and signed-in account; each from its own client address. */
async function account(t: TestApp, options: { email?: string; password?: string } = {}) {
  const email = options.email ?? uniqueEmail('abuse');
  const password = options.password ?? PASSWORD;
  const client = apiClient(t.app, { ip: nextIp() });
  const signup = await client.post('/api/v1/signup', { email, password });
  expect(signup.status, signup.text).toBe(202);
  const token = tokenIn((await lastMailTo(t, email))?.text);
  expect(token).toBeDefined();
  expect((await client.post('/api/v1/signup/confirm', { token })).status).toBe(200);
  const login = await client.post('/api/v1/login', { email, password });
  expect(login.status, login.text).toBe(200);
  return { client, email, password, accountId: (login.body.account as { id: string }).id };
}

/** Another browser signing in to an existing account. */
async function secondBrowser(t: TestApp, email: string, password: string): Promise<ApiClient> {
  const client = apiClient(t.app, {
    ip: nextIp(),
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15',
  });
  const login = await client.post('/api/v1/login', { email, password });
  expect(login.status, login.text).toBe(200);
  return client;
}

/** Everything a request could change: compared before and after to prove "changed nothing". */
async function world(t: TestApp) {
  const db = t.database.db;
  return {
    accounts: await db.selectFrom('accounts').selectAll().orderBy('id').execute(),
    sessions: await db.selectFrom('sessions').select(['id', 'account_id', 'token_hash', 'privileged_until', 'expires_at']).orderBy('id').execute(),
    devices: await db.selectFrom('devices').select(['id', 'account_id']).orderBy('id').execute(),
    secrets: await db.selectFrom('verification_secrets').select(['id', 'used_at', 'attempts_left']).orderBy('id').execute(),
    outbox: await db.selectFrom('outbox_messages').select(['id', 'kind']).orderBy('id').execute(),
    events: await db.selectFrom('security_events').select(['id', 'type']).orderBy('id').execute(),
  };
}

async function accountRows(t: TestApp, normalized: string) {
  return t.database.db.selectFrom('accounts').selectAll().where('email_normalized', '=', normalized).execute();
}

/** Spies on every hasher method (they still do their work) and returns the spies. */
function spyHasher(t: TestApp) {
  return {
    hash: vi.spyOn(t.services.hasher, 'hash'),
    verify: vi.spyOn(t.services.hasher, 'verify'),
    verifyDummy: vi.spyOn(t.services.hasher, 'verifyDummy'),
    calls(): number {
      return this.hash.mock.calls.length + this.verify.mock.calls.length + this.verifyDummy.mock.calls.length;
    },
  };
}

function expectProblem(response: ApiResponse, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body.code, response.text).toBe(code);
}

/** A raw request with the cookies of `client` (or none), for what the API client would not send. */
async function raw(t: TestApp, options: { method: string; url: string; client?: ApiClient; headers?: Record<string, string>; payload?: string }) {
  const cookie = options.client ? [...options.client.jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  return t.app.inject({
    method: options.method as 'POST',
    url: options.url,
    remoteAddress: nextIp(),
    headers: { ...(cookie ? { cookie } : {}), ...options.headers },
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: bad input and abuse on accounts and sessions`, () => {
    const t = useTestApp(dialect, { env: ENV });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    describe('email addresses (docs/reference/security-requirements.md 7.4, 7.6)', () => {
      const invalid = [
        'plainaddress',
        '@example.com',
        'anna@',
        'anna@localhost',
        'anna@@example.com',
        'an na@example.com',
        'anna@exa mple.com',
        'anna@example..com',
        '.anna@example.com',
        'anna.@example.com',
        'an..na@example.com',
        'anna@-example.com',
        'anna@example.123',
        '"anna"@example.com',
        'anna@[127.0.0.1]',
        'anna@example.com/path',
        'anna@example.com?x=1',
        'anna@exa%6Dple.com',
        '',
        ' ',
      ];

      it('refuses invalid addresses with 400 naming the field, at sign-up, sign-in and "send again", and stores nothing (docs/reference/security-requirements.md 7.4)', async () => {
        const before = await world(t);
        const hasher = spyHasher(t);
        for (const email of invalid) {
          const client = apiClient(t.app, { ip: nextIp() });
          const signup = await client.post('/api/v1/signup', { email, password: PASSWORD });
          expectProblem(signup, 400, 'validation-failed');
          expect(JSON.stringify(signup.body.errors ?? signup.body.detail), email).toContain('email');
          expectProblem(await client.post('/api/v1/login', { email, password: PASSWORD }), 400, 'validation-failed');
          expectProblem(await client.post('/api/v1/signup/resend', { email }), 400, 'validation-failed');
        }
        expect(hasher.calls()).toBe(0);
        expect(await world(t)).toEqual(before);
      });

      it('refuses over-long addresses (400 characters, or 255 that look well-formed) with 400 (docs/reference/security-requirements.md 7.4)', async () => {
        const before = await world(t);
        const longLocal = `${'a'.repeat(390)}@example.com`;
        const longDomain = `anna@${'d'.repeat(62)}.${'e'.repeat(62)}.${'f'.repeat(62)}.${'g'.repeat(62)}.com`; // 260 characters, every label valid
        expect(longDomain.length).toBeGreaterThan(254);
        const localOver64 = `${'b'.repeat(65)}@example.com`;
        for (const email of [longLocal, longDomain, localOver64, `${'x'.repeat(10_000)}@example.com`]) {
          const client = apiClient(t.app, { ip: nextIp() });
          expectProblem(await client.post('/api/v1/signup', { email, password: PASSWORD }), 400, 'validation-failed');
          expectProblem(await client.post('/api/v1/login', { email, password: PASSWORD }), 400, 'validation-failed');
        }
        expect(await world(t)).toEqual(before);
      });

      const withControls = [
        'anna@example.com\r\nBcc: victim@example.org',
        'anna\r\n@example.com',
        'anna@example.com\r\n',
        '\r\nanna@example.com',
        'anna@example.com\n',
        'anna@exam\u0000ple.com',
        'anna@example.com\u0000',
        'anna@example.com\u0085',
        'anna@example.com\t',
      ];

      it('refuses control characters anywhere in an address (CR, LF, NUL, NEL; also at either end), storing and mailing nothing (docs/reference/security-requirements.md 7.4, 6.4)', async () => {
        const before = await world(t);
        const hasher = spyHasher(t);
        for (const email of withControls) {
          const client = apiClient(t.app, { ip: nextIp() });
          expectProblem(await client.post('/api/v1/signup', { email, password: PASSWORD }), 400, 'validation-failed');
          expectProblem(await client.post('/api/v1/login', { email, password: PASSWORD }), 400, 'validation-failed');
          expectProblem(await client.post('/api/v1/signup/resend', { email }), 400, 'validation-failed');
        }
        expect(hasher.calls()).toBe(0);
        expect(await world(t)).toEqual(before);
      });

      it('accepts an internationalised domain, stores it as punycode, and signs in with either form (docs/reference/security-requirements.md 7.4, 7.6)', async () => {
        const local = `anna-${randomToken(6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`;
        const unicode = `${local}@müller.example`;
        const punycode = `${local}@xn--mller-kva.example`;
        const client = apiClient(t.app, { ip: nextIp() });
        expect((await client.post('/api/v1/signup', { email: unicode, password: PASSWORD })).status).toBe(202);
        const rows = await accountRows(t, punycode);
        expect(rows).toHaveLength(1);
        expect(rows[0]?.email_normalized).toBe(punycode);
        const mail = (await lastMailTo(t, unicode)) ?? (await lastMailTo(t, punycode));
        const token = tokenIn(mail?.text);
        expect(token).toBeDefined();
        expect((await client.post('/api/v1/signup/confirm', { token })).status).toBe(200);
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: punycode, password: PASSWORD })).status).toBe(200);
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: unicode, password: PASSWORD })).status).toBe(200);
        expect(
          (await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: `${local.toUpperCase()}@MÜLLER.EXAMPLE`, password: PASSWORD })).status,
        ).toBe(200);
        // Signing up with the other spelling is the same address: neutral answer, still one account.
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: punycode, password: NEW_PASSWORD })).status).toBe(202);
        expect(await accountRows(t, punycode)).toHaveLength(1);
      });

      it('treats addresses case-insensitively: a sign-up with A.B@Example.COM after a.b@example.com is the same account (docs/reference/security-requirements.md 7.6)', async () => {
        const local = `a.b-${randomToken(6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`;
        const owner = await account(t, { email: `${local}@example.com` });
        const shouted = `${local.toUpperCase()}@Example.COM`;
        const before = await accountRows(t, owner.email);
        const again = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: shouted, password: NEW_PASSWORD });
        expect(again.status).toBe(202);
        expect(again.body).toEqual({ status: 'accepted' }); // the neutral answer of a new address
        const after = await accountRows(t, owner.email);
        expect(after).toHaveLength(1);
        expect(after[0]?.password_hash).toBe(before[0]?.password_hash);
        expect(after[0]?.email).toBe(owner.email);
        // The owner is told, and the stranger's password does not sign in.
        const notice = await t.database.db
          .selectFrom('outbox_messages')
          .select('kind')
          .where('account_id', '=', owner.accountId)
          .where('kind', '=', 'account.signup-attempt')
          .execute();
        expect(notice).toHaveLength(1);
        expectProblem(await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: shouted, password: NEW_PASSWORD }), 401, 'invalid-credentials');
        // Sign-in works with either casing.
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: shouted, password: PASSWORD })).status).toBe(200);
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: `  ${owner.email}  `, password: PASSWORD })).status).toBe(200);
      });

      it('an unconfirmed sign-up in other casing is replaced, never duplicated (docs/reference/security-requirements.md 7.6)', async () => {
        const local = `c.d-${randomToken(6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`;
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: `${local}@example.com`, password: PASSWORD })).status).toBe(202);
        expect(
          (await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: `${local.toUpperCase()}@EXAMPLE.com`, password: NEW_PASSWORD })).status,
        ).toBe(202);
        expect(await accountRows(t, `${local}@example.com`)).toHaveLength(1);
      });
    });

    describe('CR/LF in any field of any body (docs/reference/security-requirements.md 7.4, 6.4)', () => {
      it('sign-up: CRLF in password, locale or time zone → 4xx, no account (docs/reference/security-requirements.md 7.4, 1.6)', async () => {
        const client = apiClient(t.app, { ip: nextIp() });
        const email = uniqueEmail('crlf');
        const before = await world(t);
        expectProblem(await client.post('/api/v1/signup', { email, password: `${PASSWORD}\r\nX-Injected: 1` }), 422, 'password-invalid-characters');
        const locale = await client.post('/api/v1/signup', { email, password: PASSWORD, locale: 'de\r\n' });
        expectProblem(locale, 400, 'validation-failed');
        expectProblem(await client.post('/api/v1/signup', { email, password: PASSWORD, timeZone: 'Europe/Berlin\r\nX-Injected: 1' }), 400, 'invalid-time-zone');
        expectProblem(await client.post('/api/v1/signup', { email, password: PASSWORD, timeZone: 'Mars/Olympus_Mons' }), 400, 'invalid-time-zone');
        expect(await accountRows(t, email)).toHaveLength(0);
        expect(await world(t)).toEqual(before);
      });

      it('sign-up and preferences take the IANA names browsers send, also those ICU files under another name (Asia/Kolkata) (docs/reference/security-requirements.md 7.4)', async () => {
        const email = uniqueEmail('zone');
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email, password: PASSWORD, timeZone: 'Asia/Kolkata' })).status).toBe(202);
        expect((await accountRows(t, email))[0]?.time_zone).toBe('Asia/Kolkata');
        const a = await account(t);
        const patched = await a.client.patch('/api/v1/account', { timeZone: 'Europe/Kyiv' });
        expect(patched.status, patched.text).toBe(200);
        expect(patched.body.timeZone).toBe('Europe/Kyiv');
      });

      it('sign-in: CRLF in the address → 400; in the password → 401; no session, nothing else (docs/reference/security-requirements.md 7.4)', async () => {
        const a = await account(t);
        const before = await world(t);
        const stranger = apiClient(t.app, { ip: nextIp() });
        expectProblem(await stranger.post('/api/v1/login', { email: `${a.email}\r\n`, password: a.password }), 400, 'validation-failed');
        expectProblem(await stranger.post('/api/v1/login', { email: a.email, password: `${a.password}\r\n` }), 401, 'invalid-credentials');
        expectProblem(await stranger.post('/api/v1/login', { email: a.email, password: `\r\n${a.password}` }), 401, 'invalid-credentials');
        expect(stranger.sessionCookie()).toBeUndefined();
        expect(await world(t)).toEqual(before);
      });

      it('email change, password change, re-authentication, preferences: CRLF anywhere → 4xx, nothing changed (docs/reference/security-requirements.md 7.4)', async () => {
        const a = await account(t);
        const target = uniqueEmail('target');
        const before = await world(t);
        expectProblem(await a.client.post('/api/v1/account/email', { newEmail: `${target}\r\nBcc: evil@example.org` }), 400, 'validation-failed');
        expectProblem(await a.client.post('/api/v1/account/email', { newEmail: `${target}\r\n` }), 400, 'validation-failed');
        expectProblem(await a.client.post('/api/v1/account/email', { newEmail: target, password: `${a.password}\r\n` }), 403, 'wrong-password');
        expectProblem(
          await a.client.put('/api/v1/account/password', { currentPassword: a.password, newPassword: `${NEW_PASSWORD}\r\n` }),
          422,
          'password-invalid-characters',
        );
        expectProblem(
          await a.client.put('/api/v1/account/password', { currentPassword: `${a.password}\r\n`, newPassword: NEW_PASSWORD }),
          403,
          'wrong-password',
        );
        expectProblem(await a.client.post('/api/v1/session/reauthenticate', { password: `${a.password}\n` }), 403, 'wrong-password');
        expectProblem(await a.client.patch('/api/v1/account', { timeZone: 'Europe/Berlin\r\n' }), 400, 'invalid-time-zone');
        expectProblem(await a.client.patch('/api/v1/account', { locale: 'en\r\n' }), 400, 'validation-failed');
        expectProblem(await a.client.post('/api/v1/signup/confirm', { token: `${randomToken(32)}\r\n` }), 400, 'invalid-or-expired');
        expect((await a.client.post('/api/v1/login', { email: a.email, password: a.password, 'x-evil\r\n': 1 })).status).toBe(400);
        expect(await world(t)).toEqual(before);
        expect(await lastMailTo(t, target)).toBeUndefined();
      });
    });

    describe('the login-email change cannot be used to flood mailboxes (docs/reference/product.md §8)', () => {
      const mailCount = async (to: string) => (await t.database.db.selectFrom('outbox_messages').select('id').where('recipient', '=', to).execute()).length;

      it('at most 5 mails an hour go to one new address, the answer stays 202 (docs/reference/product.md §8, docs/reference/security-requirements.md 3.1)', async () => {
        const a = await account(t);
        const b = await account(t);
        const victim = uniqueEmail('victim');
        for (let i = 0; i < 8; i++) {
          const requester = i % 2 === 0 ? a : b;
          expect((await requester.client.post('/api/v1/account/email', { newEmail: victim })).status).toBe(202);
        }
        expect(await mailCount(victim)).toBe(5);
      });

      it('at most 5 "someone tried" notices an hour to the owner of a taken address, the answer stays 202 (docs/reference/product.md §8)', async () => {
        const owner = await account(t);
        const a = await account(t);
        const before = await mailCount(owner.email);
        for (let i = 0; i < 8; i++) expect((await a.client.post('/api/v1/account/email', { newEmail: owner.email })).status).toBe(202);
        expect((await mailCount(owner.email)) - before).toBe(5);
      });

      it('an account asks for at most 10 changes an hour, then 429 with Retry-After (docs/reference/product.md §8)', async () => {
        const a = await account(t);
        for (let i = 0; i < 10; i++) expect((await a.client.post('/api/v1/account/email', { newEmail: uniqueEmail('many') })).status).toBe(202);
        const refused = await a.client.post('/api/v1/account/email', { newEmail: uniqueEmail('many') });
        expectProblem(refused, 429, 'rate-limited');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      });
    });

    describe('a refusal after a right password keeps the browser signed in (docs/reference/security-requirements.md 2.2)', () => {
      it('email change with the right password but an unusable address: 4xx, and the session (rotated or not) still works (docs/reference/security-requirements.md 2.2, 7.2)', async () => {
        const a = await account(t);
        t.clock.advance(11 * MINUTE); // the window of the sign-in has closed: the password in the body opens it
        for (const [newEmail, status] of [
          ['anna@localhost', 400],
          [a.email.toUpperCase(), 422],
        ] as const) {
          const r = await a.client.post('/api/v1/account/email', { newEmail, password: a.password });
          expect(r.status, r.text).toBe(status);
          expect((await a.client.get('/api/v1/session')).status).toBe(200);
        }
      });
    });

    describe('oversized passwords (docs/reference/security-requirements.md 1.10)', () => {
      it('a 1 MB password body → 413 at once, without calling the hasher (docs/reference/security-requirements.md 1.10)', async () => {
        const a = await account(t);
        const hasher = spyHasher(t);
        const before = await world(t);
        const huge = 'p'.repeat(1024 * 1024);
        const started = Date.now();
        for (const response of [
          await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: uniqueEmail('huge'), password: huge }),
          await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: huge }),
          await a.client.post('/api/v1/session/reauthenticate', { password: huge }),
          await a.client.put('/api/v1/account/password', { currentPassword: huge, newPassword: PASSWORD }),
        ]) {
          expectProblem(response, 413, 'payload-too-large');
        }
        expect(Date.now() - started).toBeLessThan(5000);
        expect(hasher.calls()).toBe(0);
        expect(await world(t)).toEqual(before);
      });

      it('a 2 KB password → 400 naming the field, without calling the hasher (docs/reference/security-requirements.md 1.10)', async () => {
        const a = await account(t);
        const hasher = spyHasher(t);
        const before = await world(t);
        const big = 'Ä'.repeat(1024); // 1024 characters, 2048 bytes
        const check = (response: ApiResponse, field: string) => {
          expectProblem(response, 400, 'validation-failed');
          expect((response.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
        };
        check(await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: uniqueEmail('big'), password: big }), 'password');
        check(await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: big }), 'password');
        check(await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: uniqueEmail('nobody'), password: big }), 'password');
        check(await a.client.post('/api/v1/session/reauthenticate', { password: big }), 'password');
        check(await a.client.put('/api/v1/account/password', { currentPassword: big, newPassword: PASSWORD }), 'currentPassword');
        check(await a.client.put('/api/v1/account/password', { currentPassword: a.password, newPassword: big }), 'newPassword');
        check(await a.client.post('/api/v1/account/email', { newEmail: uniqueEmail('n'), password: big }), 'password');
        expect(hasher.calls()).toBe(0);
        expect(await world(t)).toEqual(before);
      });

      it('a 129-character new password is refused by the policy before hashing (docs/reference/security-requirements.md 1.4, 1.10)', async () => {
        const hasher = spyHasher(t);
        const response = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: uniqueEmail('len'), password: 'Zq8!wLp3'.repeat(16) + 'x' });
        expectProblem(response, 422, 'password-too-long');
        expect(hasher.calls()).toBe(0);
      });
    });

    describe('confirmation tokens: expired, reused, forged (docs/reference/security-requirements.md 3.3)', () => {
      async function pendingSignup() {
        const email = uniqueEmail('token');
        const client = apiClient(t.app, { ip: nextIp() });
        expect((await client.post('/api/v1/signup', { email, password: PASSWORD })).status).toBe(202);
        const token = tokenIn((await lastMailTo(t, email))?.text);
        if (!token) throw new Error('no link mailed');
        return { email, client, token };
      }
      const verified = async (email: string) => (await accountRows(t, email))[0]?.email_verified_at ?? null;

      it('a forged token → 400 invalid-or-expired, nothing confirmed (docs/reference/security-requirements.md 3.3)', async () => {
        const { email, client, token } = await pendingSignup();
        const forged = [randomToken(32), 'x', `${token}x`, 'a'.repeat(256), '../../etc/passwd', "' or 1=1 --", token.split('.').reverse().join('.')];
        for (const value of forged) expectProblem(await client.post('/api/v1/signup/confirm', { token: value }), 400, 'invalid-or-expired');
        // The link's own id with a guessed secret: a wrong try of that link (it survives a few).
        const tampered = await client.post('/api/v1/signup/confirm', { token: `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}` });
        expect(tampered.status).toBe(400);
        expect(['invalid-or-expired', 'code-incorrect']).toContain(tampered.body.code);
        expect(await verified(email)).toBeNull();
        expect((await client.post('/api/v1/signup/confirm', { token })).status).toBe(200);
      });

      it('a token used once confirms nothing the second time; it says the address is confirmed already (docs/reference/security-requirements.md 3.3)', async () => {
        const { email, client, token } = await pendingSignup();
        const first = await client.post('/api/v1/signup/confirm', { token });
        expect(first.status).toBe(200);
        expect(first.body).not.toHaveProperty('alreadyConfirmed');
        const confirmedAt = await verified(email);
        expect(confirmedAt).not.toBeNull();
        t.clock.advance(60_000);
        const again = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup/confirm', { token });
        expect([again.status, again.body]).toEqual([200, { email, emailVerified: true, alreadyConfirmed: true }]);
        // No device cookie for the second browser, nothing logged again, the time of the confirmation kept.
        expect(again.setCookies.some((c) => c.startsWith('lifeline_device='))).toBe(false);
        expect(await verified(email)).toBe(confirmedAt);
        // Only the whole link tells: a tampered one stays a dead link.
        const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup/confirm', { token: tampered })).status).toBe(400);
      });

      it('a link replaced by a newer sign-up before anything was confirmed stays dead (not "confirmed already")', async () => {
        const { email, token } = await pendingSignup();
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email, password: 'Ein-neuer-Versuch-2026' })).status).toBe(202);
        expectProblem(await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup/confirm', { token }), 400, 'invalid-or-expired');
        expect(await verified(email)).toBeNull();
      });

      it('an expired token (after 24 h) → 400, and sign-in still says email-not-verified (docs/reference/security-requirements.md 3.3, 3.5)', async () => {
        const { email, client, token } = await pendingSignup();
        t.clock.advance(24 * HOUR + MINUTE);
        expectProblem(await client.post('/api/v1/signup/confirm', { token }), 400, 'invalid-or-expired');
        expect(await verified(email)).toBeNull();
        expectProblem(await client.post('/api/v1/login', { email, password: PASSWORD }), 403, 'email-not-verified');
      });

      it('a token replaced by a newer sign-up → 400 (docs/reference/security-requirements.md 3.3)', async () => {
        const { email, client, token } = await pendingSignup();
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email, password: NEW_PASSWORD })).status).toBe(202);
        expectProblem(await client.post('/api/v1/signup/confirm', { token }), 400, 'invalid-or-expired');
        expect(await verified(email)).toBeNull();
      });

      it('a sign-up token does not confirm an email change, and a GET never confirms (docs/reference/security-requirements.md 3.3, 2.9)', async () => {
        const { email, client, token } = await pendingSignup();
        expectProblem(await client.post('/api/v1/account/email/confirm', { token }), 400, 'invalid-or-expired');
        const get = await client.get(`/api/v1/signup/confirm?token=${encodeURIComponent(token)}`);
        expect(get.status).toBe(405);
        expect(await verified(email)).toBeNull();
        // Still good for its own purpose.
        expect((await client.post('/api/v1/signup/confirm', { token })).status).toBe(200);
      });

      it('an email change link: forged, reused and expired → 400, the login email stays (docs/reference/security-requirements.md 3.3)', async () => {
        const a = await account(t);
        const target = uniqueEmail('new');
        expect((await a.client.post('/api/v1/account/email', { newEmail: target, password: a.password })).status).toBe(202);
        const token = tokenIn((await lastMailTo(t, target))?.text);
        if (!token) throw new Error('no link mailed');
        expectProblem(await a.client.post('/api/v1/account/email/confirm', { token: randomToken(32) }), 400, 'invalid-or-expired');
        expectProblem(await a.client.post('/api/v1/signup/confirm', { token }), 400, 'invalid-or-expired');
        t.clock.advance(24 * HOUR + MINUTE);
        expectProblem(await a.client.post('/api/v1/account/email/confirm', { token }), 400, 'invalid-or-expired');
        expect((await accountRows(t, a.email)).map((r) => r.id)).toEqual([a.accountId]);
        expect(await accountRows(t, target)).toHaveLength(0);
      });
    });

    describe('session cookies: forged, foreign, ended (docs/reference/security-requirements.md 2.1, 2.3, 2.4)', () => {
      const cookieName = 'lifeline_session';
      const withCookie = (value: string, method = 'GET', url = '/api/v1/session') =>
        raw(t, {
          method,
          url,
          headers: { cookie: `${cookieName}=${value}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
          ...(method === 'GET' ? {} : { payload: '{}' }),
        });

      it('a random, malformed or look-alike cookie → 401, and the cookie is cleared (docs/reference/security-requirements.md 2.1)', async () => {
        const a = await account(t);
        const sessionRow = await t.database.db
          .selectFrom('sessions')
          .select(['id', 'token_hash'])
          .where('account_id', '=', a.accountId)
          .executeTakeFirstOrThrow();
        const csrf = a.client.csrfToken() ?? '';
        for (const value of [
          randomToken(32),
          'x',
          'A'.repeat(43),
          'A'.repeat(2000),
          sessionRow.id,
          sessionRow.token_hash,
          csrf,
          `${a.client.sessionCookie()}x`,
        ]) {
          const r = await withCookie(encodeURIComponent(value));
          expect(r.statusCode, value).toBe(401);
          expect(r.json()).toMatchObject({ code: 'authentication-required' });
          expect(String(r.headers['set-cookie'])).toMatch(/lifeline_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
        }
        expect((await a.client.get('/api/v1/session')).status).toBe(200);
      });

      it('a cookie made under another server key is not a session here (docs/reference/security-requirements.md 2.1, 3.6)', async () => {
        const a = await account(t);
        const otherKey = await createTestApp(dialect, { testDb: t.testDb, env: { ...ENV, SECRET_KEY: Buffer.alloc(32, 9).toString('base64') } });
        try {
          const token = a.client.sessionCookie() ?? '';
          const there = await otherKey.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `${cookieName}=${token}` } });
          expect(there.statusCode).toBe(401);
          // And the other way round: a session of the other instance is nothing here.
          const b = await account(otherKey);
          expect((await withCookie(b.client.sessionCookie() ?? '')).statusCode).toBe(401);
        } finally {
          await otherKey.close();
        }
        expect((await a.client.get('/api/v1/session')).status).toBe(200);
      });

      it('a cookie after logout → 401 everywhere, and logging out again changes nothing (docs/reference/security-requirements.md 2.4)', async () => {
        const a = await account(t);
        const token = a.client.sessionCookie() ?? '';
        const csrf = a.client.csrfToken() ?? '';
        expect((await a.client.post('/api/v1/logout')).status).toBe(204);
        const before = await world(t);
        for (const [method, url] of [
          ['GET', '/api/v1/session'],
          ['GET', '/api/v1/sessions'],
          ['POST', '/api/v1/logout'],
          ['DELETE', '/api/v1/sessions/others'],
        ] as const) {
          const r = await raw(t, { method, url, headers: { cookie: `${cookieName}=${token}`, 'x-csrf-token': csrf } });
          expect(r.statusCode, `${method} ${url}`).toBe(401);
        }
        const reauth = await raw(t, {
          method: 'POST',
          url: '/api/v1/session/reauthenticate',
          headers: { cookie: `${cookieName}=${token}`, 'x-csrf-token': csrf, 'content-type': 'application/json' },
          payload: JSON.stringify({ password: a.password }),
        });
        expect(reauth.statusCode).toBe(401);
        expect(await world(t)).toEqual(before);
      });

      it('an idle session (7 days) and an old one (30 days) → 401 (docs/reference/security-requirements.md 2.3)', async () => {
        const a = await account(t);
        t.clock.advance(7 * 24 * HOUR + MINUTE);
        expect((await a.client.get('/api/v1/session')).status).toBe(401);
        const b = await account(t);
        for (let day = 0; day < 31; day += 3) {
          t.clock.advance(3 * 24 * HOUR);
          const r = await b.client.get('/api/v1/session');
          if (r.status === 401) {
            expect(day).toBeGreaterThanOrEqual(27);
            return;
          }
        }
        throw new Error('the session outlived its absolute lifetime');
      });
    });

    describe('CSRF: missing, wrong or another session’s token (docs/reference/security-requirements.md 2.9)', () => {
      type Victim = Awaited<ReturnType<typeof account>> & { other: ApiClient; otherSessionId: string };
      let victim: Victim;
      let stranger: Awaited<ReturnType<typeof account>>;

      beforeAll(async () => {
        const a = await account(t);
        const other = await secondBrowser(t, a.email, a.password);
        const list = await a.client.get('/api/v1/sessions');
        const otherSessionId = (list.body.sessions as { id: string; current: boolean }[]).find((s) => !s.current)?.id ?? '';
        victim = { ...a, other, otherSessionId };
        stranger = await account(t);
      });

      const routes: { name: string; send: (c: ApiClient, headers: Record<string, string>) => Promise<ApiResponse> }[] = [
        { name: 'POST /api/v1/logout', send: (c, h) => c.post('/api/v1/logout', {}, h) },
        { name: 'POST /api/v1/session/reauthenticate', send: (c, h) => c.post('/api/v1/session/reauthenticate', { password: PASSWORD }, h) },
        {
          name: 'PUT /api/v1/account/password',
          send: (c, h) => c.put('/api/v1/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, h),
        },
        { name: 'POST /api/v1/account/email', send: (c, h) => c.post('/api/v1/account/email', { newEmail: uniqueEmail('csrf'), password: PASSWORD }, h) },
        { name: 'PATCH /api/v1/account', send: (c, h) => c.patch('/api/v1/account', { locale: 'en', timeZone: 'America/New_York' }, h) },
        { name: 'DELETE /api/v1/sessions/:id', send: (c, h) => c.del(`/api/v1/sessions/${victim.otherSessionId}`, h) },
        { name: 'DELETE /api/v1/sessions/others', send: (c, h) => c.del('/api/v1/sessions/others', h) },
      ];

      for (const route of routes) {
        it(`${route.name}: without, with a wrong, or with another session’s token → 403 csrf-token-invalid, nothing changed (docs/reference/security-requirements.md 2.9)`, async () => {
          const hasher = spyHasher(t);
          const before = await world(t);
          const own = victim.client.csrfToken() ?? '';
          const tokens = {
            missing: undefined,
            empty: '',
            wrong: randomToken(32),
            truncated: own.slice(0, -1),
            'another session of the account': victim.other.csrfToken() ?? '',
            'another account': stranger.client.csrfToken() ?? '',
          };
          for (const [label, token] of Object.entries(tokens)) {
            victim.client.setCsrf(token === undefined ? undefined : 'unused');
            const r = await route.send(victim.client, token === undefined ? {} : { 'x-csrf-token': token });
            expect(r.status, `${label}: ${r.text}`).toBe(403);
            expect(r.body.code, label).toBe('csrf-token-invalid');
          }
          victim.client.setCsrf(own);
          expect(hasher.calls()).toBe(0);
          expect(await world(t)).toEqual(before);
          expect((await victim.client.get('/api/v1/session')).status).toBe(200);
          expect((await victim.other.get('/api/v1/session')).status).toBe(200);
        });
      }

      it('a cross-origin form POST (Origin: https://evil.example, text/plain) → 403, with or without the victim’s cookie (docs/reference/security-requirements.md 2.9)', async () => {
        const before = await world(t);
        const hasher = spyHasher(t);
        const form = (url: string, payload: string, headers: Record<string, string>, withCookie = true) =>
          raw(t, { method: 'POST', url, ...(withCookie ? { client: victim.client } : {}), headers, payload });
        const attempts = [
          ['/api/v1/login', `email=${victim.email}&password=${PASSWORD}`],
          ['/api/v1/account/email', `{"newEmail":"evil@evil.example","password":"${PASSWORD}"}`],
          ['/api/v1/logout', ''],
          ['/api/v1/signup', `{"email":"${uniqueEmail('x')}","password":"${PASSWORD}"}`],
        ] as const;
        for (const [url, payload] of attempts) {
          for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json']) {
            const evil = await form(url, payload, { origin: 'https://evil.example', 'content-type': type });
            expect(evil.statusCode, `${url} ${type}`).toBe(403);
            expect(evil.json()).toMatchObject({ code: 'cross-origin-request' });
          }
          // No Origin but Sec-Fetch-Site: cross-site, and the opaque "null" origin of sandboxed frames.
          expect((await form(url, payload, { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' })).statusCode).toBe(403);
          expect((await form(url, payload, { origin: 'null', 'content-type': 'text/plain' })).statusCode).toBe(403);
          // Same site, but a form encoding: never parsed (415), so no form can post to the API.
          expect((await form(url, payload, { 'content-type': 'text/plain' })).statusCode).toBe(415);
        }
        expect(hasher.calls()).toBe(0);
        expect(await world(t)).toEqual(before);
      });

      it('a GET on a state-changing route → 405 and changes nothing (docs/reference/security-requirements.md 2.9)', async () => {
        const before = await world(t);
        for (const url of [
          '/api/v1/signup',
          '/api/v1/signup/confirm?token=x',
          '/api/v1/signup/resend',
          '/api/v1/login',
          '/api/v1/logout',
          '/api/v1/session/reauthenticate',
          '/api/v1/account',
          '/api/v1/account/password',
          '/api/v1/account/email',
          '/api/v1/account/email/confirm?token=x',
          '/api/v1/sessions/others',
          `/api/v1/sessions/${victim.otherSessionId}`,
        ]) {
          const r = await victim.client.get(url);
          expect(r.status, url).toBe(405);
          expect(r.body.code).toBe('method-not-allowed');
          expect(r.headers.allow).toBeDefined();
        }
        expect(await world(t)).toEqual(before);
        expect((await victim.client.get('/api/v1/session')).status).toBe(200);
      });

      it('the session of another account cannot revoke this account’s sessions: 404, nothing changed (docs/reference/security-requirements.md 2.5)', async () => {
        const list = await victim.client.get('/api/v1/sessions');
        const ids = (list.body.sessions as { id: string }[]).map((s) => s.id);
        expect(ids.length).toBeGreaterThanOrEqual(2);
        const before = await world(t);
        for (const id of ids) {
          const r = await stranger.client.del(`/api/v1/sessions/${id}`);
          expectProblem(r, 404, 'not-found');
        }
        // The stranger's own list never shows them.
        const theirs = await stranger.client.get('/api/v1/sessions');
        expect((theirs.body.sessions as { id: string }[]).some((s) => ids.includes(s.id))).toBe(false);
        expect(await world(t)).toEqual(before);
        expect((await victim.client.get('/api/v1/session')).status).toBe(200);
        expect((await victim.other.get('/api/v1/session')).status).toBe(200);
        // "Everywhere else" of the stranger ends only the stranger's other sessions.
        expect((await stranger.client.del('/api/v1/sessions/others')).status).toBe(204);
        expect((await victim.other.get('/api/v1/session')).status).toBe(200);
      });
    });

    it('logs every password check with purpose, outcome, factor, account and IP, never the password (docs/reference/security-requirements.md 6.1, 6.3)', async () => {
      const a = await account(t);
      const ip = nextIp();
      const guesser = apiClient(t.app, { ip });
      const guess = 'Geheimer-Rateversuch-314';
      const unknown = uniqueEmail('nobody');
      expect((await guesser.post('/api/v1/login', { email: a.email, password: guess })).status).toBe(401);
      expect((await guesser.post('/api/v1/login', { email: unknown, password: guess })).status).toBe(401);
      expect((await a.client.post('/api/v1/session/reauthenticate', { password: guess })).status).toBe(403);
      expect((await a.client.post('/api/v1/session/reauthenticate', { password: a.password })).status).toBe(200);
      const checks = t.logs().filter((l) => l.event === 'auth.password_check');
      expect(checks).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ purpose: 'sign-in', outcome: 'failure', factor: 'password', accountId: a.accountId, ip }),
          expect.objectContaining({ purpose: 'sign-in', outcome: 'failure', factor: 'password', accountId: null, ip }),
          expect.objectContaining({ purpose: 're-authentication', outcome: 'failure', factor: 'password', accountId: a.accountId }),
          expect.objectContaining({ purpose: 're-authentication', outcome: 'success', factor: 'password', accountId: a.accountId }),
        ]),
      );
      const lines = t.logLines().join('\n');
      expect(lines).not.toContain(guess);
      expect(lines).not.toContain(a.password);
    });

    it('on plain-http localhost the session cookie is lifeline_session: HttpOnly, SameSite=Lax, Path=/, no Domain (docs/reference/security-requirements.md 8.1 scope decision)', async () => {
      const a = await account(t);
      const login = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: a.password });
      const session = login.setCookies.find((c) => c.startsWith('lifeline_session='));
      expect(session).toBeDefined();
      expect(session).toMatch(/;\s*HttpOnly/i);
      expect(session).toMatch(/;\s*SameSite=Lax/i);
      expect(session).toMatch(/;\s*Path=\/(;|$)/i);
      expect(session).not.toMatch(/;\s*Domain=/i);
    });
  });

  describe(`${dialect}: cookies under an https PUBLIC_URL (docs/reference/security-requirements.md 8.1)`, () => {
    let t: TestApp;
    const origin = 'https://id.example.com';
    beforeAll(async () => {
      t = await createTestApp(dialect, { env: { ...ENV, PUBLIC_URL: origin } });
    });
    afterAll(async () => t.close());

    it('names the session cookie __Host-lifeline_session with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain (docs/reference/security-requirements.md 8.1)', async () => {
      const email = uniqueEmail('https');
      const client = apiClient(t.app, { ip: nextIp() });
      expect((await client.post('/api/v1/signup', { email, password: PASSWORD }, { origin })).status).toBe(202);
      const token = tokenIn((await lastMailTo(t, email))?.text);
      expect((await client.post('/api/v1/signup/confirm', { token }, { origin })).status).toBe(200);
      const login = await client.post('/api/v1/login', { email, password: PASSWORD }, { origin });
      expect(login.status).toBe(200);
      const cookies = new Map(login.setCookies.map((c) => [c.slice(0, c.indexOf('=')), c]));
      for (const name of ['__Host-lifeline_session', '__Host-lifeline_device']) {
        const cookie = cookies.get(name);
        expect(cookie, name).toBeDefined();
        const attributes = (cookie ?? '')
          .split(';')
          .slice(1)
          .map((a) => a.trim().toLowerCase());
        expect(attributes).toContain('secure');
        expect(attributes).toContain('httponly');
        expect(attributes).toContain('samesite=lax');
        expect(attributes).toContain('path=/');
        expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
      }
      expect(cookies.has('lifeline_session')).toBe(false);
      // The cookie works under its name; the unprefixed name is not looked at.
      expect((await client.get('/api/v1/session')).status).toBe(200);
      const value = client.sessionCookie() ?? '';
      const plain = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `lifeline_session=${value}` } });
      expect(plain.statusCode).toBe(401);
    });

    it('takes state changes from its own https origin or none, not from http or another host (docs/reference/security-requirements.md 2.9)', async () => {
      const client = apiClient(t.app, { ip: nextIp() });
      const body = { email: uniqueEmail('o'), password: PASSWORD };
      expect((await client.post('/api/v1/signup', body, { origin })).status).toBe(202);
      for (const other of ['http://id.example.com', 'https://id.example.com.evil.example', 'https://evil.example', 'https://sub.id.example.com']) {
        const r = await client.post('/api/v1/signup', { email: uniqueEmail('o'), password: PASSWORD }, { origin: other });
        expect(r.status, other).toBe(403);
        expect(r.body.code).toBe('cross-origin-request');
      }
    });
  });
}
