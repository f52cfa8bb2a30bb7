import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/core/clock.js';
import { verifySmsWebhookSignature } from '../../src/delivery/channels/sms-webhook-channel.js';
import type { Environment } from '../../src/config/parse-config.js';
import { apiClient, mailsTo, signedInAccount } from '../helpers/api-client.js';
import { createTestApp, ipSequence, securityEventTypes, type TestApp, useTestApp } from '../helpers/test-app.js';
import { germanMobile } from '../helpers/recovery-setup.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * "Kontowiederherstellung → Telefonnummer" over the API (docs/reference/product.md §3; docs/reference/security-requirements.md
 * 3.5 code lifetime, 4.5 tries that a new code does not restore, 6.x caps against SMS pumping).
 * Every test on SQLite and PostgreSQL; SMS through the development mailbox, and once each
 * through a local server that speaks Twilio's Messages API and a signed webhook receiver.
 */

/** Each account its own client address, unless a test is about the per-client cap. */
const nextIp = ipSequence('198.19');
type PhoneView = { status: string; masked?: string; pending?: { masked: string; expiresAt: string; resendAvailableAt: string } };

async function phoneOf(client: ReturnType<typeof apiClient>): Promise<PhoneView> {
  return ((await client.get('/api/v1/recovery')).body as { phone: PhoneView }).phone;
}

/** The newest code sent to `e164` (the SMS has it alone on a line; the mailbox lists newest first). */
async function codeSentTo(t: TestApp, e164: string): Promise<string | undefined> {
  for (const sms of await mailsTo(t, e164)) {
    const code = sms.text.split('\n').find((line) => /^\d{6}$/.test(line));
    if (code) return code;
  }
  return undefined;
}

