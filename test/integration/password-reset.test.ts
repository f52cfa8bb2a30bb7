import { describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/core/clock.js';
import { apiClient, GOOD_PASSWORD, mailsTo, signedInAccount, tokenIn, uniqueEmail, type ApiClient } from '../helpers/api-client.js';
import { ipSequence, securityEventTypes, type TestApp, useTestApp } from '../helpers/test-app.js';
import { germanMobile } from '../helpers/recovery-setup.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * "Passwort vergessen?" over the API (docs/reference/product.md §5; docs/reference/security-requirements.md §3 and 4.5, 4.6, 5.3).
 * Every test on SQLite and PostgreSQL, with email and SMS through the development mailbox.
 */

/** Each browser its own client address, unless a test is about the per-client limit. */
const nextIp = ipSequence('198.20');
const NEW_PASSWORD = 'Neues-Passwort-fuer-Lifeline-7';
const ACCEPTED = JSON.stringify({ status: 'accepted' });

const browser = (t: TestApp, options: { acceptLanguage?: string } = {}) => apiClient(t.app, { ip: nextIp(), ...options });

/** POST /password/forgot, then waits for the processing that follows the answer. */
async function forgot(t: TestApp, client: ApiClient, identifier: string, country?: string) {
  // A second apart, so that "the newest message" is well defined in the mailbox.
  t.clock.advance(SECOND);
  const response = await client.post('/api/v1/password/forgot', { identifier, ...(country ? { country } : {}) });
  await t.services.passwordReset.drain();
  return response;
}

/** The newest reset code mailed to `address` (8 Crockford characters alone on a line) and the link's token. */
async function mailedCode(t: TestApp, address: string): Promise<{ code: string | undefined; token: string | undefined; count: number }> {
  const mails = (await mailsTo(t, address)).filter((m) => m.text.includes('/reset-password?token='));
  const newest = mails[0];
  return {
    code: newest?.text
      .split('\n')
      .find((line) => /^[0-9A-Z]{8}$/.test(line.trim()))
      ?.trim(),
    token: tokenIn(newest?.text),
    count: mails.length,
  };
}

async function smsCode(t: TestApp, e164: string): Promise<{ code: string | undefined; count: number }> {
  const sms = (await mailsTo(t, e164)).filter((m) => /Passwort|password/.test(m.text) && /^\d{6}$/m.test(m.text));
  return { code: sms[0]?.text.split('\n').find((line) => /^\d{6}$/.test(line)), count: sms.length };
}

async function withRecoveryEmail(t: TestApp, a: Awaited<ReturnType<typeof signedInAccount>>, address = uniqueEmail('rec')): Promise<string> {
  t.clock.advance(SECOND);
  expect((await a.client.put('/api/v1/recovery/email', { address })).status).toBe(202);
  // The address may hold another account's confirmation too (a shared recovery address): the
  // mailbox orders by delivery time, so try its links until one confirms.
  const statuses: number[] = [];
  for (const mail of await mailsTo(t, address)) {
    const token = tokenIn(mail.text);
    if (!token) continue;
    const status = (await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token })).status;
    statuses.push(status);
    if (status === 200) break;
  }
  expect(statuses).toContain(200);
  return address;
}

