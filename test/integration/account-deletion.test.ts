import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, SECOND } from '../../src/core/clock.js';
import { createHousekeeping } from '../../src/housekeeping.js';
import { apiClient, codeTo as codeToHelper, GOOD_PASSWORD, mailsTo, signedInAccount, uniqueEmail, type ApiClient } from '../helpers/api-client.js';
import { ipSequence, settleOutbox, useTestApp } from '../helpers/test-app.js';
import { confirmRecoveryEmail, undoNewDeviceNotice } from '../helpers/recovery-setup.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Lifeline's own actions under the policy table (docs/security.md): "Konto löschen" needs the password
 * and a verified code of this session; it happens after 7 days, any sign-in before cancels it,
 * the login and recovery addresses are told at the start and at the end, and afterwards the
 * account and its data are gone. Also: the session's verification records (own action names
 * only, this session only, channels the action accepts).
 */
const nextIp = ipSequence('198.32');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: account deletion and Lifeline's own verifications`, () => {
    const t = useTestApp(dialect);

    const settle = () => settleOutbox(t);
    const codeTo = (to: string) => codeToHelper(t, to);

    async function withRecoveryEmail() {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const recovery = uniqueEmail('rec');
      await confirmRecoveryEmail(t, owner.client, recovery);
      return { ...owner, recovery };
    }

    /** A verified record of `action` for this client's session, through the recovery email. */
    async function verified(client: ApiClient, recovery: string, action = 'lifeline.delete-account'): Promise<string> {
      t.clock.advance(2 * MINUTE);
      const started = await client.post('/api/v1/account/verifications', { action });
      expect(started.status).toBe(201);
      const id = String(started.body.id);
      expect((await client.post(`/api/v1/account/verifications/${id}/send`, { channel: 'recovery-email' })).status).toBe(202);
      const checked = await client.post(`/api/v1/account/verifications/${id}/code`, { code: await codeTo(recovery) });
      expect(checked.status, checked.text).toBe(200);
      return id;
    }

    const accountRow = (id: string) => t.database.db.selectFrom('accounts').select(['id', 'deletion_due_at']).where('id', '=', id).executeTakeFirst();
    const kindsTo = async (to: string) => (await mailsTo(t, to)).map((m) => m.subject);

    it('the session’s verifications: Lifeline’s actions only, this session only, the channels the action accepts', async () => {
      const owner = await withRecoveryEmail();
      const refused = await owner.client.post('/api/v1/account/verifications', { action: 'export-data' });
      expect([refused.status, refused.body.code]).toEqual([400, 'validation-failed']);
      const started = await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.change-login-email' });
      expect(started.status).toBe(201);
      // The login email counts from its confirmation, the recovery email from a second ago: for
      // the login-email change only channels confirmed 7 days ago count.
      expect(started.body.channels).toEqual([
        { channel: 'login-email', masked: expect.stringMatching(/^.\*\*\*@/), allowed: false },
        { channel: 'recovery-email', masked: expect.stringMatching(/^.\*\*\*@/), allowed: false },
      ]);
      const id = String(started.body.id);
      // Garbage: a clear 400 for each, nothing sent.
      for (const [path, body] of [
        ['send', { channel: 'fax' }],
        ['send', {}],
        ['code', { code: '' }],
        ['code', { code: 'x'.repeat(40) }],
      ] as const) {
        expect((await owner.client.post(`/api/v1/account/verifications/${id}/${path}`, body)).status, `${path} ${JSON.stringify(body)}`).toBe(400);
      }
      expect((await owner.client.post('/api/v1/account/verifications/short/send', { channel: 'login-email' })).status).toBe(400);
      expect((await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.delete-account', extra: 1 })).status).toBe(400);
      const young = await owner.client.post(`/api/v1/account/verifications/${id}/send`, { channel: 'recovery-email' });
      expect([young.status, young.body.code]).toEqual([422, 'channel-not-available']);
      expect((await owner.client.post(`/api/v1/account/verifications/${id}/send`, { channel: 'recovery-phone' })).status).toBe(422);
      // Another session of the same account, and no session at all: the record does not exist for them.
      const other = apiClient(t.app, { ip: nextIp() });
      expect((await other.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD })).status).toBe(200);
      expect((await other.post(`/api/v1/account/verifications/${id}/send`, { channel: 'login-email' })).status).toBe(404);
      expect((await other.get(`/api/v1/account/verifications/${id}`)).status).toBe(404);
      expect((await owner.client.get(`/api/v1/account/verifications/${id}`)).body).toMatchObject({
        id,
        status: 'pending',
        action: 'lifeline.change-login-email',
      });
      expect((await apiClient(t.app).post(`/api/v1/account/verifications/${id}/send`, { channel: 'login-email' })).status).toBe(401);
      // Without the CSRF token: 403, nothing sent.
      expect((await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.delete-account' }, { 'x-csrf-token': 'wrong' })).status).toBe(403);
      // Deleting the account accepts a young channel (no minimum age).
      const deletion = await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.delete-account' });
      expect((deletion.body.channels as { allowed: boolean }[]).every((c) => c.allowed)).toBe(true);
      // After 7 days the change of the login email accepts both.
      t.clock.advance(7 * DAY);
      const again = apiClient(t.app, { ip: nextIp() });
      await again.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD });
      const later = await again.post('/api/v1/account/verifications', { action: 'lifeline.change-login-email' });
      expect((later.body.channels as { allowed: boolean }[]).map((c) => c.allowed)).toEqual([true, true]);
    });

    it('a host’s wrong codes (10 within the hour: its lock) do not lock the owner’s own verification, nor use up its sends', async () => {
      const owner = await withRecoveryEmail();
      const { key } = await t.services.apiKeys.create(`noisy-${owner.accountId.slice(0, 8)}`);
      const host = apiClient(t.app, { ip: '10.0.0.9' });
      const headers = { authorization: `Bearer ${key}` };
      for (let record = 0; record < 2; record++) {
        t.clock.advance(2 * MINUTE);
        const id = String(
          (await host.post('/api/v1/verifications', { accountId: owner.accountId, action: 'payout', channel: 'recovery-email' }, headers)).body.id,
        );
        for (let i = 0; i < 5; i++) await host.post(`/api/v1/verifications/${id}/code`, { code: '00000000' }, headers);
      }
      t.clock.advance(2 * MINUTE);
      const locked = String((await host.post('/api/v1/verifications', { accountId: owner.accountId, action: 'payout' }, headers)).body.id);
      expect((await host.post(`/api/v1/verifications/${locked}/send`, { channel: 'recovery-email' }, headers)).status).toBe(429);
      // The owner's own: its own purpose, its own lock, its own budget. (The host's mails are
      // delivered first: mails of one delivery round tie in the development mailbox's order.)
      await settle();
      const id = await verified(owner.client, owner.recovery);
      expect((await owner.client.post('/api/v1/account/deletion', { password: GOOD_PASSWORD, verificationId: id })).status).toBe(202);
    });

    it('refusals change nothing: no or a foreign verification, one of another action, unverified, used; a wrong password', async () => {
      const owner = await withRecoveryEmail();
      const del = (body: unknown, client = owner.client) => client.post('/api/v1/account/deletion', body);
      expect((await del({ password: GOOD_PASSWORD })).status).toBe(400);
      expect((await del({ password: GOOD_PASSWORD, verificationId: 'x' })).status).toBe(400);
      expect((await del({ password: GOOD_PASSWORD, verificationId: 'AAAAAAAAAAAAAAAA' })).status).toBe(404);
      // A verified record of the other action (the login-email change, through the login email, confirmed 8 days ago).
      t.clock.advance(8 * DAY);
      const again = apiClient(t.app, { ip: nextIp() });
      await again.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD });
      owner.client = again;
      t.clock.advance(2 * MINUTE);
      const change = String((await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.change-login-email' })).body.id);
      expect((await owner.client.post(`/api/v1/account/verifications/${change}/send`, { channel: 'login-email' })).status).toBe(202);
      expect((await owner.client.post(`/api/v1/account/verifications/${change}/code`, { code: await codeTo(owner.email) })).status).toBe(200);
      expect((await del({ password: GOOD_PASSWORD, verificationId: change })).status).toBe(409);
      // Not verified yet.
      t.clock.advance(2 * MINUTE);
      const pending = String((await owner.client.post('/api/v1/account/verifications', { action: 'lifeline.delete-account' })).body.id);
      expect((await del({ password: GOOD_PASSWORD, verificationId: pending })).status).toBe(409);
      // Another session's verified record.
      const other = apiClient(t.app, { ip: nextIp() });
      await other.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD });
      const foreign = await verified(other, owner.recovery);
      expect((await del({ password: GOOD_PASSWORD, verificationId: foreign })).status).toBe(404);
      // A wrong password: refused before the record is touched, which stays usable.
      const mine = await verified(owner.client, owner.recovery);
      const wrong = await del({ password: 'falsch-falsch-falsch', verificationId: mine });
      expect([wrong.status, wrong.body.code]).toEqual([403, 'wrong-password']);
      expect((await accountRow(owner.accountId))?.deletion_due_at).toBeNull();
      expect((await owner.client.get('/api/v1/session')).status).toBe(200);
      // Expired: 10 minutes after verification.
      t.clock.advance(10 * MINUTE + SECOND);
      expect((await del({ password: GOOD_PASSWORD, verificationId: mine })).status).toBe(410);
      expect((await accountRow(owner.accountId))?.deletion_due_at).toBeNull();
    });

    it('scheduled: every session ends, both addresses are told; a sign-in within 7 days cancels it and says so', async () => {
      const owner = await withRecoveryEmail();
      const other = apiClient(t.app, { ip: nextIp() });
      await other.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD });
      const id = await verified(owner.client, owner.recovery);
      // The code's mail names Lifeline's own action in words, not by its internal name.
      const codeMail = (await mailsTo(t, owner.recovery)).find((m) => m.subject.includes('Ihr Code zur Bestätigung'));
      expect(codeMail?.subject).toBe('Lifeline: Ihr Code zur Bestätigung von „Konto löschen“');
      expect(codeMail?.text).not.toContain('lifeline.delete-account');
      // Lifeline's own actions get the code only: no one-click link an intruder's request could be confirmed with.
      expect(codeMail?.text).not.toContain('/verify-action?token=');
      expect(codeMail?.text).toContain('IP-Adresse');
      const scheduled = await owner.client.post('/api/v1/account/deletion', { password: GOOD_PASSWORD, verificationId: id });
      expect(scheduled.status).toBe(202);
      expect(Date.parse(String(scheduled.body.deleteAt)) - t.clock.now()).toBe(7 * DAY);
      // The verification is used up.
      expect(
        (await t.database.db.selectFrom('action_verifications').select('consumed_at').where('id', '=', id).executeTakeFirst())?.consumed_at,
      ).not.toBeNull();
      expect((await owner.client.get('/api/v1/session')).status).toBe(401);
      expect((await other.get('/api/v1/session')).status).toBe(401);
      await settle();
      for (const to of [owner.email, owner.recovery]) expect((await kindsTo(to)).some((s) => s.includes('wird am') && s.includes('gelöscht'))).toBe(true);
      const events = await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', owner.accountId).execute();
      expect(events.map((e) => e.type)).toContain('account.deletion_scheduled');

      t.clock.advance(6 * DAY);
      const back = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD });
      expect(back.status).toBe(200);
      expect(back.body.deletionCancelled).toBe(true);
      expect((await accountRow(owner.accountId))?.deletion_due_at).toBeNull();
      await settle();
      for (const to of [owner.email, owner.recovery]) expect((await kindsTo(to)).some((s) => s.includes('Löschung Ihres Kontos abgebrochen'))).toBe(true);
      // A later sign-in says nothing of it any more; the housekeeping after the date deletes nothing.
      expect(
        (await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD })).body.deletionCancelled,
      ).toBeUndefined();
      t.clock.advance(2 * DAY);
      await createHousekeeping(t.services).runOnce();
      expect(await accountRow(owner.accountId)).toBeDefined();
    });

    it('an intruder’s "Konto löschen": the owner’s "Das war ich nicht" or a password reset cancels it too (sign-in is blocked after an undo)', async () => {
      for (const way of ['undo', 'reset'] as const) {
        const owner = await withRecoveryEmail();
        const intruder = apiClient(t.app, { ip: nextIp() });
        t.clock.advance(SECOND);
        expect((await intruder.post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD })).status).toBe(200);
        // The intruder also reads the recovery mailbox once (the code), and schedules the deletion.
        const id = await verified(intruder, owner.recovery);
        expect((await intruder.post('/api/v1/account/deletion', { password: GOOD_PASSWORD, verificationId: id })).status).toBe(202);
        expect((await accountRow(owner.accountId))?.deletion_due_at).not.toBeNull();
        if (way === 'undo') {
          const undone = await undoNewDeviceNotice(t, owner.email, nextIp());
          expect(undone.status).toBe(200);
          expect(undone.body.done).toContain('pending-changes-cancelled');
        } else {
          const browser = apiClient(t.app, { ip: nextIp() });
          t.clock.advance(2 * MINUTE);
          expect((await browser.post('/api/v1/password/forgot', { identifier: owner.recovery })).status).toBe(202);
          await t.services.passwordReset.drain();
          expect((await browser.post('/api/v1/password/forgot/verify', { code: await codeTo(owner.recovery) })).status).toBe(200);
          expect((await browser.post('/api/v1/password/reset', { password: 'Ein-ganz-neues-Passwort-8' })).status).toBe(200);
        }
        expect((await accountRow(owner.accountId))?.deletion_due_at).toBeNull();
        await settle();
        expect((await kindsTo(owner.email)).some((subject) => subject.includes('Löschung Ihres Kontos abgebrochen'))).toBe(true);
        t.clock.advance(8 * DAY);
        await createHousekeeping(t.services).runOnce();
        expect(await accountRow(owner.accountId)).toBeDefined();
      }
    });

    it('after 7 days the worker deletes the account and its data, and tells both addresses; the address is free again', async () => {
      const owner = await withRecoveryEmail();
      const id = await verified(owner.client, owner.recovery);
      expect((await owner.client.post('/api/v1/account/deletion', { password: GOOD_PASSWORD, verificationId: id })).status).toBe(202);
      await settle();
      t.clock.advance(7 * DAY - MINUTE);
      await createHousekeeping(t.services).runOnce();
      expect(await accountRow(owner.accountId)).toBeDefined();
      t.clock.advance(2 * MINUTE);
      await createHousekeeping(t.services).runOnce();
      expect(await accountRow(owner.accountId)).toBeUndefined();
      for (const table of ['sessions', 'recovery_emails', 'security_events', 'verification_secrets', 'action_verifications'] as const) {
        const rows = await t.database.db.selectFrom(table).select('account_id').where('account_id', '=', owner.accountId).execute();
        expect(rows, table).toEqual([]);
      }
      await settle();
      for (const to of [owner.email, owner.recovery]) expect((await kindsTo(to))[0]).toBe('Lifeline: Ihr Konto wurde gelöscht');
      const signIn = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: owner.email, password: GOOD_PASSWORD });
      expect([signIn.status, signIn.body.code]).toEqual([401, 'invalid-credentials']);
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: owner.email, password: GOOD_PASSWORD })).status).toBe(202);
      expect((await mailsTo(t, owner.email)).some((m) => m.text.includes('/confirm-email?token='))).toBe(true);
    });
  });
}
