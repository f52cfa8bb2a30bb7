import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, SECOND } from '../../src/core/clock.js';
import { inTransaction } from '../../src/db/transaction.js';
import { PermanentDeliveryError } from '../../src/delivery/channels/channel.js';
import { checkWebhookUrl, WebhookInputError } from '../../src/webhooks/webhook-registry.js';
import { createWebhookChannel, WEBHOOK_RETRY_SCHEDULE_MS } from '../../src/webhooks/webhook-delivery.js';
import { apiClient, GOOD_PASSWORD, signedInAccount } from '../helpers/api-client.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * Webhooks (docs/integration.md "Webhooks", Standard Webhooks 1.0): a real receiver on loopback,
 * signatures checked with the `standardwebhooks` package a host would use, retries on the
 * schedule, the abuse cases of the issue (SSRF, redirects, hanging and chatty receivers).
 */
const header = (d: ReceivedDelivery, name: string) => String(d.headers[name] ?? '');

/** Verifies a delivery as a receiver does (the package checks the timestamp against the real time too). */
function verifies(secret: string, d: ReceivedDelivery): boolean {
  try {
    new Webhook(secret).verify(d.raw, {
      'webhook-id': header(d, 'webhook-id'),
      'webhook-timestamp': header(d, 'webhook-timestamp'),
      'webhook-signature': header(d, 'webhook-signature'),
    });
    return true;
  } catch {
    return false;
  }
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: webhooks`, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      // Mail gives up after 3 attempts here; webhooks keep their own schedule regardless.
      t = await createTestApp(dialect, { env: { OUTBOX_MAX_ATTEMPTS: '3' } });
      receiver = await startWebhookReceiver();
    });
    afterAll(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(async () => {
      // The package verifies webhook-timestamp against the real clock (5 minutes' tolerance).
      t.clock.set(Date.now());
      receiver.answer({ status: 204 });
      receiver.deliveries.length = 0;
      // Endpoints of an earlier test stop receiving; rows of theirs still queued fail as revoked.
      for (const endpoint of await t.services.webhookRegistry.list()) await t.services.webhookRegistry.revoke(endpoint.id);
      await t.services.worker.runOnce();
      receiver.deliveries.length = 0;
    });

    it("an account's life reaches the receiver as signed events that the standardwebhooks package verifies", async () => {
      const { secret } = await t.services.webhookRegistry.create({ url: receiver.url() });
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
      const a = await signedInAccount(t, { ip: '198.51.100.10' });
      const newPassword = 'Neues-Passwort-fuer-Hooks-81';
      expect((await a.client.put('/api/v1/account/password', { currentPassword: a.password, newPassword })).status).toBe(200);
      expect((await a.client.del('/api/v1/sessions/others')).status).toBe(204);
      await t.services.worker.runOnce();

      const types = receiver.deliveries.filter((d) => d.json?.data?.accountId === a.accountId).map((d) => d.json?.type);
      expect(types).toContain('account.created');
      expect(types).toContain('account.password_changed');
      expect(receiver.of('session.revoked', a.accountId).map((d) => d.json?.data?.scope)).toContain('others');
      for (const d of receiver.deliveries) {
        expect(d.method).toBe('POST');
        expect(header(d, 'content-type')).toMatch(/^application\/json/);
        expect(header(d, 'webhook-id')).toMatch(/^msg_[0-9a-f-]{36}$/);
        expect(Math.abs(Number(header(d, 'webhook-timestamp')) - Date.now() / 1000)).toBeLessThan(300);
        expect(verifies(secret, d), `${d.json?.type} verifies`).toBe(true);
        // A changed body, or the right body with another secret, does not.
        expect(verifies(secret, { ...d, raw: d.raw.replace('account', 'acc0unt') })).toBe(false);
        expect(verifies('whsec_' + Buffer.alloc(32, 7).toString('base64'), d)).toBe(false);
        expect(d.json?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        // Ids and facts only: no password, no secret, no link.
        expect(d.raw).not.toContain(a.password);
        expect(d.raw).not.toContain(newPassword);
        expect(d.raw).not.toMatch(/secret|token=|https?:\/\//i);
      }
      // The body's timestamp is the change's; the header's the attempt's (equal here: nothing waited).
      const created = receiver.of('account.created', a.accountId)[0];
      expect(Date.parse(String(created?.json?.timestamp))).toBeLessThanOrEqual(Number(header(created as ReceivedDelivery, 'webhook-timestamp')) * 1000 + 999);
    });

    it('an endpoint with an event filter receives only those types', async () => {
      const everything = await t.services.webhookRegistry.create({ url: receiver.url('/all') });
      const filtered = await t.services.webhookRegistry.create({ url: receiver.url('/filtered'), events: ['account.password_changed'] });
      expect(filtered.endpoint.events).toEqual(['account.password_changed']);
      const a = await signedInAccount(t, { ip: '198.51.100.11' });
      expect((await a.client.put('/api/v1/account/password', { currentPassword: a.password, newPassword: 'Gefiltertes-Passwort-9' })).status).toBe(200);
      await t.services.worker.runOnce();
      const at = (path: string) => receiver.deliveries.filter((d) => d.path === path && d.json?.data?.accountId === a.accountId).map((d) => d.json?.type);
      expect(at('/filtered')).toEqual(['account.password_changed']);
      expect(at('/all')).toEqual(expect.arrayContaining(['account.created', 'account.password_changed', 'session.revoked']));
      expect(everything.endpoint.events).toBeNull();
      // Unknown types are refused before anything is stored.
      const before = (await t.services.webhookRegistry.list()).length;
      await expect(t.services.webhookRegistry.create({ url: receiver.url(), events: ['account.created,account.hacked'] })).rejects.toThrow(WebhookInputError);
      expect(await t.services.webhookRegistry.list()).toHaveLength(before);
    });

    it('a failing receiver gets the same webhook-id again after about 5 s, then on the schedule; after about 27 hours the row is failed, listed and counted', async () => {
      const { secret } = await t.services.webhookRegistry.create({ url: receiver.url() });
      const a = await signedInAccount(t, { ip: '198.51.100.12' });
      receiver.answer({ status: 500 });
      receiver.deliveries.length = 0;
      expect((await a.client.put('/api/v1/account/password', { currentPassword: a.password, newPassword: 'Ausfall-Passwort-fuer-Hooks-3' })).status).toBe(200);
      await t.services.worker.runOnce();
      const first = receiver.of('account.password_changed', a.accountId);
      expect(first).toHaveLength(1);
      const id = header(first[0] as ReceivedDelivery, 'webhook-id');
      // Not before its time…
      t.clock.advance(4 * SECOND);
      await t.services.worker.runOnce();
      expect(receiver.of('account.password_changed', a.accountId)).toHaveLength(1);
      // …then again, same id, signed anew with the attempt's time.
      t.clock.advance(1 * SECOND);
      await t.services.worker.runOnce();
      const second = receiver.of('account.password_changed', a.accountId);
      expect(second).toHaveLength(2);
      expect(header(second[1] as ReceivedDelivery, 'webhook-id')).toBe(id);
      expect(second[1]?.raw).toBe(first[0]?.raw);
      expect(Number(header(second[1] as ReceivedDelivery, 'webhook-timestamp'))).toBeGreaterThan(
        Number(header(first[0] as ReceivedDelivery, 'webhook-timestamp')),
      );
      // Through the rest of the schedule: every attempt has the same id; the total spans more than 24 h.
      let elapsed = 5 * SECOND;
      for (const delay of WEBHOOK_RETRY_SCHEDULE_MS.slice(1)) {
        t.clock.advance(delay);
        elapsed += delay;
        await t.services.worker.runOnce();
      }
      const all = receiver.of('account.password_changed', a.accountId);
      expect(all).toHaveLength(WEBHOOK_RETRY_SCHEDULE_MS.length + 1);
      expect(new Set(all.map((d) => header(d, 'webhook-id')))).toEqual(new Set([id]));
      expect(elapsed).toBeGreaterThan(24 * HOUR);
      const failed = await t.services.outbox.list({ statuses: ['failed'] });
      const row = failed.find((m) => `msg_${m.id}` === id);
      expect(row).toMatchObject({ channel: 'webhook', kind: 'webhook.account.password_changed', attempts: WEBHOOK_RETRY_SCHEDULE_MS.length + 1 });
      expect(row?.lastError).toContain('answered 500');
      expect(row?.lastError).not.toContain('127.0.0.1'); // the endpoint's id, never its URL (it may carry a token)
      const metrics = await t.services.metrics.registry.metrics();
      expect(metrics).toMatch(/lifeline_\w*failures\w*\{[^}]*channel="webhook"[^}]*final="true"[^}]*\} [1-9]/);
      // Nothing more after that.
      t.clock.advance(24 * HOUR);
      await t.services.worker.runOnce();
      expect(receiver.of('account.password_changed', a.accountId)).toHaveLength(WEBHOOK_RETRY_SCHEDULE_MS.length + 1);
      expect(secret).toMatch(/^whsec_/);
    });

    it('a redirect is not followed, a hanging receiver times out, a chatty one is cut off: each a retry, nothing crashes', async () => {
      const { id } = await t.services.webhookRegistry.create({ url: receiver.url() });
      const channel = createWebhookChannel({ registry: t.services.webhookRegistry, clock: t.clock, allowPrivateNetworks: true, timeoutMs: 500 });
      const message = {
        id: '00000000-0000-4000-8000-000000000001',
        channel: 'webhook' as const,
        to: id,
        subject: 'account.created',
        text: '{"type":"account.created"}',
        html: null,
      };

      receiver.answer({ redirectTo: receiver.url('/elsewhere') });
      const redirected = channel.send(message);
      await expect(redirected).rejects.toThrow(/answered 307/);
      await expect(redirected).rejects.not.toBeInstanceOf(PermanentDeliveryError);
      expect(receiver.deliveries.filter((d) => d.path === '/elsewhere')).toHaveLength(0);

      receiver.answer({ hang: true });
      const started = Date.now();
      await expect(channel.send(message)).rejects.toThrow(/abort|timeout/i);
      expect(Date.now() - started).toBeLessThan(3000);

      receiver.answer({ hugeBody: true });
      const startedHuge = Date.now();
      await expect(channel.send(message)).resolves.toBeUndefined();
      expect(Date.now() - startedHuge).toBeLessThan(3000);
    });

    it('a receiver that hangs does not hold up mail to people: webhooks go in a lane of their own', async () => {
      const a = await signedInAccount(t, { ip: '198.51.100.15' });
      await t.services.webhookRegistry.create({ url: receiver.url('/slow') });
      receiver.answer({ hang: true });
      // A webhook row waiting first (it is older), then a sign-up mail.
      await inTransaction(t.database, (trx) => t.services.webhooks.emit(trx, { type: 'account.password_changed', accountId: a.accountId }));
      const email = `lane-${Date.now()}@example.com`;
      const round = t.services.worker.runOnce();
      expect((await apiClient(t.app, { ip: '198.51.100.16' }).post('/api/v1/signup', { email, password: GOOD_PASSWORD })).status).toBe(202);
      const started = Date.now();
      let mail: unknown;
      while (!mail && Date.now() - started < 5000) {
        void t.services.worker.runOnce();
        mail = ((await t.services.devMailbox?.list()) ?? []).find((m) => m.recipient === email);
        if (!mail) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(mail, 'the sign-up mail arrived while a webhook hung').toBeDefined();
      expect(Date.now() - started).toBeLessThan(3000);
      receiver.answer({ status: 204 });
      receiver.release();
      await round;
    });

    it('SSRF: in production only public https receivers are accepted, unless WEBHOOK_ALLOW_PRIVATE; delivery refuses a private address for good', async () => {
      const production = { production: true, allowPrivateNetworks: false };
      for (const url of [
        'http://example.com/hook',
        'https://127.0.0.1/hook',
        'https://[::1]/hook',
        'https://10.1.2.3/hook',
        'https://169.254.169.254/latest',
        'https://localhost/hook',
        'https://[::7f00:1]/x',
        'https://[64:ff9b:1::7f00:1]/x',
        'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x',
        'https://[fec0::1]/x',
        'https://192.0.0.8/x',
        'ftp://example.com/x',
        'javascript:alert(1)',
        'https://user:pw@example.com/x',
        'https://example.com/x#frag',
        'not a url',
        `https://example.com/${'a'.repeat(2100)}`,
      ]) {
        await expect(checkWebhookUrl(url, production), url).rejects.toThrow(WebhookInputError);
      }
      await expect(checkWebhookUrl('https://203.0.113.9/hook', production)).resolves.toBe('https://203.0.113.9/hook');
      await expect(checkWebhookUrl('http://10.1.2.3/hook', { production: true, allowPrivateNetworks: true })).resolves.toBe('http://10.1.2.3/hook');
      // Outside production, loopback http is fine (the acceptance checks and this test use it); schemes and credentials still are not.
      await expect(checkWebhookUrl('http://127.0.0.1:9/hook', { production: false, allowPrivateNetworks: true })).resolves.toBe('http://127.0.0.1:9/hook');
      await expect(checkWebhookUrl('file:///etc/passwd', { production: false, allowPrivateNetworks: true })).rejects.toThrow(WebhookInputError);

      // An endpoint stored before the rules changed (or a name that now resolves inward): refused at delivery, for good.
      const { id } = await t.services.webhookRegistry.create({ url: receiver.url() });
      const guarded = createWebhookChannel({ registry: t.services.webhookRegistry, clock: t.clock, allowPrivateNetworks: false });
      await expect(
        guarded.send({ id: '00000000-0000-4000-8000-000000000002', channel: 'webhook', to: id, subject: 'x', text: '{}', html: null }),
      ).rejects.toBeInstanceOf(PermanentDeliveryError);
      expect(receiver.deliveries).toHaveLength(0);
    });

    it('rotation: both secrets sign during the overlap; afterwards only the new one. Revoking stops queued deliveries too', async () => {
      const made = await t.services.webhookRegistry.create({ url: receiver.url() });
      const rotation = await t.services.webhookRegistry.rotate(made.id);
      if (!rotation || !('secret' in rotation)) throw new Error('no rotation');
      const rotated = rotation;
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(made.secret);
      // A second rotation during the overlap would drop the secret the receiver may still hold: refused.
      expect(await t.services.webhookRegistry.rotate(made.id)).toEqual({ overlapUntil: rotated.previousSecretUntil });
      const a = await signedInAccount(t, { ip: '198.51.100.13' });
      await t.services.worker.runOnce();
      const during = receiver.of('account.created', a.accountId)[0] as ReceivedDelivery;
      expect(header(during, 'webhook-signature').split(' ')).toHaveLength(2);
      expect(verifies(made.secret, during)).toBe(true);
      expect(verifies(String(rotated?.secret), during)).toBe(true);

      t.clock.set(Date.now() + 25 * HOUR);
      expect((await a.client.post('/api/v1/login', { email: a.email, password: GOOD_PASSWORD })).status).toBe(200);
      expect((await a.client.put('/api/v1/account/password', { currentPassword: GOOD_PASSWORD, newPassword: 'Nach-der-Rotation-Passwort-4' })).status).toBe(
        200,
      );
      await t.services.worker.runOnce();
      const after = receiver.of('account.password_changed', a.accountId)[0] as ReceivedDelivery;
      expect(header(after, 'webhook-signature').split(' ')).toHaveLength(1);
      t.clock.set(Date.now());
      expect(verifies(String(rotated?.secret), { ...after })).toBe(false); // the package's clock check: 25 h off
      expect(
        new Webhook(String(rotated?.secret)).sign(header(after, 'webhook-id'), new Date(Number(header(after, 'webhook-timestamp')) * 1000), after.raw),
      ).toBe(header(after, 'webhook-signature'));

      // Revoked while a delivery waits: the row fails as revoked, the receiver hears nothing.
      receiver.deliveries.length = 0;
      expect(
        (await a.client.put('/api/v1/account/password', { currentPassword: 'Nach-der-Rotation-Passwort-4', newPassword: 'Widerruf-Passwort-fuer-Hooks-5' }))
          .status,
      ).toBe(200);
      expect(await t.services.webhookRegistry.revoke(made.id)).toBe(true);
      expect(await t.services.webhookRegistry.revoke(made.id)).toBe(false);
      await t.services.worker.runOnce();
      expect(receiver.deliveries).toHaveLength(0);
      const failed = await t.services.outbox.list({ statuses: ['failed'] });
      expect(failed.some((m) => m.to === made.id && /revoked/.test(String(m.lastError)))).toBe(true);
      expect(await t.services.webhookRegistry.rotate(made.id)).toBeUndefined();
    });

    it('events are written in the transaction of their change: a change rolled back sends nothing', async () => {
      await t.services.webhookRegistry.create({ url: receiver.url() });
      const a = await signedInAccount(t, { ip: '198.51.100.14' });
      await t.services.worker.runOnce();
      receiver.deliveries.length = 0;
      await expect(
        inTransaction(t.database, async (trx) => {
          await t.services.securityLog.record(trx, { accountId: a.accountId, type: 'password.changed' });
          throw new Error('the change failed after the event');
        }),
      ).rejects.toThrow('the change failed');
      await t.services.worker.runOnce();
      expect(receiver.deliveries).toHaveLength(0);
      // Recorded in a committed transaction: delivered.
      await inTransaction(t.database, (trx) => t.services.securityLog.record(trx, { accountId: a.accountId, type: 'password.changed' }));
      await t.services.worker.runOnce();
      expect(receiver.of('account.password_changed', a.accountId)).toHaveLength(1);
    });
  });
}