const wrongCodeFor = (code: string | undefined) => (code === '000000' ? '111111' : '000000');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: recovery phone, "Kontowiederherstellung → Telefonnummer" (docs/reference/product.md §3)`, () => {
    const t = useTestApp(dialect);

    it('set up → code by SMS to the number only → confirm → active and masked; login and recovery email are told, the number masked', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      const set = await a.client.put('/api/v1/recovery/phone', { number: `+49 171 ${number.digits}` });
      expect(set.status).toBe(202);
      expect(set.body).toEqual({ status: 'accepted', masked: `+49 *** ****${number.digits.slice(-3)}` });
      const pending = await phoneOf(a.client);
      expect(pending).toEqual({
        status: 'pending',
        pending: {
          masked: `+49 *** ****${number.digits.slice(-3)}`,
          expiresAt: new Date(t.clock.now() + 10 * MINUTE).toISOString(),
          resendAvailableAt: new Date(t.clock.now() + MINUTE).toISOString(),
        },
      });
      const [sms] = await mailsTo(t, number.e164);
      const code = await codeSentTo(t, number.e164);
      expect(code).toMatch(/^\d{6}$/);
      // The service's name, the code alone on a line, and the WebOTP line bound to PUBLIC_URL's host.
      expect(sms?.text).toContain('Lifeline');
      expect(sms?.text.split('\n').at(-1)).toBe(`@127.0.0.1 #${code}`);
      expect(sms?.text).not.toMatch(/https?:\/\//);
      // Only the number receives the code.
      expect((await mailsTo(t, a.email)).some((m) => m.text.includes(code ?? '------'))).toBe(false);

      const ok = await a.client.post('/api/v1/recovery/phone/confirm', { code: `${code?.slice(0, 3)} ${code?.slice(3)}` });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ status: 'active', masked: `+49 *** ****${number.digits.slice(-3)}` });
      expect(await phoneOf(a.client)).toEqual({ status: 'active', masked: `+49 *** ****${number.digits.slice(-3)}` });
      const notice = (await mailsTo(t, a.email)).find((m) => m.subject === 'Lifeline: Telefonnummer zur Kontowiederherstellung eingerichtet');
      expect(notice?.text).toContain(`+49 *** ****${number.digits.slice(-3)}`);
      expect(notice?.text).not.toContain(number.digits);
      expect(await securityEventTypes(t, a.accountId)).toEqual(expect.arrayContaining(['recovery_phone.setup_requested', 'recovery_phone.added']));
      // The code is never logged (docs/reference/contracts.md "Never log a secret").
      expect(t.logLines().some((line) => line.includes(code ?? '------'))).toBe(false);
      // Sent and confirmed codes per country (the ratio falls when someone pumps).
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/lifeline_sms_codes_sent_total\{country="DE",purpose="recovery-phone-setup"\} [1-9]/);
      expect(metrics).toMatch(/lifeline_sms_codes_confirmed_total\{country="DE",purpose="recovery-phone-setup"\} [1-9]/);
    });

    it('the recovery email is told too, in the account’s language', async () => {
      const a = await signedInAccount(t, { ip: nextIp(), locale: 'en' });
      const recoveryAddress = `rec-${Date.now()}-${Math.random().toString(36).slice(2)}@example.org`;
      await a.client.put('/api/v1/recovery/email', { address: recoveryAddress });
      const link = (await mailsTo(t, recoveryAddress))[0]?.text.match(/token=([^\s&]+)/)?.[1];
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: decodeURIComponent(link ?? '') })).status).toBe(200);
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      expect((await mailsTo(t, number.e164))[0]?.text).toContain('your code to confirm this phone number');
      await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, number.e164) });
      for (const address of [a.email, recoveryAddress]) {
        expect((await mailsTo(t, address)).some((m) => m.subject === 'Lifeline: account recovery phone number set up')).toBe(true);
      }
    });

    it.each([
      ['0900 1234567', 'DE', 'number-type-not-allowed'],
      ['0800 1234567', 'DE', 'number-type-not-allowed'],
      ['01805 123456', 'DE', 'number-type-not-allowed'],
      ['030 12345678', 'DE', 'number-type-not-allowed'],
      ['123', 'DE', 'invalid-number'],
      ['0171 SMS-PUMP', 'DE', 'invalid-number'],
      ['+1 201 555 0123', 'US', 'country-not-allowed'],
      ['+44 7400 123456', undefined, 'country-not-allowed'],
      ['+882 16 1234567', undefined, 'country-not-allowed'], // international networks (docs/reference/security-requirements.md 5.5)
      ['+881 6 12345678', undefined, 'country-not-allowed'], // satellite phones
    ])(
      'refuses %s (%s) with 422 %s, a localised message, and sends nothing (docs/reference/security-requirements.md 5.5, 5.7)',
      async (number, country, code) => {
        const a = await signedInAccount(t, { ip: nextIp() });
        const r = await a.client.put('/api/v1/recovery/phone', { number, ...(country ? { country } : {}) });
        expect(r.status).toBe(422);
        expect(r.body.code).toBe(code);
        expect(String(r.body.detail).length).toBeGreaterThan(20);
        expect(await phoneOf(a.client)).toEqual({ status: 'none' });
        expect(
          await t.database.db.selectFrom('outbox_messages').select('id').where('account_id', '=', a.accountId).where('channel', '=', 'sms').execute(),
        ).toEqual([]);
      },
    );

    it('bad input is a 400 naming the field, never a 5xx', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      for (const body of [
        {},
        { number: 4917112345678 },
        { number: 'x'.repeat(41) },
        { number: germanMobile().typed, country: 'Germany' },
        { number: germanMobile().typed, extra: 1 },
      ]) {
        const r = await a.client.put('/api/v1/recovery/phone', body);
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('validation-failed');
      }
      await a.client.put('/api/v1/recovery/phone', { number: germanMobile().typed });
      for (const code of ['abcdef', '12345', '1234567', '']) {
        const r = await a.client.post('/api/v1/recovery/phone/confirm', { code });
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('validation-failed');
      }
      expect((await phoneOf(a.client)).status).toBe('pending');
    });

    it('needs the password: outside the window 403 privilege-required, a wrong one 403 wrong-password; no SMS goes out (docs/reference/security-requirements.md 4.8)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      t.clock.advance(10 * MINUTE + SECOND);
      const number = germanMobile();
      expect((await a.client.put('/api/v1/recovery/phone', { number: number.typed })).body.code).toBe('privilege-required');
      expect((await a.client.put('/api/v1/recovery/phone', { number: number.typed, password: 'falsch-falsch-falsch' })).body.code).toBe('wrong-password');
      expect(await mailsTo(t, number.e164)).toEqual([]);
      expect((await a.client.put('/api/v1/recovery/phone', { number: number.typed, password: a.password })).status).toBe(202);
    });

    it('a wrong code says how many tries are left; after 5 the code is dead (410), even the right one (docs/reference/security-requirements.md 4.4)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      const code = await codeSentTo(t, number.e164);
      const tries: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await a.client.post('/api/v1/recovery/phone/confirm', { code: wrongCodeFor(code) });
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('wrong-code');
        tries.push(r.body.triesLeft);
      }
      expect(tries).toEqual([4, 3, 2, 1, 0]);
      const dead = await a.client.post('/api/v1/recovery/phone/confirm', { code });
      expect(dead.status).toBe(410);
      expect(dead.body.code).toBe('code-expired');
      expect((await phoneOf(a.client)).status).toBe('pending');
    });

    it('sending again never restores tries: 10 wrong codes in an hour lock the phone setup for an hour (docs/reference/security-requirements.md 4.5)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      for (let i = 0; i < 5; i++) await a.client.post('/api/v1/recovery/phone/confirm', { code: wrongCodeFor(await codeSentTo(t, number.e164)) });
      t.clock.advance(MINUTE + SECOND);
      expect((await a.client.post('/api/v1/recovery/phone/resend')).status).toBe(202);
      for (let i = 0; i < 5; i++) {
        const r = await a.client.post('/api/v1/recovery/phone/confirm', { code: wrongCodeFor(await codeSentTo(t, number.e164)) });
        expect(r.body.code).toBe('wrong-code');
      }
      // The 11th guess, right or wrong, and any new code: locked, with the wait.
      const locked = await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, number.e164) });
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('too-many-attempts');
      t.clock.advance(MINUTE + SECOND);
      const resend = await a.client.post('/api/v1/recovery/phone/resend');
      expect(resend.status).toBe(429);
      expect(Number(resend.headers['retry-after'])).toBeGreaterThan(50 * 60);
      const other = await a.client.put('/api/v1/recovery/phone', { number: germanMobile().typed });
      expect(other.status).toBe(429);
      expect(other.body.code).toBe('too-many-attempts');
      // An hour later the setup works again.
      t.clock.advance(60 * MINUTE);
      await a.client.post('/api/v1/session/reauthenticate', { password: a.password });
      expect((await a.client.post('/api/v1/recovery/phone/resend')).status).toBe(202);
      expect((await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, number.e164) })).status).toBe(200);
    });

    it('a code is accepted at 9:59 and dead at 10:01 (docs/reference/security-requirements.md 3.5, 4.4)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      const code = await codeSentTo(t, number.e164);
      t.clock.advance(10 * MINUTE + SECOND);
      const r = await a.client.post('/api/v1/recovery/phone/confirm', { code });
      expect(r.status).toBe(410);
      expect(r.body.code).toBe('code-expired');

      const b = await signedInAccount(t, { ip: nextIp() });
      const other = germanMobile();
      await b.client.put('/api/v1/recovery/phone', { number: other.typed });
      t.clock.advance(10 * MINUTE - SECOND);
      expect((await b.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, other.e164) })).status).toBe(200);
    });

    it('the code of another number (a replaced setup) does not confirm; the new number’s code does (docs/reference/security-requirements.md 4.6)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const first = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: first.typed });
      const firstCode = await codeSentTo(t, first.e164);
      const second = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: second.typed });
      const secondCode = await codeSentTo(t, second.e164);
      if (firstCode !== secondCode) {
        const r = await a.client.post('/api/v1/recovery/phone/confirm', { code: firstCode });
        expect(r.body.code).toBe('wrong-code');
      }
      expect((await a.client.post('/api/v1/recovery/phone/confirm', { code: secondCode })).status).toBe(200);
      expect((await phoneOf(a.client)).masked).toBe(`+49 *** ****${second.digits.slice(-3)}`);
    });

    it('another account’s session cannot use the code, and cannot cancel or deactivate (the code is bound to account and number)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const b = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      const code = await codeSentTo(t, number.e164);
      expect((await b.client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(410);
      expect((await b.client.del('/api/v1/recovery/phone/pending')).status).toBe(404);
      expect((await a.client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(200);
      expect((await b.client.del('/api/v1/recovery/phone')).status).toBe(404);
      expect((await phoneOf(a.client)).status).toBe('active');
      expect((await phoneOf(b.client)).status).toBe('none');
    });

    it('state changes need the CSRF token (docs/reference/security-requirements.md 2.9); a missing one changes nothing', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      const r = await a.client.put('/api/v1/recovery/phone', { number: number.typed }, { 'x-csrf-token': '' });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('csrf-token-invalid');
      expect(await mailsTo(t, number.e164)).toEqual([]);
      expect((await apiClient(t.app).put('/api/v1/recovery/phone', { number: number.typed })).status).toBe(401);
    });

    it('100 parallel confirmations with the right code: exactly one succeeds, none fails with 5xx', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      const code = await codeSentTo(t, number.e164);
      const results = await Promise.all(Array.from({ length: 100 }, () => a.client.post('/api/v1/recovery/phone/confirm', { code })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.every((r) => r.status < 500)).toBe(true);
      expect((await phoneOf(a.client)).status).toBe('active');
    });

    it('"Code erneut senden" only after 60 s (429 with Retry-After); the new code replaces the old one', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      const firstCode = await codeSentTo(t, number.e164);
      t.clock.advance(30 * SECOND);
      const early = await a.client.post('/api/v1/recovery/phone/resend');
      expect(early.status).toBe(429);
      expect(Number(early.headers['retry-after'])).toBe(30);
      // Submitting the same number again is "send again", under the same cooldown.
      expect((await a.client.put('/api/v1/recovery/phone', { number: number.typed })).status).toBe(429);
      t.clock.advance(31 * SECOND);
      expect((await a.client.post('/api/v1/recovery/phone/resend')).status).toBe(202);
      expect(await mailsTo(t, number.e164)).toHaveLength(2);
      const secondCode = await codeSentTo(t, number.e164);
      if (firstCode !== secondCode) expect((await a.client.post('/api/v1/recovery/phone/confirm', { code: firstCode })).body.code).toBe('wrong-code');
      expect((await a.client.post('/api/v1/recovery/phone/confirm', { code: secondCode })).status).toBe(200);
    });

    it('the minute between two SMS holds per number, whatever the path: A, B, A and cancel-then-set-up-again (docs/reference/security-requirements.md 5.4)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const first = germanMobile();
      const second = germanMobile();
      expect((await a.client.put('/api/v1/recovery/phone', { number: first.typed })).status).toBe(202);
      expect((await a.client.put('/api/v1/recovery/phone', { number: second.typed })).status).toBe(202); // a typo corrected: another number, no wait
      const back = await a.client.put('/api/v1/recovery/phone', { number: first.typed });
      expect(back.status).toBe(429);
      expect(Number(back.headers['retry-after'])).toBeGreaterThan(0);
      expect((await a.client.del('/api/v1/recovery/phone/pending')).status).toBe(204);
      expect((await a.client.put('/api/v1/recovery/phone', { number: second.typed })).status).toBe(429);
      expect(await mailsTo(t, first.e164)).toHaveLength(1);
      expect(await mailsTo(t, second.e164)).toHaveLength(1);
      expect(t.logs().some((l) => l.event === 'sms.send_refused' && l.cap === 'cooldown')).toBe(true);
    });

    it('parallel confirm, resend, new setup and deactivation of one account never answer 5xx (no deadlock on PostgreSQL)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, number.e164) });
      for (let round = 0; round < 8; round++) {
        t.clock.advance(MINUTE + SECOND);
        const next = germanMobile();
        await a.client.put('/api/v1/recovery/phone', { number: next.typed });
        const code = await codeSentTo(t, next.e164);
        t.clock.advance(MINUTE + SECOND);
        const results = await Promise.all([
          a.client.post('/api/v1/recovery/phone/confirm', { code }),
          a.client.post('/api/v1/recovery/phone/resend'),
          a.client.put('/api/v1/recovery/phone', { number: germanMobile().typed }),
          a.client.post('/api/v1/recovery/phone/confirm', { code }),
          round % 2 === 0 ? a.client.del('/api/v1/recovery/phone') : a.client.del('/api/v1/recovery/phone/pending'),
        ]);
        expect(results.map((r) => r.status).filter((s) => s >= 500)).toEqual([]);
        if ((await phoneOf(a.client)).status === 'none') {
          const again = germanMobile();
          await a.client.put('/api/v1/recovery/phone', { number: again.typed });
          await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, again.e164) });
        }
      }
    });

    it('a change keeps the old number active until the new one is confirmed; the old number gets a short SMS without a link (docs/reference/security-requirements.md 4.8, 6.6)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const old = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: old.typed });
      await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, old.e164) });
      const next = germanMobile();
      expect((await a.client.put('/api/v1/recovery/phone', { number: next.typed })).status).toBe(202);
      const during = await phoneOf(a.client);
      expect(during.status).toBe('active');
      expect(during.masked).toBe(`+49 *** ****${old.digits.slice(-3)}`);
      expect(during.pending?.masked).toBe(`+49 *** ****${next.digits.slice(-3)}`);
      // The active number cannot be "set up" again.
      expect((await a.client.put('/api/v1/recovery/phone', { number: old.typed })).body.code).toBe('already-recovery-phone');
      expect((await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, next.e164) })).status).toBe(200);
      expect(await phoneOf(a.client)).toEqual({ status: 'active', masked: `+49 *** ****${next.digits.slice(-3)}` });
      const bye = (await mailsTo(t, old.e164)).find((m) => m.text.includes('nicht mehr die Telefonnummer zur Kontowiederherstellung'));
      expect(bye).toBeDefined();
      expect(bye?.text).not.toMatch(/https?:\/\/|\d{6}/);
      const notice = (await mailsTo(t, a.email)).find((m) => m.subject === 'Lifeline: Telefonnummer zur Kontowiederherstellung geändert');
      expect(notice?.text).toContain(`+49 *** ****${old.digits.slice(-3)}`);
      expect(notice?.text).toContain(`+49 *** ****${next.digits.slice(-3)}`);
      expect(await securityEventTypes(t, a.accountId)).toContain('recovery_phone.changed');
    });

    it('cancelling a pending change leaves the active number untouched, and its code dies', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const old = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: old.typed });
      await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, old.e164) });
      const next = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: next.typed });
      const code = await codeSentTo(t, next.e164);
      expect((await a.client.del('/api/v1/recovery/phone/pending')).status).toBe(204);
      expect(await phoneOf(a.client)).toEqual({ status: 'active', masked: `+49 *** ****${old.digits.slice(-3)}` });
      expect((await a.client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(410);
      expect((await a.client.del('/api/v1/recovery/phone/pending')).status).toBe(404);
    });

    it('deactivating needs the privileged window; then the number goes, the login email and the old number are told', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const number = germanMobile();
      await a.client.put('/api/v1/recovery/phone', { number: number.typed });
      await a.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, number.e164) });
      t.clock.advance(10 * MINUTE + SECOND);
      const refused = await a.client.del('/api/v1/recovery/phone');
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('privilege-required');
      expect((await phoneOf(a.client)).status).toBe('active');
      await a.client.post('/api/v1/session/reauthenticate', { password: a.password });
      expect((await a.client.del('/api/v1/recovery/phone')).status).toBe(204);
      expect(await phoneOf(a.client)).toEqual({ status: 'none' });
      expect(
        (await mailsTo(t, a.email)).some(
          (m) => m.subject === 'Lifeline: Telefonnummer zur Kontowiederherstellung deaktiviert' && !m.text.includes(number.digits),
        ),
      ).toBe(true);
      const bye = (await mailsTo(t, number.e164)).find((m) => m.text.includes('deaktiviert'));
      expect(bye).toBeDefined();
      expect(bye?.text).not.toMatch(/https?:\/\//);
      expect(await securityEventTypes(t, a.accountId)).toContain('recovery_phone.removed');
    });
  });

  describe(`${dialect}: caps against SMS pumping (docs/security.md)`, () => {
    /** A fresh instance with small caps: every cap is tested on its own. */
    async function appWith(env: Environment): Promise<TestApp> {
      return createTestApp(dialect, { env });
    }

    async function expectRefused(r: { status: number; headers: Record<string, unknown>; body: Record<string, unknown> }) {
      expect(r.status).toBe(429);
      expect(r.body.code).toBe('rate-limited');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }

    it('per account: the 4th setup send in an hour is refused (cap 3), logged and counted', async () => {
      const t = await appWith({ SMS_CAP_ACCOUNT_PER_HOUR: '3' });
      try {
        const a = await signedInAccount(t, { ip: nextIp() });
        for (let i = 0; i < 3; i++) expect((await a.client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
        const number = germanMobile();
        await expectRefused(await a.client.put('/api/v1/recovery/phone', { number: number.typed }));
        expect(await mailsTo(t, number.e164)).toEqual([]);
        expect(t.logs().some((l) => l.event === 'sms.send_refused' && l.cap === 'account' && l.country === 'DE')).toBe(true);
        expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/lifeline_sms_sends_refused_total\{cap="account",country="DE"\} 1/);
      } finally {
        await t.close();
      }
    });

    it('per number: the same number from many accounts, 3rd send refused (cap 2)', async () => {
      const t = await appWith({ SMS_CAP_NUMBER_PER_HOUR: '2' });
      try {
        const number = germanMobile();
        for (let i = 0; i < 2; i++) {
          expect((await (await signedInAccount(t, { ip: nextIp() })).client.put('/api/v1/recovery/phone', { number: number.typed })).status).toBe(202);
          t.clock.advance(MINUTE + SECOND); // past the minute between two codes to one number
        }
        await expectRefused(await (await signedInAccount(t, { ip: nextIp() })).client.put('/api/v1/recovery/phone', { number: number.typed }));
        expect(await mailsTo(t, number.e164)).toHaveLength(2);
      } finally {
        await t.close();
      }
    });

    it('per number prefix: walking through one range (…000, …001, …) is refused after the cap (3)', async () => {
      const t = await appWith({ SMS_CAP_PREFIX_PER_HOUR: '3' });
      try {
        const range = String(1000 + Math.floor(Math.random() * 8999));
        for (let i = 0; i < 3; i++) {
          const a = await signedInAccount(t, { ip: nextIp() });
          expect((await a.client.put('/api/v1/recovery/phone', { number: `0171 ${range}00${i}` })).status).toBe(202);
        }
        const a = await signedInAccount(t, { ip: nextIp() });
        await expectRefused(await a.client.put('/api/v1/recovery/phone', { number: `0171 ${range}009` }));
        // Another range is not affected.
        expect((await a.client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
      } finally {
        await t.close();
      }
    });

    it('per country: after the cap (2) sends to that country are refused, other countries go on', async () => {
      const t = await appWith({ SMS_CAP_COUNTRY_PER_HOUR: '2' });
      try {
        for (let i = 0; i < 2; i++)
          expect((await (await signedInAccount(t, { ip: nextIp() })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
        const a = await signedInAccount(t, { ip: nextIp() });
        await expectRefused(await a.client.put('/api/v1/recovery/phone', { number: germanMobile().typed }));
        const austrian = `+43 664 ${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`;
        expect((await a.client.put('/api/v1/recovery/phone', { number: austrian })).status).toBe(202);
        expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/lifeline_sms_sends_refused_total\{cap="country",country="DE"\} 1/);
      } finally {
        await t.close();
      }
    });

    it('per client IP: many accounts from one address, refused after the cap (3)', async () => {
      const t = await appWith({ SMS_CAP_CLIENT_PER_HOUR: '3' });
      try {
        const ip = nextIp();
        for (let i = 0; i < 3; i++)
          expect((await (await signedInAccount(t, { ip })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
        await expectRefused(await (await signedInAccount(t, { ip })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed }));
        expect((await (await signedInAccount(t, { ip: nextIp() })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
      } finally {
        await t.close();
      }
    });

    it('a send refused by one cap uses up none of the others: a client at its cap cannot drain the country (docs/reference/security-requirements.md 5.4)', async () => {
      const t = await appWith({ SMS_CAP_CLIENT_PER_HOUR: '1', SMS_CAP_COUNTRY_PER_HOUR: '3' });
      try {
        const pumperIp = nextIp();
        expect((await (await signedInAccount(t, { ip: pumperIp })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
        for (let i = 0; i < 5; i++) {
          const r = await (await signedInAccount(t, { ip: pumperIp })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed });
          expect(r.status).toBe(429);
        }
        // Two more people elsewhere still get their codes (country cap 3: 1 used by the pumper's one send).
        for (let i = 0; i < 2; i++)
          expect((await (await signedInAccount(t, { ip: nextIp() })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
        expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/lifeline_sms_sends_refused_total\{cap="client",country="DE"\} 5/);
      } finally {
        await t.close();
      }
    });

    it('parallel "Code erneut senden" clicks send one SMS and take one point from the caps', async () => {
      const t = await appWith({ SMS_CAP_ACCOUNT_PER_HOUR: '3' });
      try {
        const a = await signedInAccount(t, { ip: nextIp() });
        const number = germanMobile();
        await a.client.put('/api/v1/recovery/phone', { number: number.typed });
        t.clock.advance(MINUTE + SECOND);
        const clicks = await Promise.all(Array.from({ length: 6 }, () => a.client.post('/api/v1/recovery/phone/resend')));
        expect(clicks.filter((r) => r.status === 202)).toHaveLength(1);
        expect(clicks.every((r) => r.status === 202 || r.status === 429)).toBe(true);
        expect(await mailsTo(t, number.e164)).toHaveLength(2);
        // Account cap 3: setup + one resend used 2, so one more resend is still possible.
        t.clock.advance(MINUTE + SECOND);
        expect((await a.client.post('/api/v1/recovery/phone/resend')).status).toBe(202);
      } finally {
        await t.close();
      }
    });

    it('with the default caps, 20 numbers of one range trip the prefix cap (docs/reference/security-requirements.md 5.4)', async () => {
      const t = await appWith({});
      try {
        const range = String(1000 + Math.floor(Math.random() * 8999));
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) {
          const a = await signedInAccount(t, { ip: nextIp() });
          statuses.push((await a.client.put('/api/v1/recovery/phone', { number: `0171 ${range}${String(i).padStart(3, '0')}` })).status);
        }
        expect(statuses.filter((s) => s === 202)).toHaveLength(t.config.sms.caps.prefixPerHour);
        expect(statuses.slice(t.config.sms.caps.prefixPerHour).every((s) => s === 429)).toBe(true);
      } finally {
        await t.close();
      }
    });

    it('the global setup budget: once spent, no setup SMS goes anywhere; SMS to confirmed numbers still go', async () => {
      const t = await appWith({ SMS_SETUP_BUDGET_PER_HOUR: '2' });
      try {
        const owner = await signedInAccount(t, { ip: nextIp() });
        const number = germanMobile();
        await owner.client.put('/api/v1/recovery/phone', { number: number.typed });
        expect((await owner.client.post('/api/v1/recovery/phone/confirm', { code: await codeSentTo(t, number.e164) })).status).toBe(200);
        expect((await (await signedInAccount(t, { ip: nextIp() })).client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(202);
        const pumper = await signedInAccount(t, { ip: nextIp() });
        await expectRefused(await pumper.client.put('/api/v1/recovery/phone', { number: germanMobile().typed }));
        expect(t.logs().some((l) => l.event === 'sms.send_refused' && l.cap === 'setup-budget')).toBe(true);
        // The confirmed number still gets its SMS (a budget of its own).
        expect((await owner.client.del('/api/v1/recovery/phone')).status).toBe(204);
        expect((await mailsTo(t, number.e164)).some((m) => m.text.includes('deaktiviert'))).toBe(true);
      } finally {
        await t.close();
      }
    });
  });
}

/** A local server speaking Twilio's Messages API: remembers each request, answers 201. */
async function startFakeTwilio(): Promise<{ url: string; requests: { path: string; auth: string | undefined; form: URLSearchParams }[]; server: Server }> {
  const requests: { path: string; auth: string | undefined; form: URLSearchParams }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', auth: req.headers.authorization, form: new URLSearchParams(body) });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${requests.length}`, status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

/** A local webhook receiver: remembers each request with its headers. */
async function startWebhookReceiver(status = 202): Promise<{ url: string; requests: { headers: IncomingMessage['headers']; body: string }[]; server: Server }> {
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, requests, server };
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: recovery phone through real gateway protocols`, () => {
    it('Twilio’s Messages API: the code reaches the gateway (form, Basic auth), and confirms', async () => {
      const twilio = await startFakeTwilio();
      const t = await createTestApp(dialect, {
        env: {
          SMS_PROVIDER: 'twilio',
          TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
          TWILIO_AUTH_TOKEN: 'token-0123456789',
          TWILIO_FROM: '+15005550006',
          TWILIO_BASE_URL: twilio.url,
        },
      });
      try {
        const a = await signedInAccount(t, { ip: nextIp() });
        const number = germanMobile();
        expect((await a.client.put('/api/v1/recovery/phone', { number: number.typed })).status).toBe(202);
        await t.services.worker.runOnce();
        const [request] = twilio.requests;
        expect(request?.path).toBe('/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json');
        expect(request?.auth).toBe(`Basic ${Buffer.from('AC0123456789abcdef0123456789abcdef:token-0123456789').toString('base64')}`);
        expect(request?.form.get('To')).toBe(number.e164);
        expect(request?.form.get('From')).toBe('+15005550006');
        const code = request?.form
          .get('Body')
          ?.split('\n')
          .find((line) => /^\d{6}$/.test(line));
        expect(code).toMatch(/^\d{6}$/);
        expect((await a.client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(200);
        // The payload is purged once sent: the code exists nowhere in plain text any more.
        const rows = await t.database.db.selectFrom('outbox_messages').selectAll().where('recipient', '=', number.e164).execute();
        expect(rows.every((r) => r.status === 'sent' && !JSON.stringify(r).includes(code ?? '------'))).toBe(true);
      } finally {
        await t.close();
        twilio.server.close();
      }
    });

    it('the webhook: a signed JSON POST with the outbox id as idempotency key', async () => {
      const receiver = await startWebhookReceiver();
      const secret = 'webhook-secret-0123456789';
      const t = await createTestApp(dialect, { env: { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: receiver.url, SMS_WEBHOOK_SECRET: secret } });
      try {
        const a = await signedInAccount(t, { ip: nextIp() });
        const number = germanMobile();
        await a.client.put('/api/v1/recovery/phone', { number: number.typed });
        await t.services.worker.runOnce();
        const [request] = receiver.requests;
        const body = JSON.parse(request?.body ?? '{}') as { id: string; to: string; text: string };
        expect(body.to).toBe(number.e164);
        expect(request?.headers['idempotency-key']).toBe(body.id);
        // Signed at the instance's (here: the test's manual) clock; the receiver checks it against its own.
        const signature = {
          secret,
          timestamp: String(request?.headers['x-lifeline-timestamp']),
          body: request?.body ?? '',
          signature: String(request?.headers['x-lifeline-signature']),
          now: Math.floor(t.clock.now() / 1000),
        };
        expect(verifySmsWebhookSignature(signature)).toBe(true);
        expect(verifySmsWebhookSignature({ ...signature, secret: 'another-secret-0123456789' })).toBe(false);
        const code = body.text.split('\n').find((line) => /^\d{6}$/.test(line));
        expect((await a.client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(200);
      } finally {
        await t.close();
        receiver.server.close();
      }
    });

    it('a code SMS that could not be delivered within its 10 minutes is given up, its code purged, never sent late', async () => {
      const receiver = await startWebhookReceiver(503);
      const t = await createTestApp(dialect, {
        env: { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: receiver.url, SMS_WEBHOOK_SECRET: 'webhook-secret-0123456789' },
      });
      try {
        const a = await signedInAccount(t, { ip: nextIp() });
        const number = germanMobile();
        await a.client.put('/api/v1/recovery/phone', { number: number.typed });
        await t.services.worker.runOnce(); // the gateway is down: a retry is scheduled
        expect(receiver.requests).toHaveLength(1);
        t.clock.advance(10 * MINUTE + SECOND);
        await t.services.worker.runOnce();
        expect(receiver.requests).toHaveLength(1); // not sent again: the code has expired
        const row = await t.database.db.selectFrom('outbox_messages').selectAll().where('recipient', '=', number.e164).executeTakeFirstOrThrow();
        expect(row).toMatchObject({ status: 'failed', payload: null, last_error: expect.stringContaining('expired before it could be delivered') as unknown });
      } finally {
        await t.close();
        receiver.server.close();
      }
    });

    it('without an SMS provider the phone does not exist: routes 404, meta says unavailable', async () => {
      const t = await createTestApp(dialect, { env: { SMS_PROVIDER: 'none' } });
      try {
        const a = await signedInAccount(t, { ip: nextIp() });
        expect((await a.client.put('/api/v1/recovery/phone', { number: germanMobile().typed })).status).toBe(404);
        expect((await a.client.post('/api/v1/recovery/phone/confirm', { code: '123456' })).status).toBe(404);
        expect(await phoneOf(a.client)).toEqual({ status: 'none' });
        expect(((await apiClient(t.app).get('/api/v1/meta')).body.recoveryPhone as { available: boolean }).available).toBe(false);
      } finally {
        await t.close();
      }
    });
  });
}
