import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, SECOND } from '../../src/core/clock.js';
import { createHousekeeping } from '../../src/housekeeping.js';
import { apiClient, codeTo, GOOD_PASSWORD, mailsTo, signedInAccount, tokenIn, uniqueEmail, type ApiClient } from '../helpers/api-client.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * The 72-hour hold (issue 9): removing a recovery channel from a session that signed in less
 * than 24 hours ago on a new device waits 72 hours; every channel can cancel it with its own
 * link; the worker applies it; "Das war ich nicht" ends it. The owner's first device, and a
 * session older than 24 hours, are not held.
 */
let ipCounter = 0;
const nextIp = () => `198.34.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: the 72-hour hold on removing a recovery channel (issue 9)`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect);
    });
    afterAll(async () => t.close());

    const settle = async () => {
      await t.services.worker.runOnce();
      t.clock.advance(SECOND);
    };
    const housekeeping = () => createHousekeeping(t.services).runOnce();
    const recovery = async (client: ApiClient) => (await client.get('/api/v1/recovery')).body as { email: { status: string; removalAt?: string }; phone: { status: string; removalAt?: string } };

    /** An owner (first device) with a confirmed recovery e-mail and phone, and an intruder's fresh session on a new device. */
    async function ownerAndIntruder() {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const address = uniqueEmail('rec');
      t.clock.advance(SECOND);
      expect((await owner.client.put('/api/v1/recovery/email', { address, password: GOOD_PASSWORD })).status).toBe(202);
      const link = tokenIn((await mailsTo(t, address)).find((m) => m.text.includes('/confirm-recovery-email?token='))?.text);
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: link })).status).toBe(200);
      const digits = String(1_000_000 + Math.floor(Math.random() * 8_999_999));
      t.clock.advance(2 * MINUTE);
      expect((await owner.client.put('/api/v1/recovery/phone', { number: `0171 ${digits}`, password: GOOD_PASSWORD })).status).toBe(202);
      expect((await owner.client.post('/api/v1/recovery/phone/confirm', { code: await codeTo(t, `+49171${digits}`) })).status).toBe(200);
      await settle();
      const intruder = apiClient(t.app, { ip: nextIp() });
      expect((await intruder.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD })).status).toBe(200);
      await settle();
      return { ...owner, address, phone: `+49171${digits}`, intruder };
    }

    /** The cancel link of the newest held-change notice to `to` (an e-mail's button or the SMS's URL). */
    const cancelTokenTo = async (to: string) => {
      const message = (await mailsTo(t, to)).find((m) => m.text.includes('/cancel-hold?token='));
      const match = /\/cancel-hold\?token=([A-Za-z0-9_\-.~%]+)/.exec(message?.text ?? '');
      return match?.[1] ? decodeURIComponent(match[1]) : undefined;
    };

    it('a fresh session on a new device: the removal waits 72 hours (202), every channel is told with its own cancel link, the worker applies it', async () => {
      const o = await ownerAndIntruder();
      const held = await o.intruder.del('/api/v1/recovery/email');
      expect(held.status).toBe(202);
      const effectiveAt = t.clock.now() + 72 * HOUR;
      expect(held.body).toEqual({ effectiveAt: new Date(effectiveAt).toISOString() });
      expect(await recovery(o.client)).toMatchObject({ email: { status: 'active', removalAt: new Date(effectiveAt).toISOString() } });
      // Asked again: the same hold, nothing new.
      expect((await o.intruder.del('/api/v1/recovery/email')).body).toEqual({ effectiveAt: new Date(effectiveAt).toISOString() });
      await settle();
      const tokens = [await cancelTokenTo(o.email), await cancelTokenTo(o.address), await cancelTokenTo(o.phone)];
      expect(tokens.every((token) => token !== undefined)).toBe(true);
      expect(new Set(tokens).size).toBe(3);
      expect((await mailsTo(t, o.email)).find((m) => m.text.includes('/cancel-hold?token='))?.text).toContain('Wiederherstellungs-E-Mail-Adresse');
      t.clock.advance(72 * HOUR - MINUTE);
      await housekeeping();
      expect((await recovery(o.client)).email.status).toBe('active');
      t.clock.advance(2 * MINUTE);
      await housekeeping();
      expect((await recovery(o.client)).email).toEqual({ status: 'none' });
      await settle();
      expect((await mailsTo(t, o.address)).some((m) => m.subject.includes('dient nicht mehr'))).toBe(true);
      // The links died with it.
      expect((await apiClient(t.app).post('/api/v1/recovery/held/cancel', { token: tokens[0] })).status).toBe(410);
      const events = (await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', o.accountId).execute()).map((e) => e.type);
      expect(events).toEqual(expect.arrayContaining(['recovery.change_held', 'recovery_email.removed']));
    });

    it('any channel cancels it (the SMS’s link too); the other links are dead then; nothing happens after 72 hours', async () => {
      const o = await ownerAndIntruder();
      expect((await o.intruder.del('/api/v1/recovery/phone')).status).toBe(202);
      expect((await recovery(o.client)).phone.removalAt).toBeDefined();
      await settle();
      const fromSms = await cancelTokenTo(o.phone);
      const fromLogin = await cancelTokenTo(o.email);
      const cancelled = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/recovery/held/cancel', { token: fromSms });
      expect([cancelled.status, cancelled.body]).toEqual([200, { status: 'cancelled' }]);
      expect((await apiClient(t.app).post('/api/v1/recovery/held/cancel', { token: fromLogin })).status).toBe(410);
      expect((await apiClient(t.app).post('/api/v1/recovery/held/cancel', { token: fromSms })).status).toBe(410);
      for (const forged of ['', 'x', 'AAAA.BBBB']) expect([400, 410]).toContain((await apiClient(t.app).post('/api/v1/recovery/held/cancel', { token: forged })).status);
      expect((await recovery(o.client)).phone.removalAt).toBeUndefined();
      t.clock.advance(73 * HOUR);
      await housekeeping();
      expect((await recovery(o.client)).phone.status).toBe('active');
    });

    it('not held: the owner’s first device, and a session older than 24 hours; "Das war ich nicht" ends a held removal', async () => {
      const o = await ownerAndIntruder();
      // The intruder holds a removal; the owner undoes the new-device sign-in from its notice.
      expect((await o.intruder.del('/api/v1/recovery/email')).status).toBe(202);
      const notice = (await mailsTo(t, o.email)).find((m) => m.subject.includes('neuen Gerät'));
      const token = /\/undo\?token=(\S+)/.exec(notice?.text ?? '')?.[1];
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/security/undo', { token: decodeURIComponent(token ?? '') })).body.done).toContain('pending-changes-cancelled');
      t.clock.advance(73 * HOUR);
      await housekeeping();
      const row = await t.database.db.selectFrom('recovery_emails').select('status').where('account_id', '=', o.accountId).execute();
      expect(row).toEqual([{ status: 'active' }]);

      // The first device (the sign-up's browser) removes at once.
      const other = await ownerAndIntruder();
      expect((await other.client.del('/api/v1/recovery/phone')).status).toBe(204);
      // A new device's session after 24 hours removes at once too (the window reopened with the password).
      t.clock.advance(25 * HOUR);
      expect((await other.intruder.post('/api/v1/session/reauthenticate', { password: GOOD_PASSWORD })).status).toBe(200);
      expect((await other.intruder.del('/api/v1/recovery/email')).status).toBe(204);
      expect(await recovery(other.client)).toEqual({ email: { status: 'none' }, phone: { status: 'none' } });
    });
  });
}
