import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/core/clock.js';
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

/**
 * Parallel requests and the sequences a review found: each must end in clear 2xx/4xx answers,
 * never a 5xx, and never in a state an attacker can use.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: races and takeover sequences of accounts and sessions`, () => {
    const t = useTestApp(dialect);

    const statuses = (responses: { status: number }[]) => responses.map((r) => r.status).sort((a, b) => a - b);

    it('a sign-up whose mail is held back by the address limit still kills the older links (pre-registration takeover)', async () => {
      const email = uniqueEmail('victim');
      const attacker = apiClient(t.app, { ip: '198.51.100.200' });
      for (let i = 0; i < 4; i++) await attacker.post('/api/v1/signup', { email, password: `Angreifer-Passwort-${i}x` });
      const victim = apiClient(t.app, { ip: '203.0.113.200' });
      await victim.post('/api/v1/signup', { email, password: GOOD_PASSWORD }); // the 5th mail of the hour
      const victimsLink = tokenIn((await lastMailTo(t, email))?.text);
      const late = await attacker.post('/api/v1/signup', { email, password: 'Angreifer-Passwort-final' }); // no mail: limit
      expect(late.status).toBe(202);
      expect((await mailsTo(t, email)).length).toBe(5);
      const confirm = await victim.post('/api/v1/signup/confirm', { token: victimsLink });
      expect(confirm.body.code).toBe('invalid-or-expired'); // the link belonged to a password that is gone
      expect((await attacker.post('/api/v1/login', { email, password: 'Angreifer-Passwort-final' })).status).not.toBe(200);
    });

    it('parallel sign-ups of one new address: all 202, one account', async () => {
      const email = uniqueEmail('twice');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          apiClient(t.app, { ip: `203.0.113.${100 + i}` }).post('/api/v1/signup', {
            email: i % 2 ? email.toUpperCase() : email,
            password: `${GOOD_PASSWORD}${i}`,
          }),
        ),
      );
      expect(statuses(results)).toEqual([202, 202, 202, 202, 202, 202]);
      const rows = await t.database.db.selectFrom('accounts').select('id').where('email_normalized', '=', email).execute();
      expect(rows).toHaveLength(1);
    });

    it('parallel sign-ins from one browser (one device cookie): all 200, one device row', async () => {
      const { client, email, accountId } = await signedInAccount(t);
      const device = [...client.jar.entries()].find(([name]) => name.endsWith('lifeline_device'))?.[1];
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.app.inject({
            method: 'POST',
            url: '/api/v1/login',
            remoteAddress: '203.0.113.10',
            headers: { 'content-type': 'application/json', cookie: `lifeline_device=${device}` },
            payload: JSON.stringify({ email, password: GOOD_PASSWORD }),
          }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
      expect(await t.database.db.selectFrom('devices').select('id').where('account_id', '=', accountId).execute()).toHaveLength(1);
    });

    it('two tabs change the password at once: one succeeds, the other is refused, nothing 5xx', async () => {
      const { client, email } = await signedInAccount(t);
      const second = apiClient(t.app);
      await second.post('/api/v1/login', { email, password: GOOD_PASSWORD });
      const [a, b] = await Promise.all([
        client.put('/api/v1/account/password', { currentPassword: GOOD_PASSWORD, newPassword: 'Erstes-neues-Passwort-1' }),
        second.put('/api/v1/account/password', { currentPassword: GOOD_PASSWORD, newPassword: 'Zweites-neues-Passwort-2' }),
      ]);
      const all = [a.status, b.status].sort((x, y) => x - y);
      expect(all[0]).toBe(200);
      expect([401, 403]).toContain(all[1]);
      const winner = a.status === 200 ? 'Erstes-neues-Passwort-1' : 'Zweites-neues-Passwort-2';
      expect((await apiClient(t.app).post('/api/v1/login', { email, password: winner })).status).toBe(200);
    });

    it('"sign out everywhere else" racing a re-authentication elsewhere: 204 and 401, nothing 5xx', async () => {
      const { client, email, password } = await signedInAccount(t);
      const other = apiClient(t.app, { ip: '203.0.113.90' });
      await other.post('/api/v1/login', { email, password });
      const [revoke, reauth] = await Promise.all([client.del('/api/v1/sessions/others'), other.post('/api/v1/session/reauthenticate', { password })]);
      expect(revoke.status).toBe(204);
      expect([200, 401]).toContain(reauth.status);
      expect((await other.get('/api/v1/session')).status).toBe(401);
    });

    it('a password sent with a protected request counts as a re-authentication: new id, window, log row (docs/reference/product.md §1)', async () => {
      const { client, accountId, password } = await signedInAccount(t);
      t.clock.advance(11 * MINUTE);
      const cookie = client.sessionCookie();
      const csrf = client.csrfToken();
      const r = await client.post('/api/v1/account/email', { newEmail: uniqueEmail('with-password'), password });
      expect(r.status).toBe(202);
      expect(client.sessionCookie()).not.toBe(cookie);
      expect(client.csrfToken()).not.toBe(csrf);
      expect((await client.get('/api/v1/session')).body.privilegedUntil).toBe(new Date(t.clock.now() + 10 * MINUTE).toISOString());
      const rows = await t.database.db
        .selectFrom('security_events')
        .select(['type', 'details'])
        .where('account_id', '=', accountId)
        .where('type', '=', 'session.reauthenticated')
        .execute();
      expect(rows.some((row) => row.details?.includes('password-in-request'))).toBe(true);
    });

    it('an unconfirmed sign-up of an address does not block a confirmed account from moving to it', async () => {
      const squatted = uniqueEmail('squatted');
      await apiClient(t.app, { ip: '198.51.100.201' }).post('/api/v1/signup', { email: squatted, password: 'Besetzt-Passwort-1234' });
      const mover = await settledAccount(t);
      expect((await changeLoginEmailVerified(t, mover.client, mover.email, { newEmail: squatted, password: mover.password })).status).toBe(202);
      const link = (await mailsTo(t, squatted)).find((m) => m.text.includes('confirm-email-change'));
      const confirmed = await apiClient(t.app).post('/api/v1/account/email/confirm', { token: tokenIn(link?.text) });
      expect(confirmed.status).toBe(200);
      const holders = await t.database.db.selectFrom('accounts').select('id').where('email_normalized', '=', squatted).execute();
      expect(holders).toEqual([{ id: mover.accountId }]);
    });

    it('two accounts confirm the same new address at once: one 200, the other 409 email-unavailable', async () => {
      const target = uniqueEmail('contested');
      const a = await settledAccount(t);
      const b = await settledAccount(t);
      const a2 = apiClient(t.app);
      await a2.post('/api/v1/login', { email: a.email, password: a.password });
      await changeLoginEmailVerified(t, a2, a.email, { newEmail: target, password: a.password });
      t.clock.advance(1);
      await changeLoginEmailVerified(t, b.client, b.email, { newEmail: target, password: b.password });
      const links = (await mailsTo(t, target)).filter((m) => m.text.includes('confirm-email-change')).map((m) => tokenIn(m.text));
      expect(links).toHaveLength(2);
      const results = await Promise.all(links.map((token) => apiClient(t.app).post('/api/v1/account/email/confirm', { token })));
      expect(statuses(results)).toEqual([200, 409]);
    });

    it('a session id with a NUL byte or not a UUID → 400, not 5xx', async () => {
      const { client } = await signedInAccount(t);
      for (const id of ['%00', 'a%00b', 'not-a-uuid']) {
        const r = await client.del(`/api/v1/sessions/${id}`);
        expect(r.status, id).toBe(400);
      }
    });

    it('an internationalised address is shown and mailed to in punycode, its local part as typed', async () => {
      const local = `Anna.${Date.now()}`;
      const client = apiClient(t.app);
      expect((await client.post('/api/v1/signup', { email: `${local}@Müller.Example`, password: GOOD_PASSWORD })).status).toBe(202);
      const shown = `${local}@xn--mller-kva.example`;
      const mail = await lastMailTo(t, shown);
      expect(mail?.subject).toContain('bestätigen');
      expect((await client.post('/api/v1/signup/confirm', { token: tokenIn(mail?.text) })).body).toEqual({ email: shown, emailVerified: true });
      expect((await client.post('/api/v1/login', { email: `${local.toLowerCase()}@müller.example`, password: GOOD_PASSWORD })).status).toBe(200);
      expect(((await client.get('/api/v1/session')).body.account as { email: string }).email).toBe(shown);
    });
  });
}
