import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, GOOD_PASSWORD, mailsTo, signedInAccount, uniqueEmail } from '../helpers/api-client.js';
import { createTestApp, ipSequence, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * The host's own security events (docs/integration.md "Host events"): recorded in the user's
 * "Sicherheitsaktivität", mailed with "Das war ich nicht" on request, and when the owner uses it
 * the account is secured as by Lifeline's own undo and the host hears `account.secured` with the
 * event's id, so that it can revert its change.
 */
const nextIp = ipSequence('198.19');
const undoTokenIn = (text: string | undefined) => {
  const match = /\/undo\?token=([A-Za-z0-9_\-.~%]+)/.exec(text ?? '');
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
};

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: host events`, () => {
    let t: TestApp;
    let receiver: WebhookReceiver;
    let eventsKey: string;
    let adminKey: string;
    beforeAll(async () => {
      t = await createTestApp(dialect);
      receiver = await startWebhookReceiver();
      await t.services.webhookRegistry.create({ url: receiver.url() });
      eventsKey = (await t.services.apiKeys.create('shop-events', ['events'])).key;
      adminKey = (await t.services.apiKeys.create('shop-admin', ['admin:read', 'admin:write'])).key;
    });
    afterAll(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(() => {
      receiver.deliveries.length = 0;
    });

    const post = (key: string | null, accountId: string, body: unknown) =>
      apiClient(t.app, { ip: '10.0.0.9' }).post(`/api/v1/accounts/${accountId}/security-events`, body, key === null ? {} : { authorization: `Bearer ${key}` });
    const iban = { type: 'iban.changed', title: { de: 'IBAN geändert', en: 'IBAN changed' }, details: 'Neue IBAN: DE89 •••• 3000' };

    it('needs a key with the scope events; an unknown or unconfirmed account is 404', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      expect((await post(null, a.accountId, iban)).status).toBe(401);
      expect((await post(adminKey, a.accountId, iban)).body.code).toBe('insufficient-scope');
      expect((await post(eventsKey, '00000000-0000-4000-8000-000000000000', iban)).status).toBe(404);
      const unconfirmed = uniqueEmail('unconfirmed');
      await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: unconfirmed, password: GOOD_PASSWORD });
      const row = await t.database.db.selectFrom('accounts').select('id').where('email_normalized', '=', unconfirmed.toLowerCase()).executeTakeFirstOrThrow();
      expect((await post(eventsKey, row.id, iban)).status).toBe(404);
      expect(
        await t.database.db
          .selectFrom('security_events')
          .select('id')
          .where('type', '=', 'host.event')
          .where('account_id', 'in', [a.accountId, row.id])
          .execute(),
      ).toEqual([]);
    });

    it('without notify: in the owner’s security log with the title in both languages, no mail', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const before = (await mailsTo(t, a.email)).length;
      const recorded = await post(eventsKey, a.accountId, iban);
      expect(recorded.status).toBe(201);
      expect(recorded.body).toMatchObject({ id: expect.any(String), createdAt: expect.stringMatching(/^\d{4}-/), notified: false });
      const log = await a.client.get('/api/v1/security-log');
      const item = (log.body.items as { id: string; type: string; details: Record<string, unknown>; ip: string | null }[]).find(
        (i) => i.id === recorded.body.id,
      );
      expect(item).toMatchObject({
        type: 'host.event',
        ip: null,
        details: { hostType: 'iban.changed', titleDe: 'IBAN geändert', titleEn: 'IBAN changed', detail: 'Neue IBAN: DE89 •••• 3000', source: 'shop-events' },
      });
      expect(await mailsTo(t, a.email)).toHaveLength(before);
    });

    it('the intruder changed the IBAN at the host; the owner presses "Das war ich nicht": the intruder is out, the owner must set a new password, the host hears account.secured with the event id', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const intruder = apiClient(t.app, { ip: nextIp() });
      expect((await intruder.post('/api/v1/login', { email: owner.email, password: owner.password })).status).toBe(200);
      const recorded = await post(eventsKey, owner.accountId, { ...iban, notify: true });
      expect(recorded.status).toBe(201);
      expect(recorded.body.notified).toBe(true);
      const mail = (await mailsTo(t, owner.email)).find((m) => m.subject.includes('IBAN geändert'));
      expect(mail?.text).toContain('IBAN geändert');
      expect(mail?.text).toContain('Neue IBAN: DE89 •••• 3000');
      expect(mail?.text).toContain('Wenn Sie das selbst waren, müssen Sie nichts tun.');
      const token = undoTokenIn(mail?.text);
      expect(token).toBeDefined();
      receiver.deliveries.length = 0;
      // The undo page names the host's event by its title.
      const preview = await apiClient(t.app, { ip: nextIp() }).get(`/api/v1/security/undo?token=${encodeURIComponent(String(token))}`);
      expect(preview.body).toMatchObject({ type: 'host.event', title: { de: 'IBAN geändert', en: 'IBAN changed' } });

      const undone = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/security/undo', { token });
      expect(undone.status).toBe(200);
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      expect((await owner.client.get('/api/v1/session')).status).toBe(401);
      expect((await intruder.post('/api/v1/login', { email: owner.email, password: owner.password })).body.code).toBe('password-reset-required');
      await t.services.worker.runOnce();
      const secured = receiver.of('account.secured', owner.accountId);
      expect(secured).toHaveLength(1);
      expect(secured[0]?.json?.data).toEqual({ accountId: owner.accountId, hostEventId: recorded.body.id });
      expect(receiver.of('session.revoked', owner.accountId)[0]?.json?.data?.scope).toBe('all');
      // The link is used up: a second press changes nothing and sends nothing more.
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/security/undo', { token })).status).toBeGreaterThanOrEqual(400);
      await t.services.worker.runOnce();
      expect(receiver.of('account.secured', owner.accountId)).toHaveLength(1);
    });

    it('the notice goes to the login and the recovery email, in the account’s language; markup in a title stays text', async () => {
      const a = await signedInAccount(t, { ip: nextIp(), locale: 'en' });
      const recovery = uniqueEmail('rec');
      await t.database.db
        .insertInto('recovery_emails')
        .values({
          id: `rec-${a.accountId}`,
          account_id: a.accountId,
          address: recovery,
          address_normalized: recovery.toLowerCase(),
          status: 'active',
          created_at: t.clock.now(),
          confirmed_at: t.clock.now(),
          settled_at: t.clock.now(),
          last_sent_at: null,
          hold_requested: 0,
        })
        .execute();
      const title = { de: '<b>Schlüssel</b> erstellt', en: '<img src=x onerror=alert(1)> key created' };
      expect((await post(eventsKey, a.accountId, { type: 'export-key.created', title, notify: true })).status).toBe(201);
      await t.services.worker.runOnce();
      const rows = ((await t.services.devMailbox?.list()) ?? []).filter(
        (m) => [a.email.toLowerCase(), recovery.toLowerCase()].includes(m.recipient.toLowerCase()) && m.subject.includes('key created'),
      );
      expect(rows.map((m) => m.recipient.toLowerCase()).sort()).toEqual([a.email.toLowerCase(), recovery.toLowerCase()].sort());
      for (const m of rows) {
        expect(m.html).not.toContain('<img src=x');
        expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt; key created');
        expect(m.text).toContain('<img src=x onerror=alert(1)> key created');
      }
    });

    it('bad input is a 400 that records nothing: oversized, multi-line, bidi tricks, missing language, unknown fields, wrong type names', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const bad: unknown[] = [
        { ...iban, title: { de: 'x'.repeat(10_000), en: 'x' } },
        { ...iban, title: { de: 'IBAN geändert\r\nBcc: evil@example.com', en: 'IBAN changed' } },
        { ...iban, title: { de: 'IBAN \u202egeändert', en: 'IBAN changed' } },
        { ...iban, title: { de: 'IBAN geändert' } },
        { ...iban, title: { de: '   ', en: 'IBAN changed' } },
        { ...iban, details: 'y'.repeat(301) },
        { ...iban, type: 'IBAN Changed' },
        { ...iban, type: '' },
        { ...iban, notify: 'yes' },
        { ...iban, extra: true },
        { ...iban, title: 'IBAN geändert' },
        [],
        null,
      ];
      for (const body of bad) {
        const r = await post(eventsKey, a.accountId, body);
        expect(r.status, JSON.stringify(body)?.slice(0, 80)).toBe(400);
        expect(r.headers['content-type']).toMatch(/problem\+json/);
      }
      const raw = await t.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${a.accountId}/security-events`,
        headers: { authorization: `Bearer ${eventsKey}`, 'content-type': 'application/json' },
        payload: '{"type":',
      });
      expect(raw.statusCode).toBe(400);
      expect(
        await t.database.db.selectFrom('security_events').select('id').where('type', '=', 'host.event').where('account_id', '=', a.accountId).execute(),
      ).toEqual([]);
    });

    it('limits: 10 notices an hour per account, then 429 (the record is not written either); 30 events an hour per account', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      for (let i = 0; i < 10; i++) expect((await post(eventsKey, a.accountId, { ...iban, notify: true })).status).toBe(201);
      const eleventh = await post(eventsKey, a.accountId, { ...iban, notify: true });
      expect(eleventh.status).toBe(429);
      expect(eleventh.headers['retry-after']).toBeDefined();
      // Without a notice it still counts against the account's 30.
      let status = 201;
      let recorded = 10;
      while (status === 201 && recorded < 40) {
        status = (await post(eventsKey, a.accountId, iban)).status;
        if (status === 201) recorded++;
      }
      expect(status).toBe(429);
      expect(recorded).toBe(29); // the refused 11th notice counted too
      const rows = await t.database.db
        .selectFrom('security_events')
        .select('id')
        .where('type', '=', 'host.event')
        .where('account_id', '=', a.accountId)
        .execute();
      expect(rows).toHaveLength(recorded);
      // Another account is not affected.
      const b = await signedInAccount(t, { ip: nextIp() });
      expect((await post(eventsKey, b.accountId, iban)).status).toBe(201);
    });
  });
}
