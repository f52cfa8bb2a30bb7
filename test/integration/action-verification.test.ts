import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, MINUTE, SECOND } from '../../src/core/clock.js';
import { apiClient, codeTo as codeToHelper, GOOD_PASSWORD, mailsTo, signedInAccount, tokenIn, uniqueEmail, type ApiClient } from '../helpers/api-client.js';
import { createTestApp, ipSequence, settleOutbox, type TestApp } from '../helpers/test-app.js';
import { confirmRecoveryEmail } from '../helpers/recovery-setup.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Verification of sensitive actions through the host API (docs/reference/product.md §5): API keys,
 * the record's life (pending → verified → consumed once), each channel, the page's capability
 * and the email link, and the attacks: another key's record, wrong, reused and expired codes,
 * consume twice (also in parallel), a returnTo outside the allow-list, Lifeline's own action
 * names, a channel the account has not confirmed (or not long enough). docs/reference/security-requirements.md 3.3, 3.5,
 * 3.10, 4.4, 4.5 for the codes.
 */
const nextIp = ipSequence('198.31');
const HOST_ORIGIN = 'https://app.example.com';

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: action verification for host applications`, () => {
    let t: TestApp;
    let key: string;
    let otherKey: string;
    beforeAll(async () => {
      t = await createTestApp(dialect, { env: { ALLOWED_RETURN_ORIGINS: `${HOST_ORIGIN}, http://localhost:4000` } });
      key = (await t.services.apiKeys.create('billing')).key;
      otherKey = (await t.services.apiKeys.create('shop')).key;
    });
    afterAll(async () => t.close());

    /** A host application: no cookies, its key in Authorization (null: no header at all). */
    const host = (k: string | null = key) => {
      const client = apiClient(t.app, { ip: '10.0.0.5' });
      const headers: Record<string, string> = k === null ? {} : { authorization: `Bearer ${k}` };
      return {
        post: (url: string, body: unknown) => client.post(url, body, headers),
        get: (url: string) => client.get(url, headers),
      };
    };
    const settle = () => settleOutbox(t);
    const codeTo = (to: string) => codeToHelper(t, to);

    async function confirmPhone(client: ApiClient): Promise<string> {
      const digits = String(1_000_000 + Math.floor(Math.random() * 8_999_999));
      t.clock.advance(2 * MINUTE);
      expect((await client.put('/api/v1/recovery/phone', { number: `0171 ${digits}`, password: GOOD_PASSWORD })).status).toBe(202);
      const code = await codeTo(`+49171${digits}`);
      expect((await client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(200);
      await settle();
      return `+49171${digits}`;
    }

    /** An account with every channel: login email, recovery email, recovery phone. */
    async function fullAccount() {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const recovery = uniqueEmail('rec');
      await confirmRecoveryEmail(t, owner.client, recovery);
      const phone = await confirmPhone(owner.client);
      return { ...owner, recovery, phone };
    }

    const start = (accountId: string, body: Record<string, unknown> = {}, k: string | null = key) =>
      host(k).post('/api/v1/verifications', { accountId, action: 'export-data', ...body });

    it('API keys: missing, malformed, unknown, wrong and revoked keys answer 401 alike; only a keyed hash is stored', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const made = await t.services.apiKeys.create('temporary');
      expect(made.key).toMatch(/^llk_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/);
      expect((await start(owner.accountId, {}, made.key)).status).toBe(201);
      const forged = `${made.key.slice(0, -4)}AAAA`;
      for (const bad of [null, '', 'x', 'llk_nope', forged, key.replace('llk_', 'llx_')]) {
        const response = await start(owner.accountId, {}, bad);
        expect(response.status, String(bad)).toBe(401);
        expect(response.body.code).toBe('authentication-required');
      }
      const rows = await t.database.db.selectFrom('api_keys').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(made.key.split('.')[1]);
      expect(await t.services.apiKeys.revoke('temporary')).toBe(true);
      expect(await t.services.apiKeys.revoke('temporary')).toBe(false);
      expect((await start(owner.accountId, {}, made.key)).status).toBe(401);
      await expect(t.services.apiKeys.create('billing')).rejects.toMatchObject({ code: 'api-key-name-taken' });
      await expect(t.services.apiKeys.create('no spaces')).rejects.toMatchObject({ code: 'validation-failed' });
    });

    it('start: 201 with id, url and end; bad input, Lifeline’s own actions, unknown accounts and foreign returnTo are 4xx and create nothing', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const before = await t.database.db.selectFrom('action_verifications').select('id').execute();
      const refusals: [Record<string, unknown>, number, string][] = [
        [{ action: 'lifeline.delete-account' }, 400, 'action-reserved'],
        [{ action: 'lifeline.anything' }, 400, 'action-reserved'],
        [{ action: 'Lifeline.Delete-Account' }, 400, 'action-reserved'],
        [{ action: '<script>' }, 400, 'validation-failed'],
        [{ action: '' }, 400, 'validation-failed'],
        [{ action: 'x'.repeat(65) }, 400, 'validation-failed'],
        [{ returnTo: 'https://evil.example/' }, 400, 'return-to-not-allowed'],
        [{ returnTo: 'https://app.example.com.evil.example/' }, 400, 'return-to-not-allowed'],
        [{ returnTo: 'https://user:pw@app.example.com/' }, 400, 'return-to-not-allowed'],
        [{ returnTo: 'javascript:alert(1)' }, 400, 'return-to-not-allowed'],
        [{ returnTo: '/relative' }, 400, 'return-to-not-allowed'],
        [{ returnTo: 'http://app.example.com/' }, 400, 'return-to-not-allowed'],
        [{ channel: 'fax' }, 400, 'validation-failed'],
        [{ extra: 1 }, 400, 'validation-failed'],
      ];
      for (const [body, status, code] of refusals) {
        const response = await start(owner.accountId, body);
        expect([response.status, response.body.code], JSON.stringify(body)).toEqual([status, code]);
      }
      expect((await start('no-such-account')).status).toBe(404);
      // Garbage in the id (a NUL byte, which PostgreSQL refuses in text): a 400, never a 5xx.
      expect((await start('a\u0000b')).status).toBe(400);
      expect((await start('x'.repeat(65))).status).toBe(400);
      // Without a key the body is not even looked at: 401, not a validation error.
      expect((await host(null).post('/api/v1/verifications', { accountId: 'a\u0000b', action: '' })).status).toBe(401);
      // An account whose login email is not confirmed yet does not exist for hosts either.
      const unconfirmed = uniqueEmail('unconfirmed');
      await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: unconfirmed, password: GOOD_PASSWORD });
      const row = await t.database.db.selectFrom('accounts').select('id').where('email_normalized', '=', unconfirmed.toLowerCase()).executeTakeFirstOrThrow();
      expect((await start(row.id)).status).toBe(404);
      expect((await host().post('/api/v1/verifications', 'not json')).status).toBe(400);
      expect(await t.database.db.selectFrom('action_verifications').select('id').execute()).toEqual(before);

      const started = await start(owner.accountId, { returnTo: `${HOST_ORIGIN}/settings?tab=export` });
      expect(started.status).toBe(201);
      expect(started.body.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(String(started.body.url)).toMatch(/^http:\/\/127\.0\.0\.1:3000\/verify-action\?token=[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(String(started.body.expiresAt)) - t.clock.now()).toBe(30 * MINUTE);
      const status = await host().get(`/api/v1/verifications/${String(started.body.id)}`);
      expect(status.body).toMatchObject({ status: 'pending', action: 'export-data', accountId: owner.accountId, channel: null });
      // The page's capability is stored as a hash only.
      const stored = await t.database.db.selectFrom('action_verifications').selectAll().where('id', '=', String(started.body.id)).executeTakeFirstOrThrow();
      expect(JSON.stringify(stored)).not.toContain(String(started.body.url).split('token=')[1]);
    });

    it('each channel: the code arrives there only, in the account’s language, and verifies; the record is consumed once (docs/reference/security-requirements.md 3.3)', async () => {
      const owner = await fullAccount();
      const targets = { 'login-email': owner.email, 'recovery-email': owner.recovery, 'recovery-phone': owner.phone } as const;
      for (const [channel, to] of Object.entries(targets)) {
        t.clock.advance(2 * MINUTE);
        const id = String((await start(owner.accountId, { action: `export ${channel}` })).body.id);
        const sent = await host().post(`/api/v1/verifications/${id}/send`, { channel });
        expect(sent.status, channel).toBe(202);
        expect(sent.body.channel).toBe(channel);
        expect(String(sent.body.sentTo)).toMatch(channel === 'recovery-phone' ? /^\+49 \*\*\* \*+\d{3}$/ : /^.\*\*\*@/);
        const ttl = Date.parse(String(sent.body.codeExpiresAt)) - t.clock.now();
        expect(ttl).toBe(channel === 'recovery-phone' ? 10 * MINUTE : 15 * MINUTE);
        const code = await codeTo(to);
        expect(code, channel).toMatch(channel === 'recovery-phone' ? /^\d{6}$/ : /^[0-9A-Z]{8}$/);
        const message = (await mailsTo(t, to))[0];
        expect(message?.subject ?? '').toContain(channel === 'recovery-phone' ? 'Bestätigungscode' : `„export ${channel}“`);
        // The other channels got nothing.
        for (const [other, address] of Object.entries(targets)) if (other !== channel) expect((await codeTo(address)) === code).toBe(false);
        const done = await host().post(`/api/v1/verifications/${id}/code`, { code: code?.toLowerCase() });
        expect(done.status).toBe(200);
        expect(done.body).toMatchObject({ id, status: 'verified', action: `export ${channel}`, accountId: owner.accountId, channel });
        // The same code again: the record is no longer pending.
        expect((await host().post(`/api/v1/verifications/${id}/code`, { code })).status).toBe(409);
        // A host names what it is about to do: another account or action is refused and uses nothing up.
        expect((await host().post(`/api/v1/verifications/${id}/consume`, { accountId: 'someone-else', action: `export ${channel}` })).status).toBe(409);
        expect((await host().post(`/api/v1/verifications/${id}/consume`, { accountId: owner.accountId, action: 'payout' })).status).toBe(409);
        const consumed = await host().post(`/api/v1/verifications/${id}/consume`, { accountId: owner.accountId, action: `export ${channel}` });
        expect(consumed.status).toBe(200);
        expect(consumed.body.consumedAt).toBeDefined();
        expect((await host().post(`/api/v1/verifications/${id}/consume`, {})).status).toBe(409);
      }
      const events = await t.database.db
        .selectFrom('security_events')
        .select(['type', 'details'])
        .where('account_id', '=', owner.accountId)
        .where('type', 'like', 'action_verification.%')
        .execute();
      expect(events.filter((e) => e.type === 'action_verification.started')).toHaveLength(3);
      expect(events.filter((e) => e.type === 'action_verification.code_sent')).toHaveLength(3);
      expect(events.filter((e) => e.type === 'action_verification.verified')).toHaveLength(3);
      expect(events[0]?.details).toContain('billing');
    });

    it('wrong codes: 400 wrong-code with the tries left; the fifth fails the record; nothing else verifies it (docs/reference/security-requirements.md 3.10, 4.5)', async () => {
      const owner = await fullAccount();
      const id = String((await start(owner.accountId, { channel: 'recovery-email' })).body.id);
      const code = await codeTo(owner.recovery);
      const wrong = code === '00000000' ? '11111111' : '00000000';
      for (let tries = 4; tries >= 0; tries--) {
        const response = await host().post(`/api/v1/verifications/${id}/code`, { code: wrong });
        if (tries > 0) {
          expect(response.status).toBe(400);
          expect(response.body.code).toBe('wrong-code');
          expect(response.body.triesLeft).toBe(tries);
        } else {
          expect(response.status).toBe(400);
          expect(response.body.triesLeft).toBe(0);
        }
      }
      expect((await host().get(`/api/v1/verifications/${id}`)).body.status).toBe('failed');
      expect((await host().post(`/api/v1/verifications/${id}/code`, { code })).status).toBe(409);
      expect((await host().post(`/api/v1/verifications/${id}/consume`, {})).status).toBe(409);
      expect((await host().post(`/api/v1/verifications/${id}/send`, { channel: 'recovery-email' })).status).toBe(409);
      const failed = await t.database.db
        .selectFrom('security_events')
        .select('type')
        .where('account_id', '=', owner.accountId)
        .where('type', '=', 'action_verification.failed')
        .execute();
      expect(failed).toHaveLength(1);
      // Garbage: a clear 400, never a 5xx.
      for (const body of [{}, { code: '' }, { code: 'x'.repeat(40) }, { code: 42 }])
        expect((await host().post(`/api/v1/verifications/${id}/code`, body)).status).toBe(400);
      expect((await host().post('/api/v1/verifications/short/code', { code: '123456' })).status).toBe(400);
    });

    it('another key’s record does not exist for this key; a code from another record does not verify this one', async () => {
      const owner = await fullAccount();
      const mine = String((await start(owner.accountId, { channel: 'recovery-email' })).body.id);
      const myCode = await codeTo(owner.recovery);
      for (const [method, path, body] of [
        ['get', `/api/v1/verifications/${mine}`, undefined],
        ['post', `/api/v1/verifications/${mine}/send`, { channel: 'login-email' }],
        ['post', `/api/v1/verifications/${mine}/code`, { code: myCode }],
        ['post', `/api/v1/verifications/${mine}/consume`, {}],
      ] as const) {
        const response = method === 'get' ? await host(otherKey).get(path) : await host(otherKey).post(path, body);
        expect(response.status, path).toBe(404);
      }
      t.clock.advance(2 * MINUTE);
      const second = String((await start(owner.accountId, { channel: 'login-email' })).body.id);
      expect((await host().post(`/api/v1/verifications/${second}/code`, { code: myCode })).body.code).toBe('wrong-code');
      expect((await host().post(`/api/v1/verifications/${mine}/code`, { code: myCode })).status).toBe(200);
      expect((await host().get(`/api/v1/verifications/${second}`)).body.status).toBe('pending');
    });

    it('time: a pending record ends after 30 minutes, a code after its 10 or 15, a verified record can be consumed for 10 minutes', async () => {
      const owner = await fullAccount();
      const smsId = String((await start(owner.accountId, { channel: 'recovery-phone' })).body.id);
      const smsCode = await codeTo(owner.phone);
      t.clock.advance(10 * MINUTE + SECOND);
      expect((await host().post(`/api/v1/verifications/${smsId}/code`, { code: smsCode })).body.code).toBe('code-expired');
      t.clock.advance(20 * MINUTE);
      expect((await host().get(`/api/v1/verifications/${smsId}`)).body.status).toBe('expired');
      expect((await host().post(`/api/v1/verifications/${smsId}/send`, { channel: 'login-email' })).body.code).toBe('verification-expired');

      const id = String((await start(owner.accountId, { channel: 'login-email' })).body.id);
      t.clock.advance(14 * MINUTE);
      expect((await host().post(`/api/v1/verifications/${id}/code`, { code: await codeTo(owner.email) })).status).toBe(200);
      t.clock.advance(10 * MINUTE + SECOND);
      expect((await host().get(`/api/v1/verifications/${id}`)).body.status).toBe('expired');
      const late = await host().post(`/api/v1/verifications/${id}/consume`, {});
      expect([late.status, late.body.code]).toEqual([410, 'verification-expired']);
    });

    it('consume: while pending 409; twenty at once: exactly one 200', async () => {
      const owner = await fullAccount();
      const id = String((await start(owner.accountId, { channel: 'recovery-email' })).body.id);
      expect((await host().post(`/api/v1/verifications/${id}/consume`, {})).status).toBe(409);
      expect((await host().post(`/api/v1/verifications/${id}/code`, { code: await codeTo(owner.recovery) })).status).toBe(200);
      // Garbage in consume's body: a 400, and the record is not used up by it.
      for (const body of [{ extra: 1 }, { accountId: 'a\u0000b' }, { action: '' }, { action: 42 }])
        expect((await host().post(`/api/v1/verifications/${id}/consume`, body)).status).toBe(400);
      expect((await host().get(`/api/v1/verifications/${id}`)).body.consumedAt).toBeUndefined();
      const answers = await Promise.all(Array.from({ length: 20 }, () => host().post(`/api/v1/verifications/${id}/consume`, {})));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
    });

    it('channels: one the account has not confirmed is 422; a host-wide minimum age refuses a young channel', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const id = String((await start(owner.accountId)).body.id);
      for (const channel of ['recovery-email', 'recovery-phone']) {
        const response = await host().post(`/api/v1/verifications/${id}/send`, { channel });
        expect([response.status, response.body.code]).toEqual([422, 'channel-not-available']);
      }
      // A pending (unconfirmed) recovery address does not count either.
      const pending = uniqueEmail('pending');
      expect((await owner.client.put('/api/v1/recovery/email', { address: pending, password: GOOD_PASSWORD })).status).toBe(202);
      expect((await host().post(`/api/v1/verifications/${id}/send`, { channel: 'recovery-email' })).status).toBe(422);
      expect((await mailsTo(t, pending)).some((m) => m.subject.includes('Code'))).toBe(false);

      // By default (VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS=7) a channel counts once settled: the
      // login email and the first device's channels at once; one set up from another device (here
      // one older than 7 days, so not held) only 7 days after its confirmation.
      const other = apiClient(t.app, { ip: nextIp() });
      expect((await other.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD })).status).toBe(200);
      t.clock.advance(6 * DAY);
      expect((await other.get('/api/v1/session')).status).toBe(200);
      t.clock.advance(DAY + MINUTE);
      const young = uniqueEmail('young');
      await confirmRecoveryEmail(t, other, young);
      const record = String((await start(owner.accountId)).body.id);
      const refused = await host().post(`/api/v1/verifications/${record}/send`, { channel: 'recovery-email' });
      expect([refused.status, refused.body.code]).toEqual([422, 'channel-not-available']);
      expect((await host().post(`/api/v1/verifications/${record}/send`, { channel: 'login-email' })).status).toBe(202);
      t.clock.advance(7 * DAY + SECOND);
      const later = String((await start(owner.accountId)).body.id);
      expect((await host().post(`/api/v1/verifications/${later}/send`, { channel: 'recovery-email' })).status).toBe(202);
      expect((await codeTo(young)) ?? '').toMatch(/^[0-9A-Z]{8}$/);

      // An operator who lowers it to 0 lets any confirmed channel count (documented as a risk).
      const lax = await createTestApp(dialect, { env: { VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS: '0' } });
      try {
        const laxKey = (await lax.services.apiKeys.create('lax')).key;
        const account = await signedInAccount(lax, { ip: nextIp() });
        const second = apiClient(lax.app, { ip: nextIp() });
        expect((await second.post('/api/v1/login', { email: account.email, password: GOOD_PASSWORD })).status).toBe(200);
        lax.clock.advance(6 * DAY);
        expect((await second.get('/api/v1/session')).status).toBe(200);
        lax.clock.advance(DAY + MINUTE);
        const address = uniqueEmail('lax');
        expect((await second.put('/api/v1/recovery/email', { address, password: GOOD_PASSWORD })).status).toBe(202);
        await lax.services.worker.runOnce();
        const link = tokenIn((await lax.services.devMailbox?.list())?.find((m) => m.recipient === address)?.text);
        expect((await apiClient(lax.app).post('/api/v1/recovery/email/confirm', { token: link })).body.status).toBe('active');
        const headers = { authorization: `Bearer ${laxKey}` };
        const client = apiClient(lax.app);
        const id = String((await client.post('/api/v1/verifications', { accountId: account.accountId, action: 'payout' }, headers)).body.id);
        expect((await client.post(`/api/v1/verifications/${id}/send`, { channel: 'recovery-email' }, headers)).status).toBe(202);
      } finally {
        await lax.close();
      }
    });

    it('limits: one code a minute per channel, 10 sends an hour per account, 5 per channel (429 with Retry-After)', async () => {
      const owner = await fullAccount();
      const id = String((await start(owner.accountId)).body.id);
      expect((await host().post(`/api/v1/verifications/${id}/send`, { channel: 'login-email' })).status).toBe(202);
      const again = await host().post(`/api/v1/verifications/${id}/send`, { channel: 'login-email' });
      expect(again.status).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
      // The newest code replaces the record's earlier one.
      const first = await codeTo(owner.email);
      for (let i = 0; i < 4; i++) {
        t.clock.advance(61 * SECOND);
        expect((await host().post(`/api/v1/verifications/${id}/send`, { channel: 'login-email' })).status).toBe(202);
      }
      t.clock.advance(61 * SECOND);
      expect((await host().post(`/api/v1/verifications/${id}/send`, { channel: 'login-email' })).status).toBe(429);
      const latest = await codeTo(owner.email);
      if (first !== latest) expect((await host().post(`/api/v1/verifications/${id}/code`, { code: first })).body.code).toBe('wrong-code');
      for (let i = 0; i < 5; i++) {
        t.clock.advance(61 * SECOND);
        const channel = i % 2 === 0 ? 'recovery-email' : 'recovery-phone';
        const response = await host().post(`/api/v1/verifications/${id}/send`, { channel });
        expect(response.status, `send ${i + 6}`).toBe(i < 5 ? 202 : 429);
      }
      t.clock.advance(61 * SECOND);
      const eleventh = await host().post(`/api/v1/verifications/${id}/send`, { channel: 'recovery-email' });
      expect(eleventh.status).toBe(429);
    });

    it('the page: what it shows by its capability, the user picks a channel and enters the code, then goes back to returnTo with the id', async () => {
      const owner = await fullAccount();
      const started = await start(owner.accountId, { returnTo: `${HOST_ORIGIN}/settings?tab=export` });
      const id = String(started.body.id);
      const token = new URL(String(started.body.url)).searchParams.get('token') ?? '';
      const browser = apiClient(t.app, { ip: nextIp() });
      const page = await browser.get(`/api/v1/verification-page?token=${token}`);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({
        action: 'export-data',
        requester: 'billing',
        status: 'pending',
        channel: null,
        returnTo: `${HOST_ORIGIN}/settings?tab=export&verification=${id}`,
      });
      expect((page.body.channels as { channel: string; allowed: boolean }[]).map((c) => [c.channel, c.allowed])).toEqual([
        ['login-email', true],
        ['recovery-email', true],
        ['recovery-phone', true],
      ]);
      expect(JSON.stringify(page.body)).not.toContain(owner.recovery);
      for (const bad of ['', 'x', 'A'.repeat(43)]) expect([400, 410]).toContain((await browser.get(`/api/v1/verification-page?token=${bad}`)).status);
      expect((await browser.post('/api/v1/verification-page/send', { token, channel: 'recovery-phone' })).status).toBe(202);
      const wrong = await browser.post('/api/v1/verification-page/code', { token, code: '000000' === (await codeTo(owner.phone)) ? '111111' : '000000' });
      expect(wrong.body.code).toBe('wrong-code');
      const done = await browser.post('/api/v1/verification-page/code', { token, code: await codeTo(owner.phone) });
      expect(done.status).toBe(200);
      expect(done.body).toEqual({ status: 'verified', returnTo: `${HOST_ORIGIN}/settings?tab=export&verification=${id}` });
      expect((await host().get(`/api/v1/verifications/${id}`)).body.status).toBe('verified');
      // Opened again after the host redeemed it: the page says it is done (no second way back to the host).
      expect((await browser.get(`/api/v1/verification-page?token=${token}`)).body.consumed).toBe(false);
      expect((await host().post(`/api/v1/verifications/${id}/consume`, {})).status).toBe(200);
      expect((await browser.get(`/api/v1/verification-page?token=${token}`)).body).toMatchObject({ status: 'verified', consumed: true });
    });

    it('the email’s link verifies in any browser, once; the code beside it dies with it', async () => {
      const owner = await fullAccount();
      const id = String((await start(owner.accountId, { channel: 'recovery-email' })).body.id);
      const mail = (await mailsTo(t, owner.recovery))[0];
      const link = /https?:\/\/\S+\/verify-action\?token=\S+/.exec(mail?.text ?? '')?.[0];
      expect(link).toBeDefined();
      const token = new URL(link ?? 'http://x').searchParams.get('token');
      const anyBrowser = apiClient(t.app, { ip: nextIp() });
      // The page names what the link confirms before its button is pressed (GET changes nothing).
      const preview = await anyBrowser.get(`/api/v1/verification-page/link?token=${encodeURIComponent(token ?? '')}`);
      expect(preview.body).toMatchObject({ action: 'export-data', requester: 'billing' });
      expect((await anyBrowser.get('/api/v1/verification-page/link?token=forged.token')).status).toBe(410);
      const answers = await Promise.all(Array.from({ length: 10 }, () => anyBrowser.post('/api/v1/verification-page/link', { token })));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 410)).toHaveLength(9);
      expect((await host().get(`/api/v1/verifications/${id}`)).body).toMatchObject({ status: 'verified', channel: 'recovery-email' });
      expect((await anyBrowser.post('/api/v1/verification-page/link', { token: 'forged.token' })).status).toBe(410);
      expect((await anyBrowser.get(`/api/v1/verification-page/link?token=${encodeURIComponent(token ?? '')}`)).status).toBe(410);
      // The code of the same mail is dead too (its secret retired, not only the record verified).
      const code = await codeTo(owner.recovery);
      const live = await t.database.db.selectFrom('verification_secrets').select('id').where('flow_id', '=', id).where('used_at', 'is', null).execute();
      expect(live).toEqual([]);
      expect((await host().post(`/api/v1/verifications/${id}/code`, { code })).status).toBe(409);
    });

    it('the code and the email’s link of one record redeemed at the same moment: one wins, never a 5xx (lock order)', async () => {
      for (let round = 0; round < 4; round++) {
        const owner = await fullAccount();
        const id = String((await start(owner.accountId, { channel: 'recovery-email' })).body.id);
        const code = await codeTo(owner.recovery);
        const link = tokenIn((await mailsTo(t, owner.recovery)).find((m) => m.text.includes('/verify-action?token='))?.text);
        const [byCode, byLink] = await Promise.all([
          host().post(`/api/v1/verifications/${id}/code`, { code }),
          apiClient(t.app, { ip: nextIp() }).post('/api/v1/verification-page/link', { token: link }),
        ]);
        expect(
          [byCode.status, byLink.status].every((status) => status < 500),
          `${byCode.status} ${byLink.status}`,
        ).toBe(true);
        expect([byCode.status, byLink.status].filter((status) => status === 200)).toHaveLength(1);
        expect((await host().get(`/api/v1/verifications/${id}`)).body.status).toBe('verified');
      }
    });

    it('codes and links are neither in the database nor in the logs in plain text (docs/reference/security-requirements.md 3.6, 6.3)', async () => {
      const owner = await fullAccount();
      const id = String((await start(owner.accountId, { channel: 'recovery-email' })).body.id);
      const code = await codeTo(owner.recovery);
      const link = tokenIn((await mailsTo(t, owner.recovery))[0]?.text);
      const secrets = await t.database.db.selectFrom('verification_secrets').selectAll().where('flow_id', '=', id).execute();
      expect(secrets.length).toBeGreaterThan(0);
      const dump = JSON.stringify([secrets, await t.database.db.selectFrom('action_verifications').selectAll().execute()]);
      expect(dump).not.toContain(String(code));
      expect(dump).not.toContain(String(link?.split('.')[1]));
      expect(t.logLines().join('\n')).not.toContain(String(code));
    });
  });
}
