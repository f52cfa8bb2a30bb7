import { describe, expect, it } from 'vitest';
import { DAY, HOUR, SECOND } from '../../src/core/clock.js';
import { apiClient, changeLoginEmailVerified, GOOD_PASSWORD, mailsTo, signedInAccount, tokenIn, uniqueEmail, type ApiClient } from '../helpers/api-client.js';
import { ipSequence, settleOutbox, type TestApp, useTestApp } from '../helpers/test-app.js';
import { confirmRecoveryEmail, germanMobile } from '../helpers/recovery-setup.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Security notices and "Das war ich nicht" (docs/reference/product.md §4; docs/reference/security-requirements.md 6.6, 6.7).
 * An attacker here is a second browser signed in with the owner's password (stolen): what it
 * changes, the owner undoes from the notice's link. On SQLite and PostgreSQL.
 */
const nextIp = ipSequence('198.23');
const EVIL_UA = 'Mozilla/5.0 <script>alert("x")</script> (X11; Linux x86_64) Firefox/133.0';

type Account = Awaited<ReturnType<typeof signedInAccount>>;

/** The "Das war ich nicht" token in the newest mail to `to` whose subject contains `subject`. */
async function undoTokenIn(t: TestApp, to: string, subject: string): Promise<string | undefined> {
  const mail = (await mailsTo(t, to)).find((m) => m.subject.includes(subject));
  const match = /\/undo\?token=([A-Za-z0-9_\-.~%]+)/.exec(mail?.text ?? '');
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: security notices and "Das war ich nicht"`, () => {
    const t = useTestApp(dialect);

    const signIn = (email: string, password: string, options: { userAgent?: string } = {}) => {
      const client = apiClient(t.app, { ip: nextIp(), ...options });
      return client.post('/api/v1/login', { email, password }).then((response) => ({ client, response }));
    };
    /** Delivers what is queued and moves the clock on, so that "the newest mail" is well defined. */
    const settle = () => settleOutbox(t);
    const undo = (token: string | undefined) => apiClient(t.app, { ip: nextIp() }).post('/api/v1/security/undo', { token });
    const recoveryRows = (accountId: string) =>
      t.database.db.selectFrom('recovery_emails').select(['address', 'status']).where('account_id', '=', accountId).execute();
    const phoneRows = (accountId: string) =>
      t.database.db.selectFrom('recovery_phones').select(['number_e164', 'status']).where('account_id', '=', accountId).execute();

    async function confirmPhone(client: ApiClient, number: ReturnType<typeof germanMobile>): Promise<void> {
      t.clock.advance(2 * 60 * SECOND);
      expect((await client.put('/api/v1/recovery/phone', { number: number.typed, password: GOOD_PASSWORD })).status).toBe(202);
      const code = (await mailsTo(t, number.e164))[0]?.text.split('\n').find((line) => /^\d{6}$/.test(line));
      expect((await client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(200);
      await settle();
    }

    /**
     * The attacker's browser, signed in with the stolen password more than HOLD_NEW_DEVICE_DAYS
     * (7) ago and kept alive: its recovery changes take effect at once, and what it adds settles
     * only 7 days after. (A device newer than that has them held for 72 hours:
     * test/integration/channel-hold.test.ts and takeover.test.ts.) The owner's session is kept
     * alive too.
     */
    async function attackerIn(owner: Account): Promise<ApiClient> {
      const { client } = await signIn(owner.email, owner.password);
      t.clock.advance(6 * DAY);
      expect((await client.get('/api/v1/session')).status).toBe(200);
      expect((await owner.client.get('/api/v1/session')).status).toBe(200);
      t.clock.advance(DAY + HOUR);
      expect((await client.post('/api/v1/session/reauthenticate', { password: owner.password })).status).toBe(200);
      return client;
    }

    /** An owner whose recovery email has been active for 8 days, signed in afresh (sessions idle out after 7). */
    async function settledOwner(): Promise<Account & { recovery: string }> {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const recovery = uniqueEmail('owner-rec');
      await confirmRecoveryEmail(t, owner.client, recovery);
      t.clock.advance(8 * DAY);
      // The same browser: a new device's fresh session would have its removals held (the 72-hour hold).
      expect((await owner.client.post('/api/v1/login', { email: owner.email, password: owner.password })).status).toBe(200);
      await settle();
      return { ...owner, recovery };
    }

    it('a recovery email replaced by an attacker: the owner’s undo restores the original, drops the attacker’s, signs everyone out and blocks sign-in until a reset', async () => {
      const owner = await settledOwner();
      const attacker = await attackerIn(owner);
      const evil = uniqueEmail('attacker');
      await confirmRecoveryEmail(t, attacker, evil);

      // Recipients: the login email and the new address get "changed", the replaced one "replaced".
      expect((await mailsTo(t, owner.email)).some((m) => m.subject.includes('geändert'))).toBe(true);
      // The attacker's fresh address gets no undo link; the login email and the settled old address do.
      expect(await undoTokenIn(t, evil, 'geändert')).toBeUndefined();
      const fromLogin = await undoTokenIn(t, owner.email, 'Wiederherstellungs-E-Mail geändert');
      expect(fromLogin).toBeDefined();
      expect(await undoTokenIn(t, owner.recovery, 'dient nicht mehr')).toBeDefined();
      // The link in the mail goes to PUBLIC_URL; its page changes nothing on GET.
      const page = await t.app.inject({ method: 'GET', url: `/undo?token=${encodeURIComponent(fromLogin ?? '')}`, headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');

      const done = await undo(fromLogin);
      expect(done.status).toBe(200);
      // The old address's link of the same event dies with it ("later-links-invalidated"); the
      // attacker's address was not settled before the event: it goes, and the answer names it.
      expect(done.body.done).toEqual([
        'recovery-email-removed',
        'recovery-email-restored',
        'signed-out-everywhere',
        'later-links-invalidated',
        'sign-in-blocked',
      ]);
      expect(done.body.removed).toEqual([{ channel: 'recovery-email', address: evil }]);
      expect((await undo(await undoTokenIn(t, owner.recovery, 'dient nicht mehr'))).status).toBe(410);
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: owner.recovery, status: 'active' }]);
      expect((await owner.client.get('/api/v1/session')).status).toBe(401);
      expect((await attacker.get('/api/v1/session')).status).toBe(401);
      expect((await signIn(owner.email, owner.password)).response.body.code).toBe('password-reset-required');
      // Told what was done, with the way to a new password; the log has the row.
      const secured = (await mailsTo(t, owner.email)).find((m) => m.subject === 'Lifeline: Ihr Konto wurde gesichert');
      expect(secured?.text).toContain('Die vorherige Wiederherstellungs-E-Mail-Adresse ist wieder aktiv.');
      expect(secured?.text).toContain(`Entfernt: ${evil}.`);
      // The restored address counts as new: not settled (no undo links to it for 7 days).
      const restored = await t.database.db
        .selectFrom('recovery_emails')
        .select(['confirmed_at', 'settled_at'])
        .where('account_id', '=', owner.accountId)
        .executeTakeFirst();
      expect(restored?.confirmed_at).toBe(t.clock.now());
      expect(restored?.settled_at).toBe(t.clock.now() + 7 * DAY);
      expect(secured?.text).toContain('/forgot-password');
      const types = (await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', owner.accountId).execute()).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['recovery_email.changed', 'security.undone']));
      // Used once: the same link again, nothing changes.
      expect((await undo(fromLogin)).status).toBe(410);
      // The way back: forgot password through the login email.
      const browser = apiClient(t.app, { ip: nextIp() });
      await browser.post('/api/v1/password/forgot', { identifier: owner.email });
      await t.services.passwordReset.drain();
      const code = (await mailsTo(t, owner.email))
        .find((m) => m.text.includes('/reset-password?token='))
        ?.text.split('\n')
        .find((line) => /^[0-9A-Z]{8}$/.test(line.trim()));
      expect((await browser.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
      expect((await browser.post('/api/v1/password/reset', { password: 'Zurueck-im-eigenen-Konto-1' })).status).toBe(200);
      expect((await signIn(owner.email, 'Zurueck-im-eigenen-Konto-1')).response.status).toBe(200);
      // The restored address survives that reset (a reset removes channels that are not settled,
      // but not one an undo put back: it was the owner's before the trouble).
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: owner.recovery, status: 'active' }]);
    });

    it('the page can name the change before acting: a read of the link uses nothing up, a dead or forged one is 410', async () => {
      const owner = await settledOwner();
      await owner.client.put('/api/v1/account/password', { currentPassword: owner.password, newPassword: 'Neues-Passwort-Drei-3' });
      await settle();
      const token = await undoTokenIn(t, owner.email, 'Passwort wurde geändert');
      const read = (value: string) => apiClient(t.app, { ip: nextIp() }).get(`/api/v1/security/undo?token=${encodeURIComponent(value)}`);
      for (let i = 0; i < 3; i++) {
        const preview = await read(token ?? '');
        expect(preview.status).toBe(200);
        expect(preview.body.type).toBe('password.changed');
      }
      expect((await owner.client.get('/api/v1/session')).status).toBe(200);
      expect((await read(`${token?.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(410);
      expect((await read('x'.repeat(300))).status).toBe(400);
      expect((await undo(token)).status).toBe(200);
      expect((await read(token ?? '')).body.code).toBe('link-expired');
    });

    it('a recovery phone replaced by an attacker: the undo restores the original number', async () => {
      const owner = await settledOwner();
      const original = germanMobile();
      await confirmPhone(owner.client, original);
      const attacker = await attackerIn(owner);
      const evil = germanMobile();
      await confirmPhone(attacker, evil);
      const token = await undoTokenIn(t, owner.email, 'Telefonnummer');
      const done = await undo(token);
      expect(done.status).toBe(200);
      expect(done.body.done).toContain('recovery-phone-restored');
      expect(await phoneRows(owner.accountId)).toEqual([{ number_e164: original.e164, status: 'active' }]);
    });

    it('a password changed by an attacker: every session ends and sign-in is blocked, with the new password too', async () => {
      const owner = await settledOwner();
      const attacker = (await signIn(owner.email, owner.password)).client;
      expect((await attacker.put('/api/v1/account/password', { currentPassword: owner.password, newPassword: 'Angreifer-Passwort-123' })).status).toBe(200);
      await settle();
      const token = await undoTokenIn(t, owner.email, 'Passwort wurde geändert');
      // The settled recovery address got a link too.
      expect(await undoTokenIn(t, owner.recovery, 'Passwort wurde geändert')).toBeDefined();
      expect((await undo(token)).status).toBe(200);
      expect((await attacker.get('/api/v1/session')).status).toBe(401);
      expect((await signIn(owner.email, 'Angreifer-Passwort-123')).response.body.code).toBe('password-reset-required');
    });

    it('a login email changed by an attacker: the old address (7 days settled) undoes it, for 30 days; the new login email gets the notice without a link', async () => {
      const owner = await settledOwner();
      const attacker = (await signIn(owner.email, owner.password)).client;
      const evil = uniqueEmail('attacker-login');
      // The policy table asks a code too: this attacker has the password and, once, the mailbox's code.
      expect((await changeLoginEmailVerified(t, attacker, owner.email, { newEmail: evil, password: owner.password })).status).toBe(202);
      const link = tokenIn((await mailsTo(t, evil)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
      expect((await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link })).status).toBe(200);
      await settle();
      expect((await mailsTo(t, evil)).some((m) => m.subject === 'Lifeline: E-Mail-Adresse für die Anmeldung geändert')).toBe(true);
      expect(await undoTokenIn(t, evil, 'für die Anmeldung geändert')).toBeUndefined();
      expect(await undoTokenIn(t, owner.recovery, 'für die Anmeldung geändert')).toBeDefined();
      const fromOld = await undoTokenIn(t, owner.email, 'Ihre E-Mail-Adresse für die Anmeldung wurde geändert');
      const fromRecovery = await undoTokenIn(t, owner.recovery, 'für die Anmeldung geändert');
      // The old address may notice late: its link lives 30 days, a notice's usual one 7.
      expect((await mailsTo(t, owner.email)).find((m) => m.subject.includes('Ihre E-Mail-Adresse für die Anmeldung wurde geändert'))?.text).toContain(
        'Der Link ist 30 Tage gültig.',
      );
      t.clock.advance(20 * DAY);
      const preview = (token: string | undefined) => apiClient(t.app, { ip: nextIp() }).get(`/api/v1/security/undo?token=${encodeURIComponent(token ?? '')}`);
      expect((await preview(fromRecovery)).status).toBe(410);
      expect((await preview(fromOld)).status).toBe(200);
      const done = await undo(fromOld);
      expect(done.status).toBe(200);
      expect(done.body.done).toContain('login-email-restored');
      const account = await t.database.db
        .selectFrom('accounts')
        .select(['email', 'password_reset_required'])
        .where('id', '=', owner.accountId)
        .executeTakeFirst();
      expect(account).toEqual({ email: owner.email, password_reset_required: 1 });
      expect((await signIn(evil, owner.password)).response.status).toBe(401);
      expect((await signIn(owner.email, owner.password)).response.body.code).toBe('password-reset-required');
    });

    it('"Das war ich nicht" from the profile’s list never works with the password alone (the intruder knows it): there is no such route, nothing changes', async () => {
      const owner = await settledOwner();
      const attacker = await attackerIn(owner);
      const evil = uniqueEmail('attacker');
      await confirmRecoveryEmail(t, attacker, evil);
      type Item = { id: string; type: string; undoable: boolean };
      // The intruder, still signed in, finds the owner's events in the list…
      const items = ((await attacker.get('/api/v1/security-log')).body.items as Item[]) ?? [];
      const changed = items.find((i) => i.type === 'recovery_email.changed');
      expect(changed?.undoable).toBe(true);
      // …but the password does not undo one: the only way is the link to the login email.
      for (const client of [attacker, owner.client]) {
        const response = await client.post(`/api/v1/security-log/${String(changed?.id)}/undo`, { password: owner.password });
        expect(response.status).toBe(404);
      }
      expect((await attacker.get('/api/v1/session')).status).toBe(200);
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: evil, status: 'active' }]);
      expect((await undo(await undoTokenIn(t, owner.email, 'Wiederherstellungs-E-Mail geändert'))).status).toBe(200);
    });

    it('"Das war ich nicht" from the list without the password: a fresh link to the login email only, in place of the mailed one and ending when it would', async () => {
      const owner = await settledOwner();
      const attacker = await attackerIn(owner);
      const evil = uniqueEmail('attacker');
      await confirmRecoveryEmail(t, attacker, evil);
      const mailed = await undoTokenIn(t, owner.email, 'Wiederherstellungs-E-Mail geändert');
      t.clock.advance(2 * DAY);
      type Item = { id: string; type: string; undoable: boolean };
      const items = ((await owner.client.get('/api/v1/security-log')).body.items as Item[]) ?? [];
      const changed = items.find((i) => i.type === 'recovery_email.changed');
      const notUndoable = items.find((i) => !i.undoable);
      const sendLink = (client: ApiClient, id: string | undefined) => client.post(`/api/v1/security-log/${String(id)}/undo-link`, {});
      // Without a session, for another account's event, for an event without a live link: nothing is sent.
      expect((await sendLink(apiClient(t.app, { ip: nextIp() }), changed?.id)).status).toBe(401);
      const stranger = await signedInAccount(t, { ip: nextIp() });
      expect((await sendLink(stranger.client, changed?.id)).status).toBe(404);
      expect((await sendLink(owner.client, notUndoable?.id)).status).toBe(404);
      expect((await sendLink(owner.client, 'x'.repeat(100))).status).toBe(400);

      const sent = await sendLink(owner.client, changed?.id);
      expect(sent.status).toBe(202);
      expect(sent.body).toEqual({ sentTo: `${owner.email.slice(0, 1)}***${owner.email.slice(owner.email.indexOf('@'))}` });
      await settle();
      const fresh = await undoTokenIn(t, owner.email, 'Ihr Link „Das war ich nicht“');
      expect(fresh).toBeDefined();
      // Only the login email: neither recovery address (one of them the attacker's) gets it.
      for (const address of [evil, owner.recovery]) expect((await mailsTo(t, address)).some((m) => m.subject.includes('Das war ich nicht'))).toBe(false);
      // The mailed link is replaced: it changes nothing now.
      expect((await undo(mailed)).body.code).toBe('link-expired');
      expect((await owner.client.get('/api/v1/session')).status).toBe(200);
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: evil, status: 'active' }]);

      // Sent again (the mail got lost): the previous fresh link dies too. 5 tries an hour (the
      // 404 above was one), then 429.
      let newest: string | undefined;
      for (let i = 0; i < 3; i++) {
        expect((await sendLink(owner.client, changed?.id)).status).toBe(202);
        await settle();
        newest = await undoTokenIn(t, owner.email, 'Ihr Link „Das war ich nicht“');
      }
      expect(newest).not.toBe(fresh);
      const preview = (token: string | undefined) => apiClient(t.app, { ip: nextIp() }).get(`/api/v1/security/undo?token=${encodeURIComponent(token ?? '')}`);
      expect((await preview(fresh)).status).toBe(410);
      const limited = await sendLink(owner.client, changed?.id);
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('rate-limited');
      // It ends when the notice's link would have: 7 days after the event, not 7 days after the request.
      t.clock.advance(5 * DAY - 60 * SECOND - 10 * SECOND);
      expect((await preview(newest)).status).toBe(200);
      t.clock.advance(2 * 60 * SECOND);
      expect((await preview(newest)).status).toBe(410);
      expect((await undo(newest)).body.code).toBe('link-expired');
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: evil, status: 'active' }]);
    });

    it('the link sent from the list secures the account like the notice’s', async () => {
      const owner = await settledOwner();
      const attacker = await attackerIn(owner);
      await confirmRecoveryEmail(t, attacker, uniqueEmail('attacker'));
      type Item = { id: string; type: string; undoable: boolean };
      const changed = ((await owner.client.get('/api/v1/security-log')).body.items as Item[]).find((i) => i.type === 'recovery_email.changed');
      expect((await owner.client.post(`/api/v1/security-log/${String(changed?.id)}/undo-link`, {})).status).toBe(202);
      await settle();
      const done = await undo(await undoTokenIn(t, owner.email, 'Ihr Link „Das war ich nicht“'));
      expect(done.status).toBe(200);
      expect(done.body.done).toContain('recovery-email-restored');
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: owner.recovery, status: 'active' }]);
      expect((await owner.client.get('/api/v1/session')).status).toBe(401);
      expect((await attacker.get('/api/v1/session')).status).toBe(401);
      expect((await signIn(owner.email, owner.password)).response.body.code).toBe('password-reset-required');
    });

    it('parallel undos of one account, and a login-email confirmation beside them: each answers 200 or 410, never a 5xx (lock order)', async () => {
      for (let round = 0; round < 3; round++) {
        const owner = await settledOwner();
        // Two events, each with a link to the login and the recovery email; and a pending login-email change.
        expect((await owner.client.put('/api/v1/account/password', { currentPassword: owner.password, newPassword: 'Parallel-Passwort-Neu-1' })).status).toBe(
          200,
        );
        await settle();
        expect((await signIn(owner.email, 'Parallel-Passwort-Neu-1')).response.status).toBe(200);
        await settle();
        const newEmail = uniqueEmail('new-login');
        expect((await changeLoginEmailVerified(t, owner.client, owner.email, { newEmail, password: 'Parallel-Passwort-Neu-1' })).status).toBe(202);
        await settle();
        const confirm = tokenIn((await mailsTo(t, newEmail)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
        const links = [
          await undoTokenIn(t, owner.email, 'Passwort wurde geändert'),
          await undoTokenIn(t, owner.recovery, 'Passwort wurde geändert'),
          await undoTokenIn(t, owner.email, 'neuen Gerät'),
          await undoTokenIn(t, owner.recovery, 'neuen Gerät'),
        ];
        expect(links.every((token) => token !== undefined)).toBe(true);
        const answers = await Promise.all([
          ...links.map((token) => undo(token)),
          apiClient(t.app, { ip: nextIp() }).post('/api/v1/account/email/confirm', { token: confirm }),
        ]);
        const statuses = answers.map((answer) => answer.status);
        expect(
          statuses.every((status) => status < 500),
          statuses.join(),
        ).toBe(true);
        expect(
          statuses.slice(0, 4).every((status) => status === 200 || status === 410),
          statuses.join(),
        ).toBe(true);
        expect(statuses.slice(0, 4)).toContain(200);
        const account = await t.database.db.selectFrom('accounts').select('password_reset_required').where('id', '=', owner.accountId).executeTakeFirst();
        expect(account?.password_reset_required).toBe(1);
      }
    });

    it('the attacker’s freshly added address gets no undo link when the owner removes it', async () => {
      const owner = await settledOwner();
      const attacker = await attackerIn(owner);
      const evil = uniqueEmail('attacker');
      await confirmRecoveryEmail(t, attacker, evil);
      t.clock.advance(SECOND);
      expect((await owner.client.post('/api/v1/session/reauthenticate', { password: owner.password })).status).toBe(200);
      expect((await owner.client.del('/api/v1/recovery/email')).status).toBe(204);
      const removedNotice = (await mailsTo(t, evil)).find((m) => m.subject.includes('dient nicht mehr'));
      expect(removedNotice).toBeDefined();
      expect(removedNotice?.text).not.toContain('/undo?token=');
      expect(await undoTokenIn(t, owner.email, 'entfernt')).toBeDefined();
    });

    it('expired, reused, forged and foreign links change nothing', async () => {
      const other = await settledOwner();
      const settledFirst = await settledOwner();
      // The second owner's 8 days idled the first one's session out: sign in again.
      const owner = { ...settledFirst };
      const otherAgain = (await signIn(other.email, other.password)).client;
      await owner.client.put('/api/v1/account/password', { currentPassword: owner.password, newPassword: 'Neues-Passwort-Eins-1' });
      await otherAgain.put('/api/v1/account/password', { currentPassword: other.password, newPassword: 'Neues-Passwort-Zwei-2' });
      await settle();
      const token = await undoTokenIn(t, owner.email, 'Passwort wurde geändert');
      const foreign = await undoTokenIn(t, other.email, 'Passwort wurde geändert');
      for (const forged of ['', 'x', `${token?.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, 'a'.repeat(300)]) {
        const response = await undo(forged);
        expect([400, 410], forged).toContain(response.status);
      }
      expect((await owner.client.get('/api/v1/session')).status).toBe(200);
      // Another account's link secures that account only.
      expect((await undo(foreign)).status).toBe(200);
      expect((await owner.client.get('/api/v1/session')).status).toBe(200);
      expect((await otherAgain.get('/api/v1/session')).status).toBe(401);
      // After 7 days the owner's link is dead.
      t.clock.advance(7 * DAY + SECOND);
      expect((await undo(token)).body.code).toBe('link-expired');
      const blocked = await t.database.db.selectFrom('accounts').select('password_reset_required').where('id', '=', owner.accountId).executeTakeFirst();
      expect(blocked?.password_reset_required).toBe(0);
    });

    it('an undo kills the links of later events; one from a recovery address keeps the login email’s (the login email wins)', async () => {
      const owner = await settledOwner();
      const attacker = await attackerIn(owner);
      const evil = uniqueEmail('attacker');
      await confirmRecoveryEmail(t, attacker, evil);
      const loginLink = await undoTokenIn(t, owner.email, 'Wiederherstellungs-E-Mail geändert');
      const oldAddressLink = await undoTokenIn(t, owner.recovery, 'dient nicht mehr');
      t.clock.advance(SECOND);
      await attacker.post('/api/v1/session/reauthenticate', { password: owner.password });
      await attacker.put('/api/v1/account/password', { currentPassword: owner.password, newPassword: 'Angreifer-Passwort-456' });
      await settle();
      const laterLoginLink = await undoTokenIn(t, owner.email, 'Passwort wurde geändert');
      // The old recovery address undoes the first event: the login email's links stay valid, the later one too.
      const done = await undo(oldAddressLink);
      expect(done.status).toBe(200);
      expect((await undo(laterLoginLink)).status).toBe(200);
      // A login email's undo kills every link of its event and later ones, whatever the role: here
      // the first event's own link still works (it is earlier), and after it the later one is used up.
      expect((await undo(loginLink)).status).toBe(200);
      expect((await undo(laterLoginLink)).status).toBe(410);
    });

    it('the login email wins: an undo made from a recovery address can itself be undone from the login email', async () => {
      // The owner's old recovery address (settled for 8 days) has fallen to an attacker; the owner replaces it.
      const owner = await settledOwner();
      const fresh = uniqueEmail('owner-new');
      await confirmRecoveryEmail(t, owner.client, fresh);
      // The attacker undoes the owner's repair from the old address's notice.
      const fromOldAddress = await undoTokenIn(t, owner.recovery, 'dient nicht mehr');
      expect((await undo(fromOldAddress)).status).toBe(200);
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: owner.recovery, status: 'active' }]);
      await settle();
      // The login email hears of it, with a link; the restored address does not get one.
      const back = await undoTokenIn(t, owner.email, 'Ihr Konto wurde gesichert');
      expect(back).toBeDefined();
      expect(await undoTokenIn(t, owner.recovery, 'Ihr Konto wurde gesichert')).toBeUndefined();
      const done = await undo(back);
      expect(done.status).toBe(200);
      expect(done.body.done).toContain('recovery-email-restored');
      expect(await recoveryRows(owner.accountId)).toEqual([{ address: fresh, status: 'active' }]);
      expect((await signIn(owner.email, owner.password)).response.body.code).toBe('password-reset-required');
    });

    it('sign-in from a new device: the owner is told on every address, with device and IP (escaped), and may undo it', async () => {
      const owner = await settledOwner();
      const newDevice = async () => (await mailsTo(t, owner.email)).filter((m) => m.subject === 'Lifeline: Anmeldung auf einem neuen Gerät').length;
      const before = await newDevice();
      const { response } = await signIn(owner.email, owner.password, { userAgent: EVIL_UA });
      expect(response.status).toBe(200);
      expect(await newDevice()).toBe(before + 1);
      expect((await mailsTo(t, owner.recovery)).some((m) => m.subject === 'Lifeline: Anmeldung auf einem neuen Gerät')).toBe(true);
      const html = (await t.services.devMailbox?.list())?.find((row) => row.recipient === owner.email && row.subject.includes('neuen Gerät'))?.html ?? '';
      expect(html).not.toContain('<script>');
      expect(await undoTokenIn(t, owner.email, 'neuen Gerät')).toBeDefined();
    });

    it('the first sign-in after sign-up, and a known device, are not "new"', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      expect((await mailsTo(t, owner.email)).some((m) => m.subject.includes('neuen Gerät'))).toBe(false);
      // The same browser (its device cookie) again: no notice.
      await owner.client.post('/api/v1/logout');
      expect((await owner.client.post('/api/v1/login', { email: owner.email, password: owner.password })).status).toBe(200);
      expect((await mailsTo(t, owner.email)).some((m) => m.subject.includes('neuen Gerät'))).toBe(false);
    });

    it('"sign out everywhere else" is logged and notified', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      await signIn(owner.email, owner.password);
      await owner.client.post('/api/v1/session/reauthenticate', { password: owner.password });
      expect((await owner.client.del('/api/v1/sessions/others')).status).toBe(204);
      expect((await mailsTo(t, owner.email)).some((m) => m.subject === 'Lifeline: Alle anderen Sitzungen abgemeldet')).toBe(true);
    });
  });
}
