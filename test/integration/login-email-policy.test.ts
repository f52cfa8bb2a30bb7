import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, SECOND } from '../../src/core/clock.js';
import { createHousekeeping } from '../../src/housekeeping.js';
import {
  apiClient,
  changeLoginEmailVerified,
  codeTo,
  GOOD_PASSWORD,
  mailsTo,
  settledAccount,
  signedInAccount,
  tokenIn,
  uniqueEmail,
} from '../helpers/api-client.js';
import { ipSequence, useTestApp } from '../helpers/test-app.js';
import { undoNewDeviceNotice } from '../helpers/recovery-setup.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Changing the login email under the policy table (docs/security.md): with a channel confirmed at least 7
 * days ago the password and a verified code of this session; with none, the password and a
 * 7-day wait that the old address can cancel (it hears of it at once); either way the old
 * address gets an undo link that lives 30 days.
 */
const nextIp = ipSequence('198.33');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: the login-email change under the policy table`, () => {
    const t = useTestApp(dialect);
    const housekeeping = () => createHousekeeping(t.services).runOnce();
    const loginOf = async (id: string) =>
      await t.database.db.selectFrom('accounts').select(['email', 'pending_email', 'email_change_due_at']).where('id', '=', id).executeTakeFirstOrThrow();

    it('a settled channel: 403 verification-required without a code; a record of another action, of another session, unverified or used is refused', async () => {
      const owner = await settledAccount(t, { ip: nextIp() });
      const newEmail = uniqueEmail('policy');
      const ask = (body: Record<string, unknown>, client = owner.client) =>
        client.post('/api/v1/account/email', { newEmail, password: owner.password, ...body });
      expect((await ask({})).body.code).toBe('verification-required');
      // A verified record of another action.
      t.clock.advance(2 * MINUTE);
      const other = String((await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.delete-account' })).body.id);
      await owner.client.post(`/api/v1/account/verifications/${other}/send`, { channel: 'login-email' });
      expect((await owner.client.post(`/api/v1/account/verifications/${other}/code`, { code: await codeTo(t, owner.email) })).status).toBe(200);
      expect((await ask({ verificationId: other })).status).toBe(409);
      // Not verified yet.
      const pending = String((await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.change-login-email' })).body.id);
      expect((await ask({ verificationId: pending })).status).toBe(409);
      // Another session's verified record.
      const second = apiClient(t.app, { ip: nextIp() });
      await second.post('/api/v1/login', { email: owner.email, password: owner.password });
      expect((await changeLoginEmailVerified(t, second, owner.email, { newEmail: uniqueEmail('second'), password: owner.password })).status).toBe(202);
      t.clock.advance(2 * MINUTE);
      const theirs = String((await second.post('/api/v1/account/verifications', { action: 'lifeline.change-login-email' })).body.id);
      await second.post(`/api/v1/account/verifications/${theirs}/send`, { channel: 'login-email' });
      expect((await second.post(`/api/v1/account/verifications/${theirs}/code`, { code: await codeTo(t, owner.email) })).status).toBe(200);
      expect((await ask({ verificationId: theirs })).status).toBe(404);
      // Used: the second change with the same record.
      expect((await ask({ verificationId: theirs }, second)).status).toBe(202);
      expect((await ask({ verificationId: theirs }, second)).status).toBe(409);
      expect((await loginOf(owner.accountId)).email).toBe(owner.email);
    });

    it('no settled channel: the change waits 7 days after the request; the old address is told at once; the worker applies it', async () => {
      const requesterIp = nextIp();
      const owner = await signedInAccount(t, { ip: requesterIp });
      const newEmail = uniqueEmail('waits');
      const requestedAt = t.clock.now();
      const accepted = await owner.client.post('/api/v1/account/email', { newEmail, password: owner.password });
      expect([accepted.status, accepted.body]).toEqual([202, { status: 'accepted', effectiveAt: new Date(requestedAt + 7 * DAY).toISOString() }]);
      const waiting = (await mailsTo(t, owner.email)).find((m) => m.subject.includes('soll geändert werden'));
      expect(waiting?.text).toContain(newEmail);
      expect(waiting?.text).toContain('/cancel-email-change?token=');
      const link = tokenIn((await mailsTo(t, newEmail)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
      t.clock.advance(MINUTE);
      const confirmed = await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({ email: owner.email, emailVerified: true, effectiveAt: new Date(requestedAt + 7 * DAY).toISOString() });
      expect(await loginOf(owner.accountId)).toEqual({ email: owner.email, pending_email: newEmail, email_change_due_at: requestedAt + 7 * DAY });
      // The profile shows the waiting change.
      expect((await owner.client.get('/api/v1/session')).body.account).toMatchObject({
        email: owner.email,
        pendingEmail: { email: newEmail, effectiveAt: new Date(requestedAt + 7 * DAY).toISOString() },
      });
      // Until then the old address signs in, the new one does not.
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD })).status).toBe(200);
      t.clock.advance(7 * DAY - 2 * MINUTE);
      await housekeeping();
      expect((await loginOf(owner.accountId)).email).toBe(owner.email);
      t.clock.advance(2 * MINUTE);
      await housekeeping();
      expect(await loginOf(owner.accountId)).toEqual({ email: newEmail, pending_email: null, email_change_due_at: null });
      const told = (await mailsTo(t, owner.email)).find((m) => m.subject.includes('E-Mail-Adresse für die Anmeldung wurde geändert'));
      expect(told?.text).toContain(newEmail);
      // It names the device that asked 7 days ago, not the worker's "unknown".
      expect(told?.text).toContain(`IP-Adresse: ${requesterIp}`);
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: newEmail, password: GOOD_PASSWORD })).status).toBe(200);
      const events = (await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', owner.accountId).execute()).map((e) => e.type);
      expect(events).toEqual(expect.arrayContaining(['login_email.change_requested', 'login_email.change_scheduled', 'login_email.changed']));
    });

    it('the old address cancels a waiting change, before or after the new one confirmed; the link works once', async () => {
      for (const confirmFirst of [false, true]) {
        const owner = await signedInAccount(t, { ip: nextIp() });
        const newEmail = uniqueEmail('cancelled');
        expect((await owner.client.post('/api/v1/account/email', { newEmail, password: owner.password })).status).toBe(202);
        const cancel = tokenIn((await mailsTo(t, owner.email)).find((m) => m.text.includes('/cancel-email-change?token='))?.text);
        const link = tokenIn((await mailsTo(t, newEmail)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
        if (confirmFirst) expect((await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link })).status).toBe(200);
        const cancelled = await apiClient(t.app).post('/api/v1/account/email/cancel', { token: cancel });
        expect([cancelled.status, cancelled.body]).toEqual([200, { status: 'cancelled' }]);
        expect((await apiClient(t.app).post('/api/v1/account/email/cancel', { token: cancel })).status).toBe(410);
        if (!confirmFirst) expect((await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link })).status).toBe(400);
        t.clock.advance(8 * DAY);
        await housekeeping();
        expect(await loginOf(owner.accountId)).toEqual({ email: owner.email, pending_email: null, email_change_due_at: null });
      }
      for (const forged of ['', 'x', 'AAAA.BBBB'])
        expect([400, 410]).toContain((await apiClient(t.app).post('/api/v1/account/email/cancel', { token: forged })).status);
    });

    it('an intruder’s waiting change: "Das war ich nicht" drops it, and so does a password reset; nothing applies later', async () => {
      for (const way of ['undo', 'reset'] as const) {
        const owner = await signedInAccount(t, { ip: nextIp() });
        // The intruder signs in on another device with the stolen password and asks for its own address.
        const intruder = apiClient(t.app, { ip: nextIp() });
        t.clock.advance(SECOND);
        expect((await intruder.post('/api/v1/login', { email: owner.email, password: owner.password })).status).toBe(200);
        const evil = uniqueEmail('intruder');
        expect((await intruder.post('/api/v1/account/email', { newEmail: evil, password: owner.password })).status).toBe(202);
        const link = tokenIn((await mailsTo(t, evil)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
        expect((await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link })).status).toBe(200);
        expect((await loginOf(owner.accountId)).pending_email).toBe(evil);
        if (way === 'undo') {
          const undone = await undoNewDeviceNotice(t, owner.email, nextIp());
          expect(undone.status).toBe(200);
          expect(undone.body.done).toContain('pending-changes-cancelled');
        } else {
          const browser = apiClient(t.app, { ip: nextIp() });
          t.clock.advance(SECOND);
          expect((await browser.post('/api/v1/password/forgot', { identifier: owner.email })).status).toBe(202);
          await t.services.passwordReset.drain();
          expect((await browser.post('/api/v1/password/forgot/verify', { code: await codeTo(t, owner.email) })).status).toBe(200);
          expect((await browser.post('/api/v1/password/reset', { password: 'Ein-ganz-neues-Passwort-7' })).status).toBe(200);
        }
        expect(await loginOf(owner.accountId)).toEqual({ email: owner.email, pending_email: null, email_change_due_at: null });
        t.clock.advance(8 * DAY);
        await housekeeping();
        expect((await loginOf(owner.accountId)).email).toBe(owner.email);
      }
    });

    it('the address is taken by another account before the wait is over: the change is dropped, nothing breaks', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const contested = uniqueEmail('contested');
      expect((await owner.client.post('/api/v1/account/email', { newEmail: contested, password: owner.password })).status).toBe(202);
      const link = tokenIn((await mailsTo(t, contested)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
      expect((await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link })).status).toBe(200);
      // Someone signs up with the address and confirms it meanwhile.
      const signup = apiClient(t.app, { ip: nextIp() });
      t.clock.advance(SECOND);
      await signup.post('/api/v1/signup', { email: contested, password: GOOD_PASSWORD });
      const confirmLink = tokenIn((await mailsTo(t, contested)).find((m) => m.text.includes('/confirm-email?token='))?.text);
      expect((await signup.post('/api/v1/signup/confirm', { token: confirmLink })).status).toBe(200);
      t.clock.advance(8 * DAY);
      await housekeeping();
      expect(await loginOf(owner.accountId)).toEqual({ email: owner.email, pending_email: null, email_change_due_at: null });
    });
  });
}
