import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, SECOND } from '../../src/core/clock.js';
import { createHousekeeping } from '../../src/housekeeping.js';
import { apiClient, codeTo, GOOD_PASSWORD, mailsTo, signedInAccount, tokenIn, uniqueEmail, type ApiClient } from '../helpers/api-client.js';
import { createTestApp, settleOutbox, useTestApp } from '../helpers/test-app.js';
import { germanMobile } from '../helpers/recovery-setup.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * The takeover playbook (docs/security.md "The owner wins"): an intruder who knows only the
 * owner's password (credential stuffing) acts first; the owner then does the right thing — "Das
 * war ich nicht", a reset through the login email, removing the intruder's channel — and must
 * end up in, the intruder out. Every test ends with the same two assertions: the intruder cannot
 * sign in with a password he chose, and the owner gets back in through the login email.
 * On SQLite and PostgreSQL.
 */
let ipCounter = 0;
const nextIp = () => `198.61.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
const INTRUDER_PASSWORD = 'Eindringling-behaelt-das-Konto-77';
const OWNER_PASSWORD = 'Zurueck-ins-eigene-Konto-2026';

type Owner = Awaited<ReturnType<typeof signedInAccount>>;

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: takeover — when the owner acts, the owner wins`, () => {
    const t = useTestApp(dialect);

    const settle = () => settleOutbox(t);
    const housekeeping = () => createHousekeeping(t.services).runOnce();
    /** The 72 hours of a hold pass; the worker applies what was due and delivers its notices. */
    const holdEnds = async () => {
      t.clock.advance(72 * HOUR + MINUTE);
      await housekeeping();
      await settle();
    };

    /** The owner: signed up and confirmed in this browser (the account's first device). */
    async function owner(): Promise<Owner> {
      const o = await signedInAccount(t, { ip: nextIp() });
      await settle();
      return o;
    }

    /** The intruder's own browser, signed in with the owner's password: a new device. */
    async function intruderIn(o: Owner): Promise<ApiClient> {
      const intruder = apiClient(t.app, { ip: nextIp() });
      expect((await intruder.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
      await settle();
      return intruder;
    }

    /** Keeps the intruder's (and the owner's) sessions alive while the clock moves on by `days`. */
    async function waitDays(days: number, ...clients: ApiClient[]): Promise<void> {
      for (let day = 0; day < days; day++) {
        t.clock.advance(DAY);
        for (const client of clients) await client.get('/api/v1/session');
      }
    }

    /** A recovery phone set up and confirmed by `client`: the confirm's answer (active or held). */
    async function addPhone(client: ApiClient, password = GOOD_PASSWORD) {
      const phone = germanMobile();
      t.clock.advance(2 * MINUTE);
      expect((await client.put('/api/v1/recovery/phone', { number: phone.typed, password })).status).toBe(202);
      const confirmed = await client.post('/api/v1/recovery/phone/confirm', { code: await codeTo(t, phone.e164) });
      expect(confirmed.status).toBe(200);
      await settle();
      return { phone, status: String(confirmed.body.status) };
    }

    /** A recovery email set up by `client` and confirmed by its link (opened anywhere). */
    async function addEmail(client: ApiClient, password = GOOD_PASSWORD) {
      const address = uniqueEmail('intruder-rec');
      t.clock.advance(SECOND);
      expect((await client.put('/api/v1/recovery/email', { address, password })).status).toBe(202);
      const link = tokenIn((await mailsTo(t, address)).find((m) => m.text.includes('/confirm-recovery-email?token='))?.text);
      const confirmed = await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: link });
      expect(confirmed.status).toBe(200);
      await settle();
      return { address, status: String(confirmed.body.status) };
    }

    /** The newest "Das war ich nicht" link to `to` whose event is `type` (read with the preview, which uses nothing up). */
    async function undoLink(to: string, type: string): Promise<string> {
      for (const mail of await mailsTo(t, to)) {
        const raw = /\/undo\?token=([A-Za-z0-9_\-.~%]+)/.exec(mail.text)?.[1];
        if (!raw) continue;
        const token = decodeURIComponent(raw);
        const preview = await apiClient(t.app).get(`/api/v1/security/undo?token=${encodeURIComponent(token)}`);
        if (preview.status === 200 && preview.body.type === type) return token;
      }
      throw new Error(`no live undo link for ${type} to ${to}`);
    }

    const undo = (token: string) => apiClient(t.app, { ip: nextIp() }).post('/api/v1/security/undo', { token });

    /** "Passwort vergessen?" started in `browser` with `identifier`; answers the code that came to `inbox` (if any). */
    async function forgot(browser: ApiClient, identifier: string, inbox: string): Promise<string | undefined> {
      t.clock.advance(2 * MINUTE);
      const before = (await mailsTo(t, inbox)).length;
      // Delivered at a later instant than everything before, so that "the newest code" is this one.
      t.clock.advance(SECOND);
      expect((await browser.post('/api/v1/password/forgot', { identifier, country: 'DE' })).status).toBe(202);
      await t.services.passwordReset.drain();
      const after = await mailsTo(t, inbox);
      return after.length > before ? await codeTo(t, inbox) : undefined;
    }

    /** The intruder's whole reset through his channel: what each step answered, and whether his password signs in. */
    async function intruderResets(o: Owner, identifier: string, inbox: string) {
      const browser = apiClient(t.app, { ip: nextIp() });
      const code = await forgot(browser, identifier, inbox);
      const verify = code ? (await browser.post('/api/v1/password/forgot/verify', { code })).status : null;
      const reset = (await browser.post('/api/v1/password/reset', { password: INTRUDER_PASSWORD })).status;
      return { code, verify, reset, ...(await signInAs(o.email, INTRUDER_PASSWORD)) };
    }

    const signInAs = async (email: string, password: string) => {
      const response = await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email, password });
      return { signIn: response.status, signInCode: response.body.code };
    };

    /** The two assertions every path ends with. */
    async function ownerWins(o: Owner): Promise<void> {
      expect((await signInAs(o.email, INTRUDER_PASSWORD)).signIn).not.toBe(200);
      const browser = apiClient(t.app, { ip: nextIp() });
      const code = await forgot(browser, o.email, o.email);
      expect(code).toMatch(/^[0-9A-Z]{8}$/);
      expect((await browser.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
      expect((await browser.post('/api/v1/password/reset', { password: OWNER_PASSWORD })).status).toBe(200);
      expect((await signInAs(o.email, OWNER_PASSWORD)).signIn).toBe(200);
      expect((await signInAs(o.email, INTRUDER_PASSWORD)).signIn).toBe(401);
    }

    it('path 1: the intruder adds a first recovery phone from his new device: held 72 hours, no way in; "Das war ich nicht" on the new-device notice ends it', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      const { phone, status } = await addPhone(intruder);
      expect(status).toBe('held');
      // Held: no reset through it meanwhile.
      expect((await intruderResets(o, phone.typed, phone.e164)).code).toBeUndefined();
      const done = await undo(await undoLink(o.email, 'session.signed_in_new_device'));
      expect(done.status).toBe(200);
      expect(done.body.removed).toEqual([{ channel: 'recovery-phone', masked: expect.stringMatching(/\*\*\*/) as unknown }]);
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      // Long after the 72 hours nothing comes back.
      t.clock.advance(4 * DAY);
      await housekeeping();
      const attempt = await intruderResets(o, phone.typed, phone.e164);
      expect(attempt.code).toBeUndefined();
      expect(attempt.reset).toBe(410);
      await ownerWins(o);
    });

    it('path 1, email: a first recovery address of the intruder, active after its hold while nobody looked; "Das war ich nicht" on any later notice removes it (not settled)', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      const { address, status } = await addEmail(intruder);
      expect(status).toBe('held');
      await holdEnds();
      expect((await intruder.get('/api/v1/recovery')).body.email).toMatchObject({ status: 'active', address });
      // The owner answers the "recovery email added" notice that came when the hold ended.
      const done = await undo(await undoLink(o.email, 'recovery_email.added'));
      expect(done.body.removed).toEqual([{ channel: 'recovery-email', address }]);
      const attempt = await intruderResets(o, address, address);
      expect([attempt.code, attempt.reset]).toEqual([undefined, 410]);
      await ownerWins(o);
    });

    it('path 1, an intruder on a device older than 7 days: his phone is active at once but not settled; the undo of his later password change removes it', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      await waitDays(8, intruder);
      const { phone, status } = await addPhone(intruder);
      expect(status).toBe('active');
      t.clock.advance(HOUR);
      expect((await intruder.post('/api/v1/session/reauthenticate', { password: GOOD_PASSWORD })).status).toBe(200);
      expect((await intruder.put('/api/v1/account/password', { currentPassword: GOOD_PASSWORD, newPassword: INTRUDER_PASSWORD })).status).toBe(200);
      await settle();
      const done = await undo(await undoLink(o.email, 'password.changed'));
      expect(done.body.done).toEqual(expect.arrayContaining(['recovery-phone-removed', 'signed-out-everywhere', 'sign-in-blocked']));
      const attempt = await intruderResets(o, phone.typed, phone.e164);
      expect(attempt.code).toBeUndefined();
      expect(attempt.signInCode).toBe('password-reset-required');
      await ownerWins(o);
    });

    it('path 2: the intruder’s phone, active after its hold, is no way in before it settles (no code); the owner’s undo of "recovery phone added" removes it', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      const { phone } = await addPhone(intruder);
      await holdEnds();
      expect((await intruder.get('/api/v1/recovery')).body.phone).toMatchObject({ status: 'active', usableFrom: expect.any(String) as unknown });
      // Not settled: "Passwort vergessen?" sends nothing to it; the flow answers like any that led nowhere.
      const attempt = await intruderResets(o, phone.typed, phone.e164);
      expect([attempt.code, attempt.reset, attempt.signIn]).toEqual([undefined, 410, 401]);
      const done = await undo(await undoLink(o.email, 'recovery_phone.added'));
      expect(done.body.removed).toEqual([{ channel: 'recovery-phone', masked: expect.stringMatching(/\*\*\*/) as unknown }]);
      // A week later it would have settled; it is gone instead.
      t.clock.advance(8 * DAY);
      expect((await intruderResets(o, phone.typed, phone.e164)).code).toBeUndefined();
      await ownerWins(o);
    });

    it('path 2, flows: "Das war ich nicht" ends every open reset flow of the account, a verified one too (410)', async () => {
      const o = await owner();
      await intruderIn(o);
      // A verified flow (here through the login email: whoever holds it), then the undo.
      const browser = apiClient(t.app, { ip: nextIp() });
      const code = await forgot(browser, o.email, o.email);
      expect((await browser.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
      const done = await undo(await undoLink(o.email, 'session.signed_in_new_device'));
      expect(done.body.done).toContain('open-flows-ended');
      expect((await browser.get('/api/v1/password/forgot')).body.stage).toBe('none');
      expect((await browser.post('/api/v1/password/reset', { password: INTRUDER_PASSWORD })).status).toBe(410);
      await ownerWins(o);
    });

    it('path 2, the channel re-check: a flow verified through a phone that is removed before the reset cannot set a password (410), and its earlier code no longer verifies', async () => {
      const o = await owner();
      const { phone } = await addPhone(o.client);
      const browser = apiClient(t.app, { ip: nextIp() });
      const code = await forgot(browser, phone.typed, phone.e164);
      expect((await browser.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
      const second = apiClient(t.app, { ip: nextIp() });
      const secondCode = await forgot(second, phone.typed, phone.e164);
      expect(secondCode).toMatch(/^\d{6}$/);
      expect((await o.client.post('/api/v1/session/reauthenticate', { password: o.password })).status).toBe(200);
      expect((await o.client.del('/api/v1/recovery/phone')).status).toBe(204);
      expect((await browser.post('/api/v1/password/reset', { password: INTRUDER_PASSWORD })).status).toBe(410);
      expect((await second.post('/api/v1/password/forgot/verify', { code: secondCode })).status).toBe(410);
      await ownerWins(o);
    });

    it('path 2, the owner resets through the login email: the intruder’s phone (active, not settled) is removed with it and named in the notice, so it never settles into a way back', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      const { phone } = await addPhone(intruder);
      await holdEnds();
      await ownerWins(o);
      await settle();
      const notice = (await mailsTo(t, o.email)).find((m) => m.subject.includes('zurückgesetzt'));
      expect(notice?.text).toContain('Entfernt wurden Wiederherstellungsoptionen');
      expect(await t.database.db.selectFrom('recovery_phones').select('status').where('account_id', '=', o.accountId).execute()).toEqual([]);
      t.clock.advance(8 * DAY);
      expect((await intruderResets(o, phone.typed, phone.e164)).code).toBeUndefined();
    });

    it('path 3: the owner removes the intruder’s number; the intruder cannot undo that with the password (no such route; his session ended), and the number is no way in', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      await waitDays(8, intruder, o.client);
      const { phone, status } = await addPhone(intruder);
      expect(status).toBe('active');
      expect((await o.client.post('/api/v1/session/reauthenticate', { password: o.password })).status).toBe(200);
      expect((await o.client.del('/api/v1/recovery/phone')).status).toBe(204);
      // The owner's repair sticks: the device that had added the number is signed out.
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      type Item = { id: string; type: string; undoable: boolean };
      const again = apiClient(t.app, { ip: nextIp() });
      expect((await again.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
      const removal = ((await again.get('/api/v1/security-log')).body.items as Item[]).find((item) => item.type === 'recovery_phone.removed');
      expect(removal?.undoable).toBe(true);
      expect((await again.post(`/api/v1/security-log/${String(removal?.id)}/undo`, { password: o.password })).status).toBe(404);
      // The removal's own undo link (to the login email) would not bring an unsettled number back either.
      const done = await undo(await undoLink(o.email, 'recovery_phone.removed'));
      expect(done.body.done).not.toContain('recovery-phone-restored');
      expect((await intruderResets(o, phone.typed, phone.e164)).code).toBeUndefined();
      await ownerWins(o);
    });

    it('an undo racing a verified flow’s reset and a fresh verify (lock order): never a 5xx, and the racing password never signs in', async () => {
      for (let round = 0; round < 3; round++) {
        const o = await owner();
        await intruderIn(o);
        const verified = apiClient(t.app, { ip: nextIp() });
        const code = await forgot(verified, o.email, o.email);
        expect((await verified.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
        const pending = apiClient(t.app, { ip: nextIp() });
        const pendingCode = await forgot(pending, o.email, o.email);
        const link = await undoLink(o.email, 'session.signed_in_new_device');
        const answers = await Promise.all([
          undo(link),
          verified.post('/api/v1/password/reset', { password: INTRUDER_PASSWORD }),
          pending.post('/api/v1/password/forgot/verify', { code: pendingCode }),
        ]);
        expect(
          answers.map((a) => a.status).every((status) => status < 500),
          answers.map((a) => a.status).join(),
        ).toBe(true);
        expect(answers[0]?.status).toBe(200);
        expect((await signInAs(o.email, INTRUDER_PASSWORD)).signIn).not.toBe(200);
        await ownerWins(o);
      }
    });

    it('the owner’s repair sticks: a removed channel’s device is signed out; signing in again on it, what it adds is held 72 hours', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      const { status } = await addEmail(intruder);
      expect(status).toBe('held');
      // "Änderung abbrechen" on the first device drops the held address and signs that device out.
      expect((await o.client.del('/api/v1/recovery/email/held')).status).toBe(204);
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      expect((await intruder.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
      const second = await addPhone(intruder);
      expect(second.status).toBe('held');
      expect((await o.client.get('/api/v1/recovery')).body.phone).toMatchObject({ status: 'none', addition: { masked: expect.any(String) as unknown } });
      expect((await intruderResets(o, second.phone.typed, second.phone.e164)).code).toBeUndefined();
      await ownerWins(o);
    });

    it('the owner’s repair sticks against an old device too: the device is forgotten, signing in again there is a new device (notified, held); a second old device’s number is no way in and goes with the owner’s reset', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      const other = await intruderIn(o);
      await waitDays(8, intruder, other, o.client);
      const { status } = await addPhone(intruder);
      expect(status).toBe('active');
      expect((await o.client.post('/api/v1/session/reauthenticate', { password: o.password })).status).toBe(200);
      expect((await o.client.del('/api/v1/recovery/phone')).status).toBe(204);
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      // The same browser again (its device cookie): a new device now.
      await settle();
      const before = (await mailsTo(t, o.email)).filter((m) => m.subject.includes('neuen Gerät')).length;
      expect((await intruder.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
      await settle();
      expect((await mailsTo(t, o.email)).filter((m) => m.subject.includes('neuen Gerät')).length).toBe(before + 1);
      expect((await addPhone(intruder)).status).toBe('held');
      // His second, old browser adds a number at once: active, but not settled — no code goes to it.
      expect((await other.post('/api/v1/session/reauthenticate', { password: o.password })).status).toBe(200);
      const third = await addPhone(other);
      expect(third.status).toBe('active');
      expect((await intruderResets(o, third.phone.typed, third.phone.e164)).code).toBeUndefined();
      await ownerWins(o);
      t.clock.advance(8 * DAY);
      expect((await intruderResets(o, third.phone.typed, third.phone.e164)).code).toBeUndefined();
    });

    it('the hold on day 2: the intruder keeps his session and device cookie a day and more, and is still held (a device stays new for 7 days)', async () => {
      const o = await owner();
      const ownersPhone = await addPhone(o.client);
      expect(ownersPhone.status).toBe('active');
      const intruder = await intruderIn(o);
      await waitDays(2, intruder, o.client);
      expect((await intruder.post('/api/v1/session/reauthenticate', { password: GOOD_PASSWORD })).status).toBe(200);
      const removal = await intruder.del('/api/v1/recovery/phone');
      expect(removal.status).toBe(202);
      const replacement = await addPhone(intruder);
      expect(replacement.status).toBe('held');
      // Day 6, 23 hours: still held.
      await waitDays(4, intruder, o.client);
      t.clock.advance(23 * HOUR);
      expect((await intruder.post('/api/v1/session/reauthenticate', { password: GOOD_PASSWORD })).status).toBe(200);
      expect((await intruder.del('/api/v1/recovery/phone')).status).toBe(202);
      // The owner's reset through the login email (settled) ends every held change; the owner's number stays.
      await ownerWins(o);
      t.clock.advance(4 * DAY);
      await housekeeping();
      const rows = await t.database.db.selectFrom('recovery_phones').select(['number_e164', 'status']).where('account_id', '=', o.accountId).execute();
      expect(rows).toEqual([{ number_e164: ownersPhone.phone.e164, status: 'active' }]);
    });

    it('the owner removes an intruder’s number from a new laptop: at once (a channel that is not settled is never held), so the intruder has no held removal to cancel', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      await waitDays(8, intruder);
      const { phone, status } = await addPhone(intruder);
      expect(status).toBe('active');
      const laptop = apiClient(t.app, { ip: nextIp() });
      expect((await laptop.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
      expect((await laptop.del('/api/v1/recovery/phone')).status).toBe(204);
      expect((await intruder.del('/api/v1/recovery/phone/held')).status).toBe(404);
      expect((await intruder.get('/api/v1/recovery')).body.phone).toEqual({ status: 'none' });
      // The owner's settled address, removed from the same new laptop, is held as before.
      expect((await o.client.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
      await addEmail(o.client);
      expect((await laptop.post('/api/v1/session/reauthenticate', { password: o.password })).status).toBe(200);
      expect((await laptop.del('/api/v1/recovery/email')).status).toBe(202);
      t.clock.advance(4 * DAY);
      await housekeeping();
      expect((await intruderResets(o, phone.typed, phone.e164)).code).toBeUndefined();
      await ownerWins(o);
    });

    it('denial of recovery: a stranger’s requests and wrong codes from five addresses neither end the owner’s verified flow nor stop a fresh code to the owner', async () => {
      const o = await owner();
      const ownerBrowser = apiClient(t.app, { ip: nextIp() });
      const code = await forgot(ownerBrowser, o.email, o.email);
      expect((await ownerBrowser.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
      for (let k = 0; k < 5; k++) {
        const stranger = apiClient(t.app, { ip: nextIp() });
        await stranger.post('/api/v1/password/forgot', { identifier: o.email });
        await t.services.passwordReset.drain();
        for (let i = 0; i < 2; i++) expect((await stranger.post('/api/v1/password/forgot/verify', { code: 'ZZZZZZZZ' })).status).toBe(400);
      }
      expect((await ownerBrowser.get('/api/v1/password/forgot')).body.stage).toBe('verified');
      expect((await ownerBrowser.post('/api/v1/password/reset', { password: OWNER_PASSWORD })).status).toBe(200);
      expect((await signInAs(o.email, OWNER_PASSWORD)).signIn).toBe(200);

      // A second owner who had not started: ten wrong codes of one stranger, in flows of his own.
      const b = await owner();
      const stranger = apiClient(t.app, { ip: nextIp() });
      for (let round = 0; round < 2; round++) {
        await stranger.post('/api/v1/password/forgot', { identifier: b.email });
        await t.services.passwordReset.drain();
        for (let i = 0; i < 5; i++) await stranger.post('/api/v1/password/forgot/verify', { code: 'ZZZZZZZZ' });
      }
      await stranger.post('/api/v1/password/forgot', { identifier: b.email });
      await t.services.passwordReset.drain();
      expect((await stranger.post('/api/v1/password/forgot/verify', { code: 'ZZZZZZZZ' })).body.code).toBe('too-many-attempts');
      const fresh = apiClient(t.app, { ip: nextIp() });
      const freshCode = await forgot(fresh, b.email, b.email);
      expect(freshCode).toMatch(/^[0-9A-Z]{8}$/);
      expect((await fresh.post('/api/v1/password/forgot/verify', { code: freshCode })).status).toBe(200);
    });

    it('mail bombing is capped for all clients together, but the owner’s own browser still gets its code (an intruder’s new device does not)', async () => {
      const o = await owner();
      const intruder = await intruderIn(o);
      for (let k = 0; k < 21; k++) {
        await apiClient(t.app, { ip: nextIp() }).post('/api/v1/password/forgot', { identifier: o.email });
        await t.services.passwordReset.drain();
      }
      const sent = (await mailsTo(t, o.email)).filter((m) => m.text.includes('/reset-password?token=')).length;
      expect(sent).toBe(20);
      // The intruder's browser is a device the account saw, but a new one: it does not pass the cap.
      expect(await forgot(intruder, o.email, o.email)).toBeUndefined();
      // The owner's browser (its first device) passes the cap of all clients.
      const code = await forgot(o.client, o.email, o.email);
      expect(code).toMatch(/^[0-9A-Z]{8}$/);
      expect((await o.client.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
    });

    it('a stranger who floods the login email does not block the owner’s code to the phone (no cap per account for all clients)', async () => {
      const o = await owner();
      const { phone } = await addPhone(o.client);
      for (let k = 0; k < 20; k++) {
        await apiClient(t.app, { ip: `198.62.${Math.floor(k / 5)}.${k % 5}` }).post('/api/v1/password/forgot', { identifier: o.email });
        await t.services.passwordReset.drain();
      }
      const fresh = apiClient(t.app, { ip: nextIp() });
      const code = await forgot(fresh, phone.typed, phone.e164);
      expect(code).toMatch(/^\d{6}$/);
      expect((await fresh.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
    });

    it('no way to tell an account from none by guessing across addresses: flows asked from three addresses and guessed from one answer alike for a known and an unknown address', async () => {
      const o = await owner();
      const nobody = uniqueEmail('nobody');
      const answers: Record<string, string[]> = {};
      for (const identifier of [o.email, nobody]) {
        const cookies: string[] = [];
        for (let k = 0; k < 3; k++) {
          const asker = apiClient(t.app, { ip: nextIp() });
          await asker.post('/api/v1/password/forgot', { identifier });
          await t.services.passwordReset.drain();
          cookies.push([...asker.jar.entries()].map(([name, value]) => `${name}=${value}`).join('; '));
        }
        const guesser = nextIp();
        const seen: string[] = [];
        for (const cookie of cookies) {
          for (let i = 0; i < 5; i++) {
            const r = await apiClient(t.app, { ip: guesser }).post('/api/v1/password/forgot/verify', { code: 'ZZZZZZZZ' }, { cookie });
            seen.push(`${r.status} ${String(r.body.code)}`);
          }
        }
        answers[identifier] = seen;
      }
      expect(answers[nobody]).toEqual(answers[o.email]);
    });

    it('pre-registration: the link alone confirms, but the confirming browser is the first device; the one who signed up is a new device, notified, held, and undone', async () => {
      const email = uniqueEmail('victim');
      const squatter = apiClient(t.app, { ip: nextIp() });
      expect((await squatter.post('/api/v1/signup', { email, password: INTRUDER_PASSWORD })).status).toBe(202);
      // The victim opens the unsolicited link in their own browser.
      const victim = apiClient(t.app, { ip: nextIp() });
      const link = tokenIn((await mailsTo(t, email)).find((m) => m.text.includes('/confirm-email?token='))?.text);
      expect((await victim.post('/api/v1/signup/confirm', { token: link })).status).toBe(200);
      // The squatter signs in with the password he chose: a new device, told to the victim.
      expect((await squatter.post('/api/v1/login', { email, password: INTRUDER_PASSWORD })).status).toBe(200);
      await settle();
      const { status } = await addPhone(squatter, INTRUDER_PASSWORD);
      expect(status).toBe('held');
      const done = await undo(await undoLink(email, 'session.signed_in_new_device'));
      expect(done.status).toBe(200);
      expect((await squatter.get('/api/v1/session')).status).toBe(401);
      const v = { client: victim, email, password: INTRUDER_PASSWORD, accountId: '' };
      await ownerWins(v);
    });

    it('a host’s action cannot be verified through a channel the intruder added (not settled); "Das war ich nicht" ends open verifications', async () => {
      const lax = await createTestApp(dialect, { env: { VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS: '0' } });
      const strictKey = (await t.services.apiKeys.create(`host-${ipCounter}`)).key;
      try {
        // Default policy: an intruder on a device older than 7 days adds a number (active, not settled).
        const o = await owner();
        const intruder = await intruderIn(o);
        await waitDays(8, intruder);
        await addPhone(intruder);
        const hostApi = apiClient(t.app, { ip: '10.9.9.9' });
        const headers = { authorization: `Bearer ${strictKey}` };
        const id = String((await hostApi.post('/api/v1/verifications', { accountId: o.accountId, action: 'payout' }, headers)).body.id);
        expect((await hostApi.post(`/api/v1/verifications/${id}/send`, { channel: 'recovery-phone' }, headers)).body.code).toBe('channel-not-available');

        // Where the operator lowered the age to 0 (a documented risk), the undo still ends what he verified.
        const laxKey = (await lax.services.apiKeys.create('lax')).key;
        const victim = await signedInAccount(lax, { ip: nextIp() });
        const thief = apiClient(lax.app, { ip: nextIp() });
        expect((await thief.post('/api/v1/login', { email: victim.email, password: victim.password })).status).toBe(200);
        for (let day = 0; day < 8; day++) {
          lax.clock.advance(DAY);
          await thief.get('/api/v1/session');
        }
        const phone = germanMobile();
        expect((await thief.put('/api/v1/recovery/phone', { number: phone.typed, password: victim.password })).status).toBe(202);
        expect((await thief.post('/api/v1/recovery/phone/confirm', { code: await codeTo(lax, phone.e164) })).body.status).toBe('active');
        const laxHost = apiClient(lax.app, { ip: '10.9.9.8' });
        const laxHeaders = { authorization: `Bearer ${laxKey}` };
        const record = String((await laxHost.post('/api/v1/verifications', { accountId: victim.accountId, action: 'payout' }, laxHeaders)).body.id);
        lax.clock.advance(2 * MINUTE);
        expect((await laxHost.post(`/api/v1/verifications/${record}/send`, { channel: 'recovery-phone' }, laxHeaders)).status).toBe(202);
        expect((await laxHost.post(`/api/v1/verifications/${record}/code`, { code: await codeTo(lax, phone.e164) }, laxHeaders)).status).toBe(200);
        await lax.services.worker.runOnce();
        const mails = await mailsTo(lax, victim.email);
        const token = mails.map((m) => /\/undo\?token=([A-Za-z0-9_\-.~%]+)/.exec(m.text)?.[1]).find((raw) => raw !== undefined);
        expect((await apiClient(lax.app).post('/api/v1/security/undo', { token: decodeURIComponent(token ?? '') })).status).toBe(200);
        expect((await laxHost.get(`/api/v1/verifications/${record}`, laxHeaders)).body.status).toBe('failed');
        expect((await laxHost.post(`/api/v1/verifications/${record}/consume`, {}, laxHeaders)).status).toBeGreaterThanOrEqual(400);
      } finally {
        await lax.close();
      }
    });

    it('a password reset by the owner ends the open verifications the intruder verified (docs/security.md "The owner wins")', async () => {
      const lax = await createTestApp(dialect, { env: { VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS: '0' } });
      try {
        // The intruder, signed in with the password for 8 days, adds a phone and verifies a host's action with it.
        const laxKey = (await lax.services.apiKeys.create('lax')).key;
        const victim = await signedInAccount(lax, { ip: nextIp() });
        const thief = apiClient(lax.app, { ip: nextIp() });
        expect((await thief.post('/api/v1/login', { email: victim.email, password: victim.password })).status).toBe(200);
        for (let day = 0; day < 8; day++) {
          lax.clock.advance(DAY);
          await thief.get('/api/v1/session');
        }
        const phone = germanMobile();
        expect((await thief.put('/api/v1/recovery/phone', { number: phone.typed, password: victim.password })).status).toBe(202);
        expect((await thief.post('/api/v1/recovery/phone/confirm', { code: await codeTo(lax, phone.e164) })).body.status).toBe('active');
        const laxHost = apiClient(lax.app, { ip: '10.9.9.7' });
        const laxHeaders = { authorization: `Bearer ${laxKey}` };
        const record = String((await laxHost.post('/api/v1/verifications', { accountId: victim.accountId, action: 'payout' }, laxHeaders)).body.id);
        lax.clock.advance(2 * MINUTE);
        expect((await laxHost.post(`/api/v1/verifications/${record}/send`, { channel: 'recovery-phone' }, laxHeaders)).status).toBe(202);
        expect((await laxHost.post(`/api/v1/verifications/${record}/code`, { code: await codeTo(lax, phone.e164) }, laxHeaders)).status).toBe(200);
        expect((await laxHost.get(`/api/v1/verifications/${record}`, laxHeaders)).body.status).toBe('verified');

        // The owner resets the password through the login email: the verified record can no longer be consumed.
        const browser = apiClient(lax.app, { ip: nextIp() });
        lax.clock.advance(2 * MINUTE);
        expect((await browser.post('/api/v1/password/forgot', { identifier: victim.email, country: 'DE' })).status).toBe(202);
        await lax.services.passwordReset.drain();
        expect((await browser.post('/api/v1/password/forgot/verify', { code: await codeTo(lax, victim.email) })).status).toBe(200);
        expect((await browser.post('/api/v1/password/reset', { password: OWNER_PASSWORD })).status).toBe(200);
        expect((await laxHost.get(`/api/v1/verifications/${record}`, laxHeaders)).body.status).toBe('failed');
        expect((await laxHost.post(`/api/v1/verifications/${record}/consume`, {}, laxHeaders)).status).toBeGreaterThanOrEqual(400);
        expect((await apiClient(lax.app, { ip: nextIp() }).post('/api/v1/login', { email: victim.email, password: OWNER_PASSWORD })).status).toBe(200);
        expect((await thief.get('/api/v1/session')).status).toBe(401);
      } finally {
        await lax.close();
      }
    });
  });
}
