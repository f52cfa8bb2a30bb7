import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/core/clock.js';
import { apiClient, changeLoginEmailVerified, mailsTo, settledAccount, tokenIn, uniqueEmail } from '../helpers/api-client.js';
import { ipSequence, useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Every security event of docs/reference/product.md §4, one after the other on one English account with a
 * confirmed recovery email: the right recipients and only those, the account's language, one
 * log row (docs/reference/security-requirements.md 6.7). The sign-in throttle notice has its own test
 * (password-throttle.test.ts), the undo links theirs (security-undo.test.ts).
 */
const nextIp = ipSequence('198.24');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: who hears of what (security notices)`, () => {
    const t = useTestApp(dialect);

    it('walks every event: recipients, language and log row', async () => {
      // Settled (login email confirmed 8 days ago): the login-email change then verifies with a code to it.
      const owner = await settledAccount(t, { ip: nextIp(), locale: 'en' });
      const recovery = uniqueEmail('rec');
      let login = owner.email;
      let password = owner.password;

      /** Runs `action` and answers the notices it enqueued (kind → recipients) and the log rows it wrote. */
      async function during(action: () => Promise<unknown>): Promise<{ notices: Map<string, string[]>; events: string[]; locales: Set<string> }> {
        t.clock.advance(SECOND);
        const since = t.clock.now();
        await action();
        const rows = await t.database.db
          .selectFrom('outbox_messages')
          .select(['kind', 'recipient', 'locale', 'channel'])
          .where('created_at', '>=', since)
          .execute();
        const notices = new Map<string, string[]>();
        for (const row of rows) notices.set(row.kind, [...(notices.get(row.kind) ?? []), row.recipient.toLowerCase()].sort());
        const events = (
          await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', owner.accountId).where('created_at', '>=', since).execute()
        ).map((e) => e.type);
        return { notices, events, locales: new Set(rows.map((row) => row.locale)) };
      }
      const both = () => [login.toLowerCase(), recovery.toLowerCase()].sort();

      // Recovery email added: the login email and the new address (it is active now).
      t.clock.advance(SECOND);
      await owner.client.put('/api/v1/recovery/email', { address: recovery });
      const link = tokenIn((await mailsTo(t, recovery)).find((m) => m.text.includes('/confirm-recovery-email?token='))?.text);
      const added = await during(() => apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: link }));
      expect(added.notices.get('recovery.email-added')).toEqual(both());
      expect(added.events).toEqual(['recovery_email.added']);
      expect(added.locales).toEqual(new Set(['en']));

      // A sign-in from a new device.
      const other = apiClient(t.app, { ip: nextIp() });
      const device = await during(() => other.post('/api/v1/login', { email: login, password }));
      expect([...device.notices.keys()]).toEqual(['account.new-device-signin']);
      expect(device.notices.get('account.new-device-signin')).toEqual(both());
      expect(device.events).toEqual(['session.signed_in_new_device']);

      // All other sessions signed out.
      const signedOut = await during(() => owner.client.del('/api/v1/sessions/others'));
      expect(signedOut.notices.get('account.sessions-revoked')).toEqual(both());
      expect(signedOut.events).toEqual(['session.revoked_others']);

      // The password changed.
      const newPassword = 'Ein-neues-Passwort-fuer-alle-8';
      const changed = await during(() => owner.client.put('/api/v1/account/password', { currentPassword: password, newPassword }));
      password = newPassword;
      expect(changed.notices.get('account.password-changed')).toEqual(both());
      expect(changed.events.sort()).toEqual(['password.changed', 'sessions.revoked_by_password_change']);

      // The recovery phone added, changed, deactivated: the emails hear of it (the old number by SMS).
      const first = `+49171${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`;
      const second = `+49172${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`;
      const confirmPhone = async (number: string) => {
        t.clock.advance(61 * SECOND);
        await owner.client.put('/api/v1/recovery/phone', { number, password });
        const code = (await mailsTo(t, number))[0]?.text.split('\n').find((line) => /^\d{6}$/.test(line));
        return during(() => owner.client.post('/api/v1/recovery/phone/confirm', { code }));
      };
      const phoneAdded = await confirmPhone(first);
      expect(phoneAdded.notices.get('recovery.phone-added')).toEqual(both());
      expect(phoneAdded.events).toEqual(['recovery_phone.added']);
      const phoneChanged = await confirmPhone(second);
      expect(phoneChanged.notices.get('recovery.phone-changed')).toEqual(both());
      expect(phoneChanged.notices.get('recovery.phone-replaced-sms')).toEqual([first]);
      expect(phoneChanged.events).toEqual(['recovery_phone.changed']);
      await owner.client.post('/api/v1/session/reauthenticate', { password });
      const phoneRemoved = await during(() => owner.client.del('/api/v1/recovery/phone'));
      expect(phoneRemoved.notices.get('recovery.phone-removed')).toEqual(both());
      expect(phoneRemoved.notices.get('recovery.phone-removed-sms')).toEqual([second]);
      expect(phoneRemoved.events).toEqual(['recovery_phone.removed']);

      // The recovery email changed: the login email and the new address; the old one is told apart.
      const newRecovery = uniqueEmail('rec2');
      t.clock.advance(61 * SECOND);
      await owner.client.put('/api/v1/recovery/email', { address: newRecovery, password });
      const link2 = tokenIn((await mailsTo(t, newRecovery)).find((m) => m.text.includes('/confirm-recovery-email?token='))?.text);
      const recoveryChanged = await during(() => apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: link2 }));
      expect(recoveryChanged.notices.get('recovery.email-changed')).toEqual([login.toLowerCase(), newRecovery.toLowerCase()].sort());
      expect(recoveryChanged.notices.get('recovery.email-replaced')).toEqual([recovery.toLowerCase()]);
      expect(recoveryChanged.events).toEqual(['recovery_email.changed']);

      // The login email changed: the new login email and the recovery email, the old address apart.
      const newLogin = uniqueEmail('login2');
      // The policy table: a code to the login email (confirmed 8 days before, see the start) verifies it.
      expect((await changeLoginEmailVerified(t, owner.client, login, { newEmail: newLogin, password })).status).toBe(202);
      const link3 = tokenIn((await mailsTo(t, newLogin)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
      const loginChanged = await during(() => apiClient(t.app).post('/api/v1/account/email/confirm', { token: link3 }));
      expect(loginChanged.notices.get('account.login-email-changed-notice')).toEqual([newLogin.toLowerCase(), newRecovery.toLowerCase()].sort());
      expect(loginChanged.notices.get('account.login-email-changed')).toEqual([login.toLowerCase()]);
      expect(loginChanged.events).toEqual(['login_email.changed']);
      const oldLogin = login;
      login = newLogin;

      // The recovery email removed: the login email and the removed address.
      await owner.client.post('/api/v1/session/reauthenticate', { password });
      const recoveryRemoved = await during(() => owner.client.del('/api/v1/recovery/email'));
      expect(recoveryRemoved.notices.get('recovery.email-removed')).toEqual([login.toLowerCase()]);
      expect(recoveryRemoved.notices.get('recovery.email-removed-notice')).toEqual([newRecovery.toLowerCase()]);
      expect(recoveryRemoved.events).toEqual(['recovery_email.removed']);

      // The password reset through recovery: every channel the account has now (the login email).
      const browser = apiClient(t.app, { ip: nextIp() });
      await browser.post('/api/v1/password/forgot', { identifier: login });
      await t.services.passwordReset.drain();
      const code = (await mailsTo(t, login))
        .find((m) => m.text.includes('/reset-password?token='))
        ?.text.split('\n')
        .find((line) => /^[0-9A-Z]{8}$/.test(line.trim()));
      await browser.post('/api/v1/password/forgot/verify', { code });
      const reset = await during(() => browser.post('/api/v1/password/reset', { password: 'Zurueckgesetzt-und-sicher-9' }));
      expect(reset.notices.get('account.password-reset')).toEqual([login.toLowerCase()]);
      expect(reset.events.sort()).toEqual(['password.reset', 'sessions.revoked_by_password_reset']);

      // Every notice in English, the account's language; nothing ever to the pending or old login email after the change.
      const all = await t.database.db.selectFrom('outbox_messages').select(['locale', 'recipient', 'kind']).where('account_id', '=', owner.accountId).execute();
      expect(new Set(all.filter((m) => m.kind !== 'account.signup-confirmation').map((m) => m.locale))).toEqual(new Set(['en']));
      expect(all.filter((m) => m.recipient.toLowerCase() === oldLogin.toLowerCase() && m.kind === 'account.password-reset')).toEqual([]);
    });
  });
}