async function withRecoveryPhone(t: TestApp, a: Awaited<ReturnType<typeof signedInAccount>>): Promise<ReturnType<typeof germanMobile>> {
  const number = germanMobile();
  expect((await a.client.put('/api/v1/recovery/phone', { number: number.typed })).status).toBe(202);
  const code = (await mailsTo(t, number.e164))[0]?.text.split('\n').find((line) => /^\d{6}$/.test(line));
  expect((await a.client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(200);
  return number;
}

const signIn = (t: TestApp, email: string, password: string) => apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email, password });

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: forgot password through any confirmed channel`, () => {
    const t = useTestApp(dialect);

    it('by recovery email: code → new password → every session ends, no sign-in, every channel told which channel was used (docs/reference/security-requirements.md 3.12, 3.13, 3.14)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const second = apiClient(t.app, { ip: nextIp() });
      expect((await second.post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(200);
      const recovery = await withRecoveryEmail(t, a);
      const phone = await withRecoveryPhone(t, a);

      const b = browser(t);
      const asked = await forgot(t, b, recovery.toUpperCase());
      expect(asked.status).toBe(202);
      expect(asked.text).toBe(ACCEPTED);
      expect(asked.setCookies.join(';')).toMatch(/lifeline_reset_flow=.*HttpOnly.*SameSite=Strict/i);
      const { code, token } = await mailedCode(t, recovery);
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(token?.length).toBeGreaterThanOrEqual(22);
      // Exactly the channel entered: the login email and the phone get no code.
      expect((await mailsTo(t, a.email)).some((m) => m.text.includes(code ?? '--------'))).toBe(false);
      expect((await smsCode(t, phone.e164)).count).toBe(0);
      // Neither the code nor the link is stored in plain text (docs/reference/security-requirements.md 3.6), nor logged (6.3).
      const dump =
        JSON.stringify(await t.database.db.selectFrom('verification_secrets').selectAll().execute()) +
        JSON.stringify(await t.database.db.selectFrom('password_reset_flows').selectAll().execute());
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(token?.split('.')[1]);
      expect(t.logLines().some((line) => line.includes(code ?? '--------'))).toBe(false);
      expect(await b.get('/api/v1/password/forgot')).toMatchObject({ status: 200, body: { stage: 'code-sent', channel: 'email' } });

      // Case, spaces and dashes do not matter.
      const typed = `${code?.slice(0, 4).toLowerCase()}-${code?.slice(4)}`;
      const verified = await b.post('/api/v1/password/forgot/verify', { code: typed });
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({});
      expect(await b.get('/api/v1/password/forgot')).toMatchObject({ body: { stage: 'verified' } });

      const done = await b.post('/api/v1/password/reset', { password: NEW_PASSWORD });
      expect(done.status).toBe(200);
      // The login email for the sign-in form, and this browser becomes a device the account knows.
      expect(done.body).toEqual({ status: 'reset', email: a.email });
      expect(done.setCookies.some((c) => c.startsWith('lifeline_device='))).toBe(true);
      expect(done.setCookies.some((c) => c.startsWith('lifeline_session=') && !/max-age=0/i.test(c))).toBe(false);
      expect((await b.get('/api/v1/session')).status).toBe(401);
      expect((await a.client.get('/api/v1/session')).status).toBe(401);
      expect((await second.get('/api/v1/session')).status).toBe(401);
      expect((await signIn(t, a.email, a.password)).status).toBe(401);
      expect((await signIn(t, a.email, NEW_PASSWORD)).status).toBe(200);
      // Another browser's sign-in is a new device and told; the resetting browser's is not.
      const newDevice = async () => (await mailsTo(t, a.email)).filter((m) => m.subject.includes('neuen Gerät')).length;
      const told = await newDevice();
      expect(told).toBeGreaterThan(0);
      expect((await b.post('/api/v1/login', { email: a.email, password: NEW_PASSWORD })).status).toBe(200);
      expect(await newDevice()).toBe(told);

      // Told on every channel: the login and the recovery email name the channel; the phone gets a short SMS without a link.
      for (const address of [a.email, recovery]) {
        const notice = (await mailsTo(t, address)).find((m) => m.subject === 'Lifeline: Ihr Passwort wurde zurückgesetzt');
        expect(notice?.text).toContain(`Wiederherstellungs-E-Mail-Adresse ${recovery}`);
        expect(notice?.text).toContain('IP-Adresse');
        expect(notice?.text).not.toContain(NEW_PASSWORD);
      }
      const sms = (await mailsTo(t, phone.e164)).find((m) => m.text.includes('zurückgesetzt'));
      expect(sms?.text).not.toMatch(/https?:/);
      expect(await securityEventTypes(t, a.accountId)).toEqual(
        expect.arrayContaining(['password_reset.requested', 'password.reset', 'sessions.revoked_by_password_reset']),
      );
      // One structured log event each (docs/reference/security-requirements.md 6.1), none with a secret (6.3).
      const logged = t
        .logs()
        .filter((l) => l.accountId === a.accountId)
        .map((l) => l.event);
      expect(logged).toEqual(expect.arrayContaining(['password_reset.requested', 'password_reset.completed']));
      // The code is dead after use (docs/reference/security-requirements.md 3.3), and so is the flow.
      expect((await b.post('/api/v1/password/forgot/verify', { code })).status).toBe(410);
      expect((await b.post('/api/v1/password/reset', { password: 'Noch-ein-Passwort-99' })).status).toBe(410);
      // The link of the same mail died with the code.
      expect((await browser(t).post('/api/v1/password/forgot/verify', { token })).body.code).toBe('link-expired');
    });

    it('by login email, and the link works in another browser (the page acts on POST only)', async () => {
      const a = await signedInAccount(t, { ip: nextIp(), locale: 'en' });
      await forgot(t, browser(t), a.email);
      const { token } = await mailedCode(t, a.email);
      const mail = (await mailsTo(t, a.email)).find((m) => m.text.includes('/reset-password?token='));
      expect(mail?.subject).toBe('Lifeline: Your code to reset your password');
      // A GET of the link's page changes nothing (mail scanners open links) and leaks nothing (3.9).
      const page = await t.app.inject({ method: 'GET', url: `/reset-password?token=${encodeURIComponent(token ?? '')}`, headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.body).not.toMatch(/(src|href)="https?:\/\//);
      const other = browser(t);
      const verified = await other.post('/api/v1/password/forgot/verify', { token });
      expect(verified.status, verified.text).toBe(200);
      expect((await other.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
      expect((await signIn(t, a.email, NEW_PASSWORD)).status).toBe(200);
      const notice = (await mailsTo(t, a.email)).find((m) => m.subject === 'Lifeline: Your password was reset');
      expect(notice?.text).toContain(`login email address ${a.email}`);
      // A used link is dead.
      expect((await browser(t).post('/api/v1/password/forgot/verify', { token })).status).toBe(410);
    });

    it('by recovery phone in any usual form: a 6-digit SMS to that number only, 10 minutes (docs/reference/security-requirements.md 3.5)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const phone = await withRecoveryPhone(t, a);
      const b = browser(t);
      expect((await forgot(t, b, `+49 (171) ${phone.digits.slice(0, 3)}-${phone.digits.slice(3)}`)).text).toBe(ACCEPTED);
      const { code } = await smsCode(t, phone.e164);
      expect(code).toMatch(/^\d{6}$/);
      expect((await mailsTo(t, a.email)).some((m) => m.text.includes(code ?? '------'))).toBe(false);
      expect(await b.get('/api/v1/password/forgot')).toMatchObject({ body: { stage: 'code-sent', channel: 'sms' } });
      t.clock.advance(10 * MINUTE + SECOND);
      expect((await b.post('/api/v1/password/forgot/verify', { code })).body.code).toBe('code-expired');

      // A new request (the national form, with the country selector) after the cooldown: accepted at 9:59.
      const c = browser(t);
      await forgot(t, c, phone.typed, 'DE');
      const fresh = await smsCode(t, phone.e164);
      expect(fresh.code).toMatch(/^\d{6}$/);
      t.clock.advance(10 * MINUTE - SECOND);
      expect((await c.post('/api/v1/password/forgot/verify', { code: fresh.code })).status).toBe(200);
      expect((await c.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
      const notice = (await mailsTo(t, a.email)).find((m) => m.subject === 'Lifeline: Ihr Passwort wurde zurückgesetzt');
      expect(notice?.text).toContain(`Telefonnummer +49 *** ****${phone.digits.slice(-3)}`);
      expect(notice?.text).not.toContain(phone.digits);
    });

    it('unknown and unconfirmed identifiers: the same status and body, nothing sent, and wrong codes answered alike (docs/reference/security-requirements.md 3.1, 3.16)', async () => {
      const unverifiedEmail = uniqueEmail('unverified');
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: unverifiedEmail, password: GOOD_PASSWORD })).status).toBe(202);
      const a = await signedInAccount(t, { ip: nextIp() });
      const pendingAddress = uniqueEmail('pending');
      await a.client.put('/api/v1/recovery/email', { address: pendingAddress });
      const pendingNumber = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: pendingNumber.typed });
      const before = {
        pending: (await mailsTo(t, pendingAddress)).length,
        unverified: (await mailsTo(t, unverifiedEmail)).length,
        number: (await mailsTo(t, pendingNumber.e164)).length,
      };

      const ghostNumber = germanMobile();
      const cases = [uniqueEmail('nobody'), unverifiedEmail, pendingAddress, ghostNumber.typed, pendingNumber.typed];
      for (const identifier of cases) {
        const b = browser(t);
        const asked = await forgot(t, b, identifier);
        expect(asked.status).toBe(202);
        expect(asked.text).toBe(ACCEPTED);
        const channel = identifier.includes('@') ? 'email' : 'sms';
        expect(await b.get('/api/v1/password/forgot')).toMatchObject({ body: { stage: 'code-sent', channel } });
        const wrong = channel === 'sms' ? '123456' : 'ABCDEFGH';
        for (const triesLeft of [4, 3, 2, 1, 0]) {
          const r = await b.post('/api/v1/password/forgot/verify', { code: wrong });
          expect(r.status).toBe(400);
          expect(r.body).toMatchObject({ code: 'wrong-code', triesLeft });
        }
        expect((await b.post('/api/v1/password/forgot/verify', { code: wrong })).body.code).toBe('code-expired');
      }
      expect((await mailsTo(t, pendingAddress)).length).toBe(before.pending);
      expect((await mailsTo(t, unverifiedEmail)).length).toBe(before.unverified);
      expect((await mailsTo(t, pendingNumber.e164)).length).toBe(before.number);
      expect((await mailsTo(t, ghostNumber.e164)).length).toBe(0);
      // No unknown address is kept once its flow is processed.
      const kept = await t.database.db
        .selectFrom('password_reset_flows')
        .select('identifier')
        .where('identifier', '=', cases[0] ?? '')
        .execute();
      expect(kept).toEqual([]);
    });

    it('wrong code ×5 burns it; a new code does not restore the hourly failures of the guessing client, for known and unknown identifiers alike (docs/reference/security-requirements.md 4.5, 3.10)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const nobody = uniqueEmail('nobody');
      const answers: Record<string, string[]> = {};
      // One client guessing, with a fresh cookie (flow) each round: its failures add up.
      const guesser = nextIp();
      for (const identifier of [a.email, nobody]) {
        const seen: string[] = [];
        for (let round = 0; round < 2; round++) {
          const b = apiClient(t.app, { ip: guesser });
          await forgot(t, b, identifier);
          const { code } = await mailedCode(t, identifier);
          const wrong = code === 'ZZZZZZZZ' ? 'YYYYYYYY' : 'ZZZZZZZZ';
          for (let i = 0; i < 5; i++) {
            const r = await b.post('/api/v1/password/forgot/verify', { code: wrong });
            seen.push(`${r.status} ${String(r.body.code)} ${String(r.body.triesLeft)}`);
          }
          // The right code after five wrong ones: dead (or locked once ten failures are in).
          const after = await b.post('/api/v1/password/forgot/verify', { code: code ?? wrong });
          seen.push(`${after.status} ${String(after.body.code)}`);
        }
        const b = apiClient(t.app, { ip: guesser });
        await forgot(t, b, identifier);
        const locked = await b.post('/api/v1/password/forgot/verify', { code: (await mailedCode(t, identifier)).code ?? 'ZZZZZZZZ' });
        seen.push(`${locked.status} ${String(locked.body.code)} ${locked.headers['retry-after'] === undefined ? '' : 'retry-after'}`);
        answers[identifier] = seen;
      }
      expect(answers[a.email]?.slice(0, 6)).toEqual([
        '400 wrong-code 4',
        '400 wrong-code 3',
        '400 wrong-code 2',
        '400 wrong-code 1',
        '400 wrong-code 0',
        '410 code-expired',
      ]);
      expect(answers[a.email]?.at(-1)).toBe('429 too-many-attempts retry-after');
      // The unknown address gets the very same sequence of answers.
      expect(answers[nobody]).toEqual(answers[a.email]);
      expect(t.logs().some((l) => l.event === 'password_reset.code_rejected' && l.accountId === a.accountId && l.reason === 'code-incorrect')).toBe(true);
      // 10 wrong codes never lock the account itself (docs/reference/security-requirements.md 3.7): the password still signs in.
      expect((await signIn(t, a.email, a.password)).status).toBe(200);
      // …nor the owner's own flow from another client: a code comes and verifies.
      const owner = browser(t);
      await forgot(t, owner, a.email);
      expect((await owner.post('/api/v1/password/forgot/verify', { code: (await mailedCode(t, a.email)).code })).status).toBe(200);
    });

    it('a code only works in the flow it was sent for: not without the cookie, not in another flow (docs/reference/security-requirements.md 4.6)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const b = browser(t);
      await forgot(t, b, a.email);
      const { code } = await mailedCode(t, a.email);
      expect((await browser(t).post('/api/v1/password/forgot/verify', { code })).status).toBe(410);
      const c = browser(t);
      await forgot(t, c, uniqueEmail('other'));
      expect((await c.post('/api/v1/password/forgot/verify', { code })).status).toBe(400);
      // Another browser's request leaves this browser's flow alone (a stranger cannot end the owner's)…
      const d = browser(t);
      await forgot(t, d, a.email);
      const others = (await mailedCode(t, a.email)).code;
      expect(others).not.toBe(code);
      // …but the same browser's next request replaces its own earlier flow: that code is dead.
      await forgot(t, b, a.email);
      const fresh = (await mailedCode(t, a.email)).code;
      expect((await b.post('/api/v1/password/forgot/verify', { code })).status).toBe(400);
      expect((await b.post('/api/v1/password/forgot/verify', { code: fresh })).status).toBe(200);
      expect((await d.post('/api/v1/password/forgot/verify', { code: others })).status).toBe(200);
      // A reset code is no recovery-phone code (purposes never cross).
      expect((await a.client.post('/api/v1/recovery/phone/confirm', { code: fresh })).status).toBeGreaterThanOrEqual(400);
    });

    it('100 parallel redemptions of one code: exactly one wins (docs/reference/security-requirements.md 3.3)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const b = browser(t);
      await forgot(t, b, a.email);
      const { code } = await mailedCode(t, a.email);
      const results = await Promise.all(Array.from({ length: 100 }, () => b.post('/api/v1/password/forgot/verify', { code })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.every((r) => r.status === 200 || r.status === 410)).toBe(true);
      const resets = await Promise.all(Array.from({ length: 20 }, (_, i) => b.post('/api/v1/password/reset', { password: `${NEW_PASSWORD}-${i}` })));
      expect(resets.filter((r) => r.status === 200)).toHaveLength(1);
      expect(resets.every((r) => r.status === 200 || r.status === 410)).toBe(true);
    });

    it('a recovery address of two accounts: after the code the user chooses the account (masked), and only that one changes', async () => {
      const shared = uniqueEmail('shared');
      const first = await signedInAccount(t, { ip: nextIp() });
      const second = await signedInAccount(t, { ip: nextIp() });
      await withRecoveryEmail(t, first, shared);
      await withRecoveryEmail(t, second, shared);
      const b = browser(t);
      await forgot(t, b, shared);
      const { code } = await mailedCode(t, shared);
      const verified = await b.post('/api/v1/password/forgot/verify', { code });
      expect(verified.status, verified.text).toBe(200);
      const accounts = verified.body.accounts as { id: string; maskedEmail: string }[];
      expect(accounts.map((x) => x.id).sort()).toEqual([first.accountId, second.accountId].sort());
      expect(accounts.find((x) => x.id === first.accountId)?.maskedEmail).toBe(`${first.email.slice(0, 1)}***@example.com`);
      expect(accounts.some((x) => x.maskedEmail.includes(first.email.slice(1, first.email.indexOf('@'))))).toBe(false);
      expect((await b.post('/api/v1/password/reset', { password: NEW_PASSWORD })).body.code).toBe('account-required');
      expect((await b.post('/api/v1/password/reset', { password: NEW_PASSWORD, accountId: 'not-one-of-them' })).status).toBe(400);
      expect((await b.post('/api/v1/password/reset', { password: NEW_PASSWORD, accountId: second.accountId })).status).toBe(200);
      expect((await signIn(t, second.email, NEW_PASSWORD)).status).toBe(200);
      expect((await signIn(t, first.email, first.password)).status).toBe(200);
      expect((await first.client.get('/api/v1/session')).status).toBe(200);
    });

    it('the new password follows the sign-up policy; a refused one changes nothing and the flow stays usable (docs/reference/security-requirements.md 3.11)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const b = browser(t);
      await forgot(t, b, a.email);
      await b.post('/api/v1/password/forgot/verify', { code: (await mailedCode(t, a.email)).code });
      for (const [password, code] of [
        ['kurz', 'password-too-short'],
        ['password123', 'password-too-common'],
        [`${a.email}!`, 'password-personal'],
      ] as const) {
        const r = await b.post('/api/v1/password/reset', { password });
        expect(r.status, `${password}: ${r.text}`).toBe(422);
        expect(r.body.code).toBe(code);
        expect(String(r.body.detail)).not.toBe('');
      }
      expect((await signIn(t, a.email, a.password)).status).toBe(200);
      expect((await b.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
    });

    it('the new-password step ends 15 minutes after the code', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const b = browser(t);
      await forgot(t, b, a.email);
      await b.post('/api/v1/password/forgot/verify', { code: (await mailedCode(t, a.email)).code });
      t.clock.advance(15 * MINUTE + SECOND);
      expect((await b.post('/api/v1/password/reset', { password: NEW_PASSWORD })).body.code).toBe('reset-expired');
      expect((await signIn(t, a.email, a.password)).status).toBe(200);
    });

    it('a reset kills every other outstanding reset code and verified flow of the account (docs/reference/security-requirements.md 3.13)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const recovery = await withRecoveryEmail(t, a);
      const viaRecovery = browser(t);
      await forgot(t, viaRecovery, recovery);
      const recoveryCode = (await mailedCode(t, recovery)).code;
      const viaLogin = browser(t);
      await forgot(t, viaLogin, a.email);
      await viaLogin.post('/api/v1/password/forgot/verify', { code: (await mailedCode(t, a.email)).code });
      const viaLink = browser(t);
      await forgot(t, browser(t), recovery);
      const { token } = await mailedCode(t, recovery);
      expect((await viaLink.post('/api/v1/password/forgot/verify', { token })).status).toBe(200);
      expect((await viaLink.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
      // Each flow kept its own code until then (another's request ends none); the reset ends them all.
      expect((await viaRecovery.post('/api/v1/password/forgot/verify', { code: recoveryCode })).status).toBe(410);
      expect((await viaLogin.post('/api/v1/password/reset', { password: 'Ein-anderes-Passwort-77' })).body.code).toBe('reset-expired');
      expect((await signIn(t, a.email, NEW_PASSWORD)).status).toBe(200);
    });

    it('the way back for a blocked sign-in (403 password-reset-required)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      await t.database.db.updateTable('accounts').set({ password_reset_required: 1 }).where('id', '=', a.accountId).execute();
      expect((await signIn(t, a.email, a.password)).body.code).toBe('password-reset-required');
      const b = browser(t);
      await forgot(t, b, a.email);
      await b.post('/api/v1/password/forgot/verify', { code: (await mailedCode(t, a.email)).code });
      expect((await b.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
      expect((await signIn(t, a.email, NEW_PASSWORD)).status).toBe(200);
    });

    it('limits: per identifier from one client (the 6th request sends nothing) and from all clients together (the 21st), silent; the account’s own browser passes the latter; per client 429 (docs/reference/security-requirements.md 5.3, 3.7)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const stranger = nextIp();
      for (let i = 0; i < 6; i++) {
        const r = await forgot(t, apiClient(t.app, { ip: stranger }), a.email);
        expect(r.status).toBe(202);
        expect(r.text).toBe(ACCEPTED);
      }
      expect((await mailedCode(t, a.email)).count).toBe(5);
      expect(t.logs().some((l) => l.event === 'password_reset.send_suppressed' && l.reason === 'identifier-limit')).toBe(true);
      // Other clients still get codes (one client's requests never spend the owner's), up to 20 for all together.
      for (let i = 0; i < 15; i++) await forgot(t, browser(t), a.email);
      expect((await mailedCode(t, a.email)).count).toBe(20);
      const r = await forgot(t, browser(t), a.email);
      expect(r.text).toBe(ACCEPTED);
      expect((await mailedCode(t, a.email)).count).toBe(20);
      expect(t.logs().some((l) => l.event === 'password_reset.send_suppressed' && l.reason === 'identifier-total-limit')).toBe(true);
      // The owner's own browser (the account's device cookie) still gets its code.
      await forgot(t, a.client, a.email);
      expect((await mailedCode(t, a.email)).count).toBe(21);
      expect(await securityEventTypes(t, a.accountId)).toContain('password_reset.suppressed');
      // Requests never lock the account (docs/reference/security-requirements.md 3.7).
      expect((await signIn(t, a.email, a.password)).status).toBe(200);

      const one = apiClient(t.app, { ip: '203.0.113.77' });
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await forgot(t, one, uniqueEmail('flood'))).status);
      expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
      const refused = await one.post('/api/v1/password/forgot', { identifier: uniqueEmail('flood') });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
    });

    it('one SMS a minute per number: a quicker second request is silent and sends nothing (docs/reference/security-requirements.md 5.4)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const phone = await withRecoveryPhone(t, a);
      await forgot(t, browser(t), phone.typed);
      await forgot(t, browser(t), phone.typed);
      expect((await smsCode(t, phone.e164)).count).toBe(1);
      t.clock.advance(MINUTE);
      await forgot(t, browser(t), phone.typed);
      expect((await smsCode(t, phone.e164)).count).toBe(2);
    });

    it('the link is built from PUBLIC_URL, never from Host or X-Forwarded-Host (docs/reference/security-requirements.md 3.8)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      await browser(t).post('/api/v1/password/forgot', { identifier: a.email }, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
      await t.services.passwordReset.drain();
      const mail = (await mailsTo(t, a.email)).find((m) => m.text.includes('/reset-password?token='));
      expect(mail?.text).toContain('http://127.0.0.1:3000/reset-password?token=');
      expect(mail?.text).not.toContain('evil.example');
    });

    it('bad input: a clear 4xx, nothing written (docs/reference/product.md §8)', async () => {
      const b = browser(t);
      const cases: [unknown, number, string][] = [
        [{}, 400, 'validation-failed'],
        [{ identifier: '' }, 400, 'validation-failed'],
        [{ identifier: 'kein@' }, 400, 'validation-failed'],
        [{ identifier: 'x'.repeat(400) }, 400, 'validation-failed'],
        [{ identifier: '0171 SMS-PUMP' }, 422, 'invalid-number'],
        [{ identifier: '0900 1234567', country: 'DE' }, 422, 'number-type-not-allowed'],
        [{ identifier: '+1 201 555 0123' }, 422, 'country-not-allowed'],
        [{ identifier: 'a@example.com', country: 'Deutschland' }, 400, 'validation-failed'],
        [{ identifier: 'a@example.com', extra: 1 }, 400, 'validation-failed'],
      ];
      const before = (await t.database.db.selectFrom('password_reset_flows').select('id').execute()).length;
      for (const [body, status, code] of cases) {
        const r = await b.post('/api/v1/password/forgot', body);
        expect(r.status, JSON.stringify(body)).toBe(status);
        expect(r.body.code).toBe(code);
      }
      expect((await t.database.db.selectFrom('password_reset_flows').select('id').execute()).length).toBe(before);
      expect((await b.post('/api/v1/password/forgot/verify', { code: 'x', token: 'y' })).status).toBe(400);
      expect((await b.post('/api/v1/password/forgot/verify', { token: 'not-a-token' })).body.code).toBe('link-expired');
      expect((await b.post('/api/v1/password/reset', { password: NEW_PASSWORD })).body.code).toBe('reset-expired');
      const raw = await t.app.inject({
        method: 'POST',
        url: '/api/v1/password/forgot',
        payload: '{"identifier":',
        headers: { 'content-type': 'application/json' },
      });
      expect(raw.statusCode).toBe(400);
      // English too.
      const en = await browser(t, { acceptLanguage: 'en' }).post('/api/v1/password/reset', { password: NEW_PASSWORD });
      expect(en.body.detail).toContain('Forgot password');
    });

    it('NOTIFY_UNKNOWN_RECIPIENTS off (default): an unknown address receives nothing', async () => {
      const nobody = uniqueEmail('nobody');
      await forgot(t, browser(t), nobody);
      expect(await mailsTo(t, nobody)).toEqual([]);
    });
  });

  describe(`${dialect}: NOTIFY_UNKNOWN_RECIPIENTS=true`, () => {
    const t = useTestApp(dialect, { env: { NOTIFY_UNKNOWN_RECIPIENTS: 'true' } });

    it('an address known in no state gets one notice a day; a known one never gets it', async () => {
      const nobody = uniqueEmail('nobody');
      await forgot(t, browser(t), nobody);
      await forgot(t, browser(t), nobody);
      const notices = await mailsTo(t, nobody);
      expect(notices).toHaveLength(1);
      expect(notices[0]?.subject).toBe('Lifeline: Anfrage zum Zurücksetzen eines Passworts');
      expect(notices[0]?.text).not.toMatch(/token=/);
      const unverified = uniqueEmail('unverified');
      await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: unverified, password: GOOD_PASSWORD });
      const before = (await mailsTo(t, unverified)).length;
      await forgot(t, browser(t), unverified);
      expect((await mailsTo(t, unverified)).length).toBe(before);
    });
  });
}
