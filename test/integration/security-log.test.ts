import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, SECOND } from '../../src/core/clock.js';
import { createHousekeeping } from '../../src/housekeeping.js';
import { apiClient, mailsTo, signedInAccount } from '../helpers/api-client.js';
import { writeMmdbFile } from '../helpers/mmdb-writer.js';
import { createTestApp, ipSequence, type TestApp, useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Profile → "Sicherheitsaktivität" over the API (`GET /api/v1/security-log`), and the
 * retention of its rows (SECURITY_LOG_DAYS). On SQLite and PostgreSQL.
 */
type Page = {
  items: { id: string; type: string; createdAt: string; ip: string | null; device: string | null; details: Record<string, unknown>; undoable: boolean }[];
  nextCursor: string | null;
};

const nextIp = ipSequence('198.22');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: the security log ("Sicherheitsaktivität")`, () => {
    const t = useTestApp(dialect, { env: { SECURITY_LOG_DAYS: '120' } });

    const record = (accountId: string, type: string, at?: number) =>
      t.database.db.transaction().execute(async (trx) => {
        if (at !== undefined) t.clock.set(at);
        return t.services.securityLog.record(trx, {
          accountId,
          type,
          origin: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0' },
          details: { n: 1 },
        });
      });

    it('lists the account’s own events, newest first, with time, IP and device', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      t.clock.advance(SECOND);
      await a.client.put('/api/v1/account/password', { currentPassword: a.password, newPassword: 'Ein-ganz-neues-Passwort-12' });
      const page = (await a.client.get('/api/v1/security-log')).body as Page;
      // The change and its "other sessions ended" row share their instant: either comes first.
      expect(
        page.items
          .slice(0, 2)
          .map((i) => i.type)
          .sort(),
      ).toEqual(['password.changed', 'sessions.revoked_by_password_change']);
      expect(page.items.map((i) => i.type)).toEqual(expect.arrayContaining(['account.created', 'session.signed_in', 'password.changed']));
      const times = page.items.map((i) => Date.parse(i.createdAt));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      const changed = page.items.find((i) => i.type === 'password.changed');
      expect(changed?.device).toBe('Firefox 133 · Linux');
      // Its notice carried "Das war ich nicht" to the login email: the list may still undo it; a sign-in after sign-up may not.
      expect(changed?.undoable).toBe(true);
      expect(page.items.find((i) => i.type === 'account.created')?.undoable).toBe(false);
      expect(page.nextCursor).toBeNull();
    });

    it('lists changes, not the steps on the way to them (kept in the log for support and webhooks)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const steps = ['recovery_email.setup_requested', 'recovery_email.setup_cancelled', 'session.reauthenticated', 'action_verification.started'];
      for (const type of [...steps, 'recovery_email.added', 'action_verification.failed']) await record(a.accountId, type);
      const listed = ((await a.client.get('/api/v1/security-log')).body as Page).items.map((i) => i.type);
      expect(listed).toEqual(expect.arrayContaining(['recovery_email.added', 'action_verification.failed']));
      for (const step of steps) expect(listed).not.toContain(step);
      const stored = await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', a.accountId).execute();
      expect(stored.map((row) => row.type)).toEqual(expect.arrayContaining(steps));
    });

    it('pages of 20 by cursor: every event once, none of another account, stable while new events arrive', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const other = await signedInAccount(t, { ip: nextIp() });
      const base = t.clock.now();
      for (let i = 0; i < 45; i++) await record(a.accountId, 'session.signed_in', base + i * SECOND);
      await record(other.accountId, 'password.changed', base + 50 * SECOND);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await a.client.get(`/api/v1/security-log${cursor ? `?cursor=${cursor}` : ''}`);
        expect(response.status).toBe(200);
        const page = response.body as Page;
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
        // An event written between two pages does not shift the next page.
        if (pages === 1) await record(a.accountId, 'session.signed_out', base + 60 * SECOND);
      } while (cursor !== null && pages < 10);
      const all = await t.database.db.selectFrom('security_events').select('id').where('account_id', '=', a.accountId).execute();
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(all.length - 1);
      const otherIds = (await t.database.db.selectFrom('security_events').select('id').where('account_id', '=', other.accountId).execute()).map((r) => r.id);
      expect(seen.some((id) => otherIds.includes(id))).toBe(false);
    });

    it('shows the last 90 days; the worker deletes rows older than SECURITY_LOG_DAYS', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const now = t.clock.now();
      const old = await record(a.accountId, 'recovery_email.added', now - 100 * DAY);
      const ancient = await record(a.accountId, 'recovery_email.removed', now - 121 * DAY);
      t.clock.set(now);
      const ids = ((await a.client.get('/api/v1/security-log')).body as Page).items.map((i) => i.id);
      expect(ids).not.toContain(old);
      expect(ids).not.toContain(ancient);
      await createHousekeeping(t.services).runOnce();
      const left = (await t.database.db.selectFrom('security_events').select('id').where('account_id', '=', a.accountId).execute()).map((r) => r.id);
      expect(left).toContain(old);
      expect(left).not.toContain(ancient);
    });

    it('needs a session; a malformed cursor is a 400 with a message, never a 5xx', async () => {
      expect((await apiClient(t.app).get('/api/v1/security-log')).status).toBe(401);
      const a = await signedInAccount(t, { ip: nextIp() });
      for (const cursor of ['xyz', 'AAAA', '%27%20OR%201%3D1', 'a'.repeat(300)]) {
        const response = await a.client.get(`/api/v1/security-log?cursor=${cursor}`);
        expect(response.status, cursor).toBe(400);
        expect(response.body.code).toBe('validation-failed');
      }
      // A cursor from another account's page only moves within one's own rows.
      const other = await signedInAccount(t, { ip: nextIp() });
      const otherPage = (await other.client.get('/api/v1/security-log')).body as Page;
      const foreign = Buffer.from(`${Date.now()}:${otherPage.items[0]?.id ?? 'x'}`).toString('base64url');
      const mine = (await a.client.get(`/api/v1/security-log?cursor=${foreign}`)).body as Page;
      expect(mine.items.every((i) => !otherPage.items.some((o) => o.id === i.id))).toBe(true);
    });
  });
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: the approximate place with GEOIP_DB`, () => {
    let t: TestApp;
    beforeAll(async () => {
      const file = writeMmdbFile('places.mmdb', [
        {
          cidr: '198.22.0.0/16',
          data: { city: { names: { de: 'Berlin', en: 'Berlin' } }, country: { iso_code: 'DE', names: { de: 'Deutschland', en: 'Germany' } } },
        },
      ]);
      t = await createTestApp(dialect, { env: { GEOIP_DB: file } });
    });
    afterAll(async () => t.close());

    it('names the place in the security log and in notices; an address the database does not know gets none', async () => {
      const a = await signedInAccount(t, { ip: '192.0.2.10' });
      // A second browser from a known network: "Anmeldung auf einem neuen Gerät", with the place.
      await apiClient(t.app, { ip: '198.22.200.1' }).post('/api/v1/login', { email: a.email, password: a.password });
      const notice = (await mailsTo(t, a.email)).find((m) => m.subject === 'Lifeline: Anmeldung auf einem neuen Gerät');
      expect(notice?.text).toContain('198.22.200.1 (ungefähr Berlin, Deutschland)');
      const items = ((await a.client.get('/api/v1/security-log')).body as Page).items as (Page['items'][number] & { place?: string })[];
      expect(items.find((i) => i.type === 'session.signed_in_new_device')?.place).toBe('Berlin, Deutschland');
      // The sign-up came from 192.0.2.10, which the database does not know: no place, never a guess.
      expect(items.find((i) => i.type === 'account.created')?.place).toBeUndefined();
    });
  });
}
