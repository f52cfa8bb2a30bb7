import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, GOOD_PASSWORD, mailsTo, signedInAccount, tokenIn, uniqueEmail } from '../helpers/api-client.js';
import { createTestApp, ipSequence, securityEventTypes, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * The admin API (docs/integration.md "Admin API"): scoped keys, what support can do (read,
 * disable, enable, sign out, send a reset link, delete) and, as deliberately, what it cannot
 * (set a password, read a secret, add a channel). Each action is logged for the owner to see.
 */
const nextIp = ipSequence('198.18');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: admin API`, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;
    let readKey: string;
    let writeKey: string;
    let adminKey: string;
    let verificationsKey: string;
    beforeAll(async () => {
      t = await createTestApp(dialect);
      receiver = await startWebhookReceiver();
      await t.services.webhookRegistry.create({ url: receiver.url() });
      readKey = (await t.services.apiKeys.create('support-read', ['admin:read'])).key;
      writeKey = (await t.services.apiKeys.create('support-write', ['admin:write'])).key;
      adminKey = (await t.services.apiKeys.create('support', ['admin:read', 'admin:write'])).key;
      verificationsKey = (await t.services.apiKeys.create('shop')).key;
    });
    afterAll(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(() => {
      receiver.deliveries.length = 0;
    });

    const host = (key: string | null) => {
      const client = apiClient(t.app, { ip: '10.0.0.7' });
      const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
      return {
        get: (url: string) => client.get(url, headers),
        post: (url: string, body?: unknown) =>
          body === undefined
            ? t.app
                .inject({ method: 'POST', url, headers, remoteAddress: '10.0.0.7' })
                .then((r) => ({ status: r.statusCode, body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {}, text: r.body }))
            : client.post(url, body, headers),
        del: (url: string) => client.del(url, headers),
        put: (url: string, body: unknown) => client.put(url, body, headers),
      };
    };
    const accountUrl = (id: string) => `/api/v1/admin/accounts/${id}`;
    const eventsOf = (accountId: string) => receiver.deliveries.filter((d) => d.json?.data?.accountId === accountId).map((d) => d.json?.type);

    it('scopes: none or a wrong key 401; a key without the route’s scope 403; read and write are independent; an admin key is no verifications key', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const search = `/api/v1/admin/accounts?email=${encodeURIComponent(a.email)}`;
      expect((await host(null).get(search)).status).toBe(401);
      expect((await host('llk_AAAAAAAAAAAA.' + 'A'.repeat(43)).get(search)).status).toBe(401);
      expect((await host(verificationsKey).get(search)).body.code).toBe('insufficient-scope');
      expect((await host(writeKey).get(search)).body.code).toBe('insufficient-scope');
      expect((await host(readKey).post(`${accountUrl(a.accountId)}/disable`)).body.code).toBe('insufficient-scope');
      expect((await host(readKey).del(accountUrl(a.accountId))).body.code).toBe('insufficient-scope');
      expect((await host(adminKey).post('/api/v1/verifications', { accountId: a.accountId, action: 'export' })).body.code).toBe('insufficient-scope');
      // The session cookie of a signed-in user is no key either.
      expect((await a.client.get(search)).status).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: accountUrl(a.accountId) })).statusCode).toBe(401);
      // Nothing changed.
      expect((await host(adminKey).get(accountUrl(a.accountId))).body.disabled).toBe(false);
    });

    it('reads: search by login email as sign-in compares it, read by id, recovery states without addresses, 404 for unknown, 400 for malformed', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const found = await host(readKey).get(`/api/v1/admin/accounts?email=${encodeURIComponent(a.email.toUpperCase())}`);
      expect(found.status).toBe(200);
      expect(found.body.items).toEqual([
        {
          id: a.accountId,
          email: a.email,
          emailVerified: true,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          disabled: false,
          recovery: { email: 'none', phone: 'none' },
        },
      ]);
      expect((await host(readKey).get(accountUrl(a.accountId))).body).toEqual((found.body.items as unknown[])[0]);
      expect((await host(readKey).get(`/api/v1/admin/accounts?email=${encodeURIComponent(uniqueEmail())}`)).body).toEqual({ items: [] });
      expect((await host(readKey).get('/api/v1/admin/accounts?email=not-an-address')).body).toEqual({ items: [] });
      expect((await host(readKey).get('/api/v1/admin/accounts')).status).toBe(400);
      expect((await host(readKey).get(`/api/v1/admin/accounts?email=${'a'.repeat(400)}`)).status).toBe(400);
      expect((await host(readKey).get(accountUrl('00000000-0000-4000-8000-000000000000'))).body.code).toBe('not-found');
      for (const bad of ['..%2F..%2Fetc', '%3Cscript%3E', 'x'.repeat(65)]) {
        const r = await host(readKey).get(accountUrl(bad));
        expect(r.status, bad).toBeGreaterThanOrEqual(400);
        expect(r.status, bad).toBeLessThan(500);
      }
      // A pending recovery email shows as pending; its address is never shown.
      const recovery = uniqueEmail('rec');
      expect((await a.client.put('/api/v1/recovery/email', { address: recovery })).status).toBeLessThan(300);
      const item = await host(readKey).get(accountUrl(a.accountId));
      expect(item.body.recovery).toEqual({ email: 'pending', phone: 'none' });
      expect(item.text).not.toContain(recovery);
      expect(item.text).not.toMatch(/argon2|hash|token/i);
    });

    it('disable ends every session (the intruder’s too), refuses sign-in with 403 account-disabled for the right password only, tells the owner, logs it; twice changes nothing; enable undoes it', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const intruder = apiClient(t.app, { ip: nextIp() });
      expect((await intruder.post('/api/v1/login', { email: owner.email, password: owner.password })).status).toBe(200);
      await t.services.worker.runOnce();
      receiver.deliveries.length = 0;

      expect((await host(writeKey).post(`${accountUrl(owner.accountId)}/disable`)).status).toBe(204);
      expect((await owner.client.get('/api/v1/session')).status).toBe(401);
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      const refused = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: owner.email, password: owner.password });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('account-disabled');
      expect(String(refused.body.detail)).toContain('Support');
      // A wrong password learns nothing about the state.
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: owner.email, password: 'Falsch-Falsch-Falsch-1' })).body.code).toBe(
        'invalid-credentials',
      );
      const mails = await mailsTo(t, owner.email);
      expect(mails.filter((m) => /gesperrt/.test(m.subject))).toHaveLength(1);
      expect((await host(readKey).get(accountUrl(owner.accountId))).body.disabled).toBe(true);
      // No host action is confirmed for a disabled account.
      expect((await host(verificationsKey).post('/api/v1/verifications', { accountId: owner.accountId, action: 'export-data' })).body.code).toBe(
        'account-disabled',
      );
      expect(t.logs().some((l) => l.event === 'admin.account_read' && l.accountId === owner.accountId && l.actor === 'api-key:support-read')).toBe(true);
      expect(eventsOf(owner.accountId)).toEqual(expect.arrayContaining(['account.disabled', 'session.revoked']));
      expect(receiver.of('session.revoked', owner.accountId)[0]?.json?.data?.scope).toBe('all');
      expect(t.logs().some((l) => l.event === 'admin.account_disabled' && l.accountId === owner.accountId && l.actor === 'api-key:support-write')).toBe(true);

      // Twice: 204, no second notice, no second event.
      receiver.deliveries.length = 0;
      expect((await host(writeKey).post(`${accountUrl(owner.accountId)}/disable`, {})).status).toBe(204);
      expect((await mailsTo(t, owner.email)).filter((m) => /gesperrt/.test(m.subject))).toHaveLength(1);
      expect(eventsOf(owner.accountId)).toEqual([]);

      expect((await host(writeKey).post(`${accountUrl(owner.accountId)}/enable`)).status).toBe(204);
      expect((await host(writeKey).post(`${accountUrl(owner.accountId)}/enable`)).status).toBe(204);
      const back = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: owner.email, password: owner.password });
      expect(back.status).toBe(200);
      await t.services.worker.runOnce();
      expect(eventsOf(owner.accountId).filter((type) => type === 'account.enabled')).toHaveLength(1);
      expect((await mailsTo(t, owner.email)).filter((m) => /freigeschaltet/.test(m.subject))).toHaveLength(1);
      // The owner sees it in "Sicherheitsaktivität".
      const log = apiClient(t.app, { ip: nextIp() });
      await log.post('/api/v1/login', { email: owner.email, password: owner.password });
      const page = await log.get('/api/v1/security-log');
      const types = (page.body.items as { type: string }[]).map((i) => i.type);
      expect(types).toEqual(expect.arrayContaining(['account.disabled', 'account.enabled']));
      // Unknown account: 404, nothing written.
      expect((await host(writeKey).post(`${accountUrl('00000000-0000-4000-8000-00000000dead')}/disable`)).status).toBe(404);
    });

    it('revoke sessions signs out everywhere; the owner sees "vom Support" in the log', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      expect((await host(writeKey).post(`${accountUrl(a.accountId)}/sessions/revoke`)).status).toBe(204);
      expect((await a.client.get('/api/v1/session')).status).toBe(401);
      expect(await securityEventTypes(t, a.accountId)).toContain('sessions.revoked_by_support');
      expect((await a.client.post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(200);
    });

    it('password reset: 202 with nothing in the answer, the link goes to the login email, the password works until the owner resets; webhook without the secret', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const sent = await host(writeKey).post(`${accountUrl(a.accountId)}/password-reset`);
      expect(sent.status).toBe(202);
      expect(sent.body).toEqual({ status: 'queued' });
      const mail = (await mailsTo(t, a.email)).find((m) => m.text.includes('/reset-password?token='));
      const token = tokenIn(mail?.text);
      expect(token).toBeDefined();
      expect(await securityEventTypes(t, a.accountId)).toContain('password_reset.sent_by_support');
      // The password still works.
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(200);
      // The owner opens the link in any browser and sets a new password.
      const browser = apiClient(t.app, { ip: nextIp() });
      expect((await browser.post('/api/v1/password/forgot/verify', { token })).status).toBe(200);
      expect((await browser.post('/api/v1/password/reset', { password: 'Vom-Eigentuemer-gesetzt-77' })).status).toBe(200);
      await t.services.worker.runOnce();
      const reset = receiver.of('account.password_reset', a.accountId);
      expect(reset).toHaveLength(1);
      expect(reset[0]?.raw).not.toContain(String(token));
      expect(reset[0]?.raw).not.toContain('Vom-Eigentuemer');
      // An unconfirmed account cannot receive one.
      const unconfirmed = uniqueEmail('unconfirmed');
      await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: unconfirmed, password: GOOD_PASSWORD });
      const item = (await host(readKey).get(`/api/v1/admin/accounts?email=${encodeURIComponent(unconfirmed)}`)).body.items as {
        id: string;
        emailVerified: boolean;
      }[];
      expect(item[0]?.emailVerified).toBe(false);
      expect((await host(writeKey).post(`${accountUrl(String(item[0]?.id))}/password-reset`)).body.code).toBe('email-not-verified');
    });

    it('support can never set a password, read a secret or add a channel: no such route, a body is refused, nothing changes', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const imposed = 'Vom-Support-gesetzt-Passwort-1';
      const tries = [
        await host(adminKey).put(accountUrl(a.accountId), { password: imposed }),
        await host(adminKey).post(accountUrl(a.accountId), { password: imposed }),
        await host(adminKey).put(`${accountUrl(a.accountId)}/password`, { password: imposed }),
        await host(adminKey).post(`${accountUrl(a.accountId)}/password`, { password: imposed }),
        await host(adminKey).post(`${accountUrl(a.accountId)}/recovery/email`, { email: 'support@evil.example' }),
        await host(adminKey).put(`${accountUrl(a.accountId)}/recovery/phone`, { phone: '+4915112345678' }),
      ];
      for (const r of tries) expect([404, 405]).toContain(r.status);
      // The write routes take no body: a smuggled field is a 400 and nothing happens.
      const smuggled = await host(adminKey).post(`${accountUrl(a.accountId)}/enable`, { password: imposed });
      expect(smuggled.status).toBe(400);
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: imposed })).status).toBe(401);
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(200);
    });

    it('delete: at once, the addresses are told, account.deleted and session.revoked go out; then 404 and 401; twice 404', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      await t.services.worker.runOnce();
      receiver.deliveries.length = 0;
      expect((await host(writeKey).del(accountUrl(a.accountId))).status).toBe(204);
      expect((await host(readKey).get(accountUrl(a.accountId))).status).toBe(404);
      expect((await a.client.get('/api/v1/session')).status).toBe(401);
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(401);
      expect((await mailsTo(t, a.email)).some((m) => /gelöscht/.test(m.subject))).toBe(true);
      expect(eventsOf(a.accountId)).toEqual(expect.arrayContaining(['session.revoked', 'account.deleted']));
      expect((await host(writeKey).del(accountUrl(a.accountId))).status).toBe(404);
      expect(t.logs().some((l) => l.event === 'admin.account_deleted' && l.accountId === a.accountId)).toBe(true);
    });
  });
}
