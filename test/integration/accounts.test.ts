import { describe, expect, it, vi } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/core/clock.js';
import {
  apiClient,
  changeLoginEmailVerified,
  settledAccount,
  GOOD_PASSWORD,
  lastMailTo,
  mailsTo,
  signedInAccount,
  tokenIn,
  uniqueEmail,
} from '../helpers/api-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: sign-up and confirmation of the login email (docs/reference/product.md §1)`, () => {
    const t = useTestApp(dialect);

    const account = (email: string) => t.database.db.selectFrom('accounts').selectAll().where('email_normalized', '=', email.toLowerCase()).executeTakeFirst();
    const securityEvents = async (accountId: string) =>
      (await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', accountId).orderBy('created_at').execute()).map((e) => e.type);

    it('answers 202 with a constant body, mails a link, and the link’s POST confirms', async () => {
      const email = uniqueEmail('new');
      const client = apiClient(t.app);
      const signup = await client.post('/api/v1/signup', { email, password: GOOD_PASSWORD, locale: 'en', timeZone: 'America/New_York' });
      expect(signup.status).toBe(202);
      expect(signup.text).toBe('{"status":"accepted"}');
      const mail = await lastMailTo(t, email);
      expect(mail?.subject).toBe('Lifeline: Please confirm your email address');
      const token = tokenIn(mail?.text);
      expect(mail?.text).toContain(`${t.config.http.publicUrl}/confirm-email?token=`);
      const stored = await account(email);
      expect(stored).toMatchObject({ email_verified_at: null, locale: 'en', time_zone: 'America/New_York' });
      expect(stored?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/); // docs/reference/security-requirements.md 1.1
      expect((await client.post('/api/v1/login', { email, password: GOOD_PASSWORD })).body.code).toBe('email-not-verified');

      const confirm = await client.post('/api/v1/signup/confirm', { token });
      expect(confirm.status).toBe(200);
      expect(confirm.body).toEqual({ email, emailVerified: true });
      expect((await account(email))?.email_verified_at).toBe(t.clock.now());
      expect(await securityEvents(stored?.id ?? '')).toEqual(['account.created', 'account.email_verified']);
      // Single use (docs/reference/security-requirements.md 3.3): the link again changes nothing; it
      // only says the address is confirmed already (the page then offers the sign-in, not "expired").
      t.clock.advance(1000);
      const again = await client.post('/api/v1/signup/confirm', { token });
      expect([again.status, again.body]).toEqual([200, { email, emailVerified: true, alreadyConfirmed: true }]);
      expect((await account(email))?.email_verified_at).toBe(t.clock.now() - 1000);
      expect(await securityEvents(stored?.id ?? '')).toEqual(['account.created', 'account.email_verified']);
    });

    it('never confirms by GET (mail scanners open links): the API route has no GET', async () => {
      const r = await apiClient(t.app).get('/api/v1/signup/confirm?token=whatever');
      expect(r.status).toBe(405);
    });

    it('a link expires after 24 hours', async () => {
      const email = uniqueEmail('late');
      const client = apiClient(t.app);
      await client.post('/api/v1/signup', { email, password: GOOD_PASSWORD });
      const token = tokenIn((await lastMailTo(t, email))?.text);
      t.clock.advance(24 * HOUR);
      expect((await client.post('/api/v1/signup/confirm', { token })).body.code).toBe('invalid-or-expired');
      // "Link erneut senden" gives a fresh one.
      expect((await client.post('/api/v1/signup/resend', { email })).status).toBe(202);
      const fresh = tokenIn((await lastMailTo(t, email))?.text);
      expect(fresh).not.toBe(token);
      expect((await client.post('/api/v1/signup/confirm', { token: fresh })).status).toBe(200);
    });

    it('a second sign-up for an unconfirmed address replaces its password and link (no pre-registration takeover)', async () => {
      const email = uniqueEmail('takeover');
      const attacker = apiClient(t.app, { ip: '198.51.100.66' });
      await attacker.post('/api/v1/signup', { email, password: 'Angreifer-Passwort-77' });
      const attackersLink = tokenIn((await lastMailTo(t, email))?.text);
      t.clock.advance(MINUTE);
      const owner = apiClient(t.app);
      await owner.post('/api/v1/signup', { email, password: GOOD_PASSWORD });
      const ownersLink = tokenIn((await lastMailTo(t, email))?.text);
      expect((await owner.post('/api/v1/signup/confirm', { token: attackersLink })).body.code).toBe('invalid-or-expired');
      expect((await owner.post('/api/v1/signup/confirm', { token: ownersLink })).status).toBe(200);
      expect((await attacker.post('/api/v1/login', { email, password: 'Angreifer-Passwort-77' })).status).toBe(401);
      expect((await owner.post('/api/v1/login', { email, password: GOOD_PASSWORD })).status).toBe(200);
    });

    it('a sign-up with a confirmed address changes nothing, answers the same, and tells the owner at most once an hour', async () => {
      const { email, client } = await signedInAccount(t, { locale: 'de' });
      const before = await account(email);
      const stranger = apiClient(t.app, { ip: '198.51.100.7' });
      const answer = await stranger.post('/api/v1/signup', { email: email.toUpperCase(), password: 'Ganz-Anderes-Passwort-1' });
      expect(answer.status).toBe(202);
      expect(answer.text).toBe('{"status":"accepted"}');
      expect((await account(email))?.password_hash).toBe(before?.password_hash);
      const notices = (await mailsTo(t, email)).filter((m) => m.subject === 'Lifeline: Registrierung mit Ihrer E-Mail-Adresse');
      expect(notices).toHaveLength(1);
      expect(notices[0]?.text).toContain('Sie haben bereits ein Konto');
      await stranger.post('/api/v1/signup', { email, password: 'Ganz-Anderes-Passwort-2' });
      expect((await mailsTo(t, email)).filter((m) => m.subject.includes('Registrierung'))).toHaveLength(1);
      t.clock.advance(HOUR + 1);
      await stranger.post('/api/v1/signup', { email, password: 'Ganz-Anderes-Passwort-3' });
      expect((await mailsTo(t, email)).filter((m) => m.subject.includes('Registrierung'))).toHaveLength(2);
      expect((await client.get('/api/v1/session')).status).toBe(200); // the owner's session is untouched
    });

    it('refuses weak passwords with a reason, before anything is stored (docs/reference/security-requirements.md 1.4–1.6)', async () => {
      const email = uniqueEmail('weak');
      const client = apiClient(t.app);
      const cases: [string, string, number][] = [
        ['short', 'password-too-short', 422],
        ['password123', 'password-too-common', 422],
        ['lifeline', 'password-personal', 422],
        [email.split('@')[0] ?? '', 'password-personal', 422],
        ['x'.repeat(129), 'password-too-long', 422],
        ['Zeile\r\nZwei-Passwort', 'password-invalid-characters', 422],
      ];
      for (const [password, code, status] of cases) {
        const r = await client.post('/api/v1/signup', { email, password });
        expect(r.status, password).toBe(status);
        expect(r.body.code).toBe(code);
        expect(String(r.body.detail)).not.toContain('{{');
      }
      expect(await account(email)).toBeUndefined();
      expect((await client.post('/api/v1/signup', { email, password: 'correcthorsebatterystaple' })).status).toBe(202); // no composition rules (1.5)
    });

    it('deletes sign-ups that were not confirmed within 7 days', async () => {
      const email = uniqueEmail('stale');
      await apiClient(t.app).post('/api/v1/signup', { email, password: GOOD_PASSWORD });
      t.clock.advance(7 * DAY - 1);
      expect(await t.services.signup.purgeUnverified()).toBe(0);
      expect(await account(email)).toBeDefined();
      t.clock.advance(2);
      expect(await t.services.signup.purgeUnverified()).toBeGreaterThanOrEqual(1);
      expect(await account(email)).toBeUndefined();
    });
  });

  describe(`${dialect}: sign-in and the session (docs/reference/product.md §1, docs/reference/security-requirements.md 2, 7.3, 8.1)`, () => {
    const t = useTestApp(dialect);

    it('sets an HttpOnly, SameSite=Lax session cookie and a device cookie; GET /session shows the account', async () => {
      const { client, email, accountId } = await signedInAccount(t);
      const session = await client.get('/api/v1/session');
      expect(session.status).toBe(200);
      expect(session.body).toEqual({
        account: { id: accountId, email, emailVerified: true, locale: 'de', timeZone: 'Europe/Berlin' },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        privilegedUntil: new Date(t.clock.now() + 10 * MINUTE).toISOString(), // sign-in opens the window
      });
      expect(session.headers['cache-control']).toBe('no-store');
      const login = await client.post('/api/v1/login', { email, password: GOOD_PASSWORD });
      const cookie = login.setCookies.find((c) => c.startsWith('lifeline_session='));
      expect(cookie).toMatch(/; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(cookie).not.toMatch(/Secure|Domain/i); // plain-http PUBLIC_URL here (docs/reference/security-requirements.md scope decision on 8.1)
      expect(login.setCookies.find((c) => c.startsWith('lifeline_device='))).toMatch(/HttpOnly; SameSite=Lax/);
      const row = await t.database.db
        .selectFrom('sessions')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(client.sessionCookie()); // only a keyed hash is stored
    });

    it('wrong password and unknown email: the same 401, byte for byte but for instance and request id (docs/reference/security-requirements.md 7.3)', async () => {
      const { email } = await signedInAccount(t);
      const wrong = await apiClient(t.app, { ip: '198.51.100.20' }).post('/api/v1/login', { email, password: 'falsch-falsch-falsch' });
      const unknown = await apiClient(t.app, { ip: '198.51.100.21' }).post('/api/v1/login', { email: uniqueEmail('nobody'), password: 'falsch-falsch-falsch' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      const strip = (b: Record<string, unknown>) => JSON.stringify({ ...b, instance: 0, requestId: 0 });
      expect(strip(wrong.body)).toBe(strip(unknown.body));
      expect(wrong.body.code).toBe('invalid-credentials');
    });

    it('an unknown address costs an argon2 verification too', async () => {
      const spy = vi.spyOn(t.services.hasher, 'verifyDummy');
      await apiClient(t.app, { ip: '198.51.100.22' }).post('/api/v1/login', { email: uniqueEmail('ghost'), password: 'irgendein-Passwort' });
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();
    });

    it('a blocked account: the right password answers 403 password-reset-required, a wrong one the usual 401', async () => {
      const { email, accountId } = await signedInAccount(t);
      await t.database.db.updateTable('accounts').set({ password_reset_required: 1 }).where('id', '=', accountId).execute();
      expect((await apiClient(t.app).post('/api/v1/login', { email, password: GOOD_PASSWORD })).body.code).toBe('password-reset-required');
      expect((await apiClient(t.app).post('/api/v1/login', { email, password: 'falsch-falsch-falsch' })).status).toBe(401);
    });

    it('a new session id at sign-in: the cookie from before is dead (docs/reference/security-requirements.md 2.2)', async () => {
      const { client, email, password } = await signedInAccount(t);
      const before = client.sessionCookie();
      await client.post('/api/v1/login', { email, password });
      expect(client.sessionCookie()).not.toBe(before);
      const replay = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `lifeline_session=${before}` } });
      expect(replay.statusCode).toBe(401);
    });

    it('idle expiry after 7 days, absolute after 30 days of use (docs/reference/security-requirements.md 2.3)', async () => {
      const idle = await signedInAccount(t);
      t.clock.advance(7 * DAY - MINUTE);
      expect((await idle.client.get('/api/v1/session')).status).toBe(200); // use keeps it alive
      t.clock.advance(7 * DAY);
      expect((await idle.client.get('/api/v1/session')).status).toBe(401);

      const busy = await signedInAccount(t);
      for (let day = 0; day < 29; day++) {
        t.clock.advance(DAY);
        expect((await busy.client.get('/api/v1/session')).status).toBe(200);
      }
      t.clock.advance(DAY);
      const expired = await busy.client.get('/api/v1/session');
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('authentication-required');
    });

    it('last seen is written at most once a minute', async () => {
      const { client, accountId } = await signedInAccount(t);
      const lastSeen = async () =>
        (await t.database.db.selectFrom('sessions').select('last_seen_at').where('account_id', '=', accountId).executeTakeFirstOrThrow()).last_seen_at;
      const start = await lastSeen();
      t.clock.advance(30_000);
      await client.get('/api/v1/session');
      expect(await lastSeen()).toBe(start);
      t.clock.advance(30_000);
      await client.get('/api/v1/session');
      expect(await lastSeen()).toBe(start + MINUTE);
    });

    it('sign-out deletes the session on the server: the old cookie is refused (docs/reference/security-requirements.md 2.4)', async () => {
      const { client, accountId } = await signedInAccount(t);
      const cookie = client.sessionCookie();
      const out = await client.post('/api/v1/logout');
      expect(out.status).toBe(204);
      expect(out.setCookies.some((c) => /^lifeline_session=;/.test(c))).toBe(true);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `lifeline_session=${cookie}` } })).statusCode).toBe(401);
      const events = await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', accountId).execute();
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['session.signed_in', 'session.signed_out']));
    });

    it('answers in the account’s language once signed in', async () => {
      const { client } = await signedInAccount(t, { locale: 'en', acceptLanguage: 'de' });
      const r = await client.post('/api/v1/logout', {}, { 'x-csrf-token': 'wrong' });
      expect(r.status).toBe(403);
      expect(r.body.detail).toBe('The request did not carry a valid security token (CSRF token). Please reload the page.');
    });
  });

  describe(`${dialect}: re-authentication, the privileged window and sessions (docs/reference/product.md §1, docs/reference/security-requirements.md 2.5–2.7)`, () => {
    const t = useTestApp(dialect);

    it('re-authentication: a wrong password is 403 wrong-password; the right one a new id and a 10-minute window', async () => {
      const { client, password } = await signedInAccount(t);
      const wrong = await client.post('/api/v1/session/reauthenticate', { password: 'falsch-falsch-falsch' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('wrong-password');
      t.clock.advance(11 * MINUTE);
      const before = client.sessionCookie();
      const csrfBefore = client.csrfToken() ?? '';
      const right = await client.post('/api/v1/session/reauthenticate', { password });
      expect(right.status).toBe(200);
      expect(right.body.privilegedUntil).toBe(new Date(t.clock.now() + 10 * MINUTE).toISOString());
      expect(client.sessionCookie()).not.toBe(before);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `lifeline_session=${before}` } })).statusCode).toBe(401);
      // The CSRF token changed with the id: the old one no longer works.
      expect(right.body.csrfToken).not.toBe(csrfBefore);
      expect((await client.post('/api/v1/logout', {}, { 'x-csrf-token': csrfBefore })).status).toBe(403);
    });

    it('lists sessions with browser, OS, IP and "this session"; revoking another needs the window', async () => {
      const a = await signedInAccount(t, {
        ip: '203.0.113.50',
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      });
      const b = apiClient(t.app, {
        ip: '203.0.113.51',
        userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      });
      expect((await b.post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(200);
      const list = await a.client.get('/api/v1/sessions');
      const sessions = list.body.sessions as { id: string; current: boolean; browser: string; os: string; ip: string }[];
      expect(sessions).toHaveLength(2);
      const mine = sessions.find((s) => s.current);
      const other = sessions.find((s) => !s.current);
      expect(mine).toMatchObject({ browser: 'Chrome 131', os: 'Windows 10', ip: '203.0.113.50' });
      expect(other).toMatchObject({ browser: 'Mobile Safari 18', os: 'iOS 18.1', ip: '203.0.113.51' });

      t.clock.advance(10 * MINUTE);
      const outside = await a.client.del(`/api/v1/sessions/${other?.id}`);
      expect(outside.status).toBe(403);
      expect(outside.body.code).toBe('privilege-required');
      expect((await b.get('/api/v1/session')).status).toBe(200);
      await a.client.post('/api/v1/session/reauthenticate', { password: a.password });
      expect((await a.client.del(`/api/v1/sessions/${other?.id}`)).status).toBe(204);
      expect((await b.get('/api/v1/session')).status).toBe(401); // docs/reference/security-requirements.md 2.5
      expect((await a.client.del(`/api/v1/sessions/${other?.id}`)).status).toBe(404);
    });

    it('"Überall sonst abmelden" ends every other session and keeps this one', async () => {
      const a = await signedInAccount(t);
      const others = [apiClient(t.app, { ip: '203.0.113.61' }), apiClient(t.app, { ip: '203.0.113.62' })];
      for (const other of others) await other.post('/api/v1/login', { email: a.email, password: a.password });
      expect((await a.client.del('/api/v1/sessions/others')).status).toBe(204);
      for (const other of others) expect((await other.get('/api/v1/session')).status).toBe(401);
      expect((await a.client.get('/api/v1/session')).status).toBe(200);
    });

    it('the window closes after 10 minutes (docs/reference/security-requirements.md 2.7)', async () => {
      const a = await signedInAccount(t);
      t.clock.advance(10 * MINUTE - 1);
      expect((await a.client.get('/api/v1/session')).body.privilegedUntil).not.toBeNull();
      t.clock.advance(1);
      expect((await a.client.get('/api/v1/session')).body.privilegedUntil).toBeNull();
      expect((await a.client.del('/api/v1/sessions/others')).body.code).toBe('privilege-required');
    });
  });

  describe(`${dialect}: changing the password, the login email, language and time zone (docs/reference/product.md §1)`, () => {
    const t = useTestApp(dialect);

    const hashOf = async (accountId: string) =>
      (await t.database.db.selectFrom('accounts').select('password_hash').where('id', '=', accountId).executeTakeFirstOrThrow()).password_hash;

    it('needs the current password, even inside the window; a wrong one changes nothing (docs/reference/security-requirements.md 1.9)', async () => {
      const { client, accountId } = await signedInAccount(t);
      const before = await hashOf(accountId);
      const missing = await client.put('/api/v1/account/password', { newPassword: 'Neues-Passwort-fuer-mich-9' });
      expect(missing.status).toBe(400);
      const wrong = await client.put('/api/v1/account/password', { currentPassword: 'falsch-falsch-falsch', newPassword: 'Neues-Passwort-fuer-mich-9' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('wrong-password');
      const weak = await client.put('/api/v1/account/password', { currentPassword: GOOD_PASSWORD, newPassword: 'password1' });
      expect(weak.body.code).toBe('password-too-common');
      expect(await hashOf(accountId)).toBe(before);
    });

    it('a change ends every other session, gives this one a new id, and tells the owner', async () => {
      const { client, email, accountId } = await signedInAccount(t, { locale: 'en' });
      const other = apiClient(t.app, { ip: '203.0.113.77' });
      await other.post('/api/v1/login', { email, password: GOOD_PASSWORD });
      const before = client.sessionCookie();
      const changed = await client.put('/api/v1/account/password', { currentPassword: GOOD_PASSWORD, newPassword: 'Neues-Passwort-fuer-mich-9' });
      expect(changed.status).toBe(200);
      expect(client.sessionCookie()).not.toBe(before);
      expect((await client.get('/api/v1/session')).status).toBe(200);
      expect((await other.get('/api/v1/session')).status).toBe(401);
      const notice = (await mailsTo(t, email)).find((m) => m.subject === 'Lifeline: Your password was changed');
      expect(notice?.text).toMatch(/changed on .+ \(device: Firefox 133 on Linux, IP address: 203\.0\.113\.10\)/);
      expect(notice?.text).not.toContain('Neues-Passwort-fuer-mich-9'); // docs/reference/security-requirements.md 3.14's rule for every notice
      expect((await apiClient(t.app).post('/api/v1/login', { email, password: GOOD_PASSWORD })).status).toBe(401);
      expect((await apiClient(t.app).post('/api/v1/login', { email, password: 'Neues-Passwort-fuer-mich-9' })).status).toBe(200);
      const events = await t.database.db.selectFrom('security_events').select('type').where('account_id', '=', accountId).execute();
      expect(events.map((e) => e.type)).toContain('password.changed');
    });

    it('a new login email: privileged, verified with a code (a settled account), a link to the new address, the old one stays until then and is told after', async () => {
      const { client, email, password } = await settledAccount(t);
      const newEmail = uniqueEmail('moved');
      t.clock.advance(11 * MINUTE);
      expect((await client.post('/api/v1/account/email', { newEmail })).body.code).toBe('privilege-required');
      expect((await client.post('/api/v1/account/email', { newEmail, password: 'falsch-falsch-falsch' })).body.code).toBe('wrong-password');
      // The login email has been confirmed for 7 days, so a code to it is needed too.
      const unverified = await client.post('/api/v1/account/email', { newEmail, password });
      expect([unverified.status, unverified.body.code]).toEqual([403, 'verification-required']);
      expect((await mailsTo(t, newEmail)).length).toBe(0);
      const accepted = await changeLoginEmailVerified(t, client, email, { newEmail, password });
      expect(accepted.status).toBe(202);
      expect(accepted.text).toBe('{"status":"accepted"}');
      const link = tokenIn((await lastMailTo(t, newEmail))?.text);
      expect((await lastMailTo(t, newEmail))?.text).toContain('/confirm-email-change?token=');
      expect((await apiClient(t.app).post('/api/v1/login', { email, password })).status).toBe(200); // old address still signs in
      const confirmed = await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({ email: newEmail, emailVerified: true });
      expect((await client.get('/api/v1/session')).body.account).toMatchObject({ email: newEmail });
      const told = (await mailsTo(t, email)).find((m) => m.subject.includes('E-Mail-Adresse für die Anmeldung wurde geändert'));
      expect(told?.text).toContain(newEmail);
      expect((await apiClient(t.app).post('/api/v1/login', { email, password })).status).toBe(401);
      expect((await apiClient(t.app).post('/api/v1/login', { email: newEmail, password })).status).toBe(200);
    });

    it('an address of another account: the same answer, no link, and its owner is told', async () => {
      const owner = await signedInAccount(t);
      const other = await signedInAccount(t);
      const answer = await other.client.post('/api/v1/account/email', { newEmail: owner.email.toUpperCase() });
      expect(answer.status).toBe(202);
      // The same body as for a free address: a fresh account's change waits 7 days either way.
      const free = await other.client.post('/api/v1/account/email', { newEmail: uniqueEmail('free') });
      expect(answer.text).toBe(free.text);
      expect(answer.body).toEqual({ status: 'accepted', effectiveAt: new Date(t.clock.now() + 7 * 24 * 3600 * 1000).toISOString() });
      const mails = await mailsTo(t, owner.email);
      expect(mails.some((m) => m.subject.includes('Jemand wollte Ihre E-Mail-Adresse eintragen'))).toBe(true);
      expect(mails.some((m) => m.text.includes('confirm-email-change'))).toBe(false);
    });

    it('the own address again: 422 same-as-current-email', async () => {
      const { client, email } = await signedInAccount(t);
      expect((await client.post('/api/v1/account/email', { newEmail: ` ${email.toUpperCase()} ` })).body.code).toBe('same-as-current-email');
    });

    it('a change link dies when a newer one is asked for; a taken address at confirmation is refused', async () => {
      const a = await signedInAccount(t);
      const first = uniqueEmail('first');
      const second = uniqueEmail('second');
      await a.client.post('/api/v1/account/email', { newEmail: first });
      const firstLink = tokenIn((await lastMailTo(t, first))?.text);
      await a.client.post('/api/v1/account/email', { newEmail: second });
      expect((await apiClient(t.app).post('/api/v1/account/email/confirm', { token: firstLink })).body.code).toBe('invalid-or-expired');
      const secondLink = tokenIn((await lastMailTo(t, second))?.text);
      await signedInAccount(t, { email: second }); // someone takes the address meanwhile
      const late = await apiClient(t.app).post('/api/v1/account/email/confirm', { token: secondLink });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('email-unavailable');
    });

    it('language and time zone', async () => {
      const { client } = await signedInAccount(t);
      const changed = await client.patch('/api/v1/account', { locale: 'en', timeZone: 'Asia/Tokyo' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ locale: 'en', timeZone: 'Asia/Tokyo' });
      expect((await client.get('/api/v1/session')).body.account).toMatchObject({ locale: 'en', timeZone: 'Asia/Tokyo' });
      const wrong = await client.patch('/api/v1/account', { timeZone: 'Mars/Olympus' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('invalid-time-zone');
      expect((await client.patch('/api/v1/account', { locale: 'fr' })).status).toBe(400);
    });
  });
}
