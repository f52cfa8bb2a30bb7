import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, SECOND } from '../../src/core/clock.js';
import { apiClient, changeLoginEmailVerified, settledAccount, lastMailTo, mailsTo, signedInAccount, tokenIn, uniqueEmail } from '../helpers/api-client.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createTestApp, ipSequence, securityEventTypes, type TestApp, useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/** Each account its own client address: the per-client send cap (5 an hour) is not what these tests are about. */
const nextIp = ipSequence('198.18');

type RecoveryBody = { email: { status: string; address?: string; pending?: { address: string; expiresAt: string; resendAvailableAt: string } } };

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: recovery email, "Kontowiederherstellung → E-Mail-Adresse" (docs/reference/product.md §2)`, () => {
    const t = useTestApp(dialect);

    const recovery = async (client: ReturnType<typeof apiClient>) => (await client.get('/api/v1/recovery')).body as RecoveryBody;
    const confirmLink = async (address: string) => tokenIn((await mailsTo(t, address)).find((m) => m.text.includes('/confirm-recovery-email?token='))?.text);

    it('set up → pending → link to the new address only → confirm (POST) → active; the login email is told', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      expect(await recovery(a.client)).toEqual({ email: { status: 'none' }, phone: { status: 'none' }, codes: { status: 'none' } });
      const address = uniqueEmail('rec');
      const set = await a.client.put('/api/v1/recovery/email', { address });
      expect(set.status).toBe(202);
      const pending = await recovery(a.client);
      expect(pending.email).toEqual({
        status: 'pending',
        pending: { address, expiresAt: new Date(t.clock.now() + DAY).toISOString(), resendAvailableAt: new Date(t.clock.now() + MINUTE).toISOString() },
      });
      const token = await confirmLink(address);
      expect(token).toBeDefined();
      expect((await mailsTo(t, a.email)).some((m) => m.text.includes('confirm-recovery-email'))).toBe(false);
      // Opening the link's page (what a mail scanner does) changes nothing.
      const page = await t.app.inject({
        method: 'GET',
        url: `/confirm-recovery-email?token=${encodeURIComponent(token ?? '')}`,
        headers: { accept: 'text/html' },
      });
      expect(page.statusCode).toBe(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect((await recovery(a.client)).email.status).toBe('pending');
      // Confirmed from another device: no session, the token alone.
      const confirmed = await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({ status: 'active', address });
      expect((await recovery(a.client)).email).toEqual({ status: 'active', address });
      const told = (await mailsTo(t, a.email)).find((m) => m.subject === 'Lifeline: Wiederherstellungs-E-Mail eingerichtet');
      expect(told?.text).toContain(address);
      expect(await securityEventTypes(t, a.accountId)).toEqual(expect.arrayContaining(['recovery_email.setup_requested', 'recovery_email.added']));
      // The notice of a later event reaches both addresses (docs/reference/product.md §4).
      await a.client.put('/api/v1/account/password', { currentPassword: a.password, newPassword: 'Ein-ganz-neues-Passwort-5' });
      expect((await mailsTo(t, address)).some((m) => m.subject === 'Lifeline: Ihr Passwort wurde geändert')).toBe(true);
    });

    it('refuses the login email itself, in any case (422 same-as-login-email)', async () => {
      const a = await signedInAccount(t, { ip: nextIp(), email: `Max.${Date.now()}@Example.COM` });
      const r = await a.client.put('/api/v1/recovery/email', { address: a.email.toLowerCase() });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('same-as-login-email');
      expect(String(r.body.detail)).toContain('andere E-Mail-Adresse');
      expect((await recovery(a.client)).email.status).toBe('none');
    });

    it('needs the password: outside the window 403 privilege-required, a wrong one 403 wrong-password, nothing stored', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      t.clock.advance(10 * MINUTE + SECOND);
      const address = uniqueEmail('late');
      expect((await a.client.put('/api/v1/recovery/email', { address })).body.code).toBe('privilege-required');
      expect((await a.client.put('/api/v1/recovery/email', { address, password: 'falsch-falsch-falsch' })).body.code).toBe('wrong-password');
      expect((await recovery(a.client)).email.status).toBe('none');
      expect(await lastMailTo(t, address)).toBeUndefined();
      expect((await a.client.put('/api/v1/recovery/email', { address, password: a.password })).status).toBe(202);
    });

    it('a link expires after 24 hours; a used link and the link of a replaced setup are dead', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const first = uniqueEmail('first');
      await a.client.put('/api/v1/recovery/email', { address: first });
      const firstLink = await confirmLink(first);
      t.clock.advance(MINUTE);
      const second = uniqueEmail('second');
      await a.client.put('/api/v1/recovery/email', { address: second }); // replaces the pending setup
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: firstLink })).body.code).toBe('invalid-or-expired');
      const secondLink = await confirmLink(second);
      t.clock.advance(DAY);
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: secondLink })).body.code).toBe('invalid-or-expired');
      expect((await recovery(a.client)).email.status).toBe('pending');
      // A fresh link, used twice.
      await a.client.post('/api/v1/session/reauthenticate', { password: a.password });
      await a.client.post('/api/v1/recovery/email/resend');
      const fresh = await confirmLink(second);
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: fresh })).status).toBe(200);
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: fresh })).status).toBe(400);
    });

    it('100 parallel confirmations: exactly one succeeds, none fails with 5xx', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const address = uniqueEmail('race');
      await a.client.put('/api/v1/recovery/email', { address });
      const token = await confirmLink(address);
      const results = await Promise.all(Array.from({ length: 100 }, () => apiClient(t.app).post('/api/v1/recovery/email/confirm', { token })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.every((r) => r.status < 500)).toBe(true);
    });

    it('a change keeps the old address active until the new one is confirmed; then the old one is told', async () => {
      const a = await signedInAccount(t, { ip: nextIp(), locale: 'en' });
      const old = uniqueEmail('old');
      await a.client.put('/api/v1/recovery/email', { address: old });
      await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: await confirmLink(old) });
      const next = uniqueEmail('next');
      expect((await a.client.put('/api/v1/recovery/email', { address: next })).status).toBe(202);
      const view = await recovery(a.client);
      expect(view.email.status).toBe('active');
      expect(view.email.address).toBe(old);
      expect(view.email.pending?.address).toBe(next);
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: await confirmLink(next) })).status).toBe(200);
      expect((await recovery(a.client)).email).toEqual({ status: 'active', address: next });
      const replaced = (await mailsTo(t, old)).find((m) => m.subject === 'Lifeline: This address is no longer used for account recovery');
      expect(replaced?.text).toMatch(
        new RegExp(`replaced by ${next.replace(/[.+]/g, '\\$&')} \\(device: Firefox 133 on Linux, IP address: 203\\.0\\.113\\.10\\)`),
      );
      expect((await mailsTo(t, a.email)).some((m) => m.subject === 'Lifeline: Recovery email changed')).toBe(true);
      expect(await securityEventTypes(t, a.accountId)).toContain('recovery_email.changed');
    });

    it('cancelling a pending change leaves the active address untouched; removal tells the removed address and the login email', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const active = uniqueEmail('active');
      await a.client.put('/api/v1/recovery/email', { address: active });
      await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: await confirmLink(active) });
      await a.client.put('/api/v1/recovery/email', { address: uniqueEmail('cancelled') });
      expect((await a.client.del('/api/v1/recovery/email/pending')).status).toBe(204);
      expect((await recovery(a.client)).email).toEqual({ status: 'active', address: active });
      expect((await a.client.del('/api/v1/recovery/email/pending')).status).toBe(404); // nothing pending any more
      t.clock.advance(11 * MINUTE);
      expect((await a.client.del('/api/v1/recovery/email')).body.code).toBe('privilege-required');
      await a.client.post('/api/v1/session/reauthenticate', { password: a.password });
      expect((await a.client.del('/api/v1/recovery/email')).status).toBe(204);
      expect((await recovery(a.client)).email).toEqual({ status: 'none' });
      expect((await mailsTo(t, active)).some((m) => m.subject.includes('dient nicht mehr der Kontowiederherstellung'))).toBe(true);
      expect((await mailsTo(t, a.email)).some((m) => m.subject === 'Lifeline: Wiederherstellungs-E-Mail entfernt')).toBe(true);
      expect(await securityEventTypes(t, a.accountId)).toContain('recovery_email.removed');
    });

    it('another account’s session cannot cancel or remove; a missing CSRF token is refused; nothing changes', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const address = uniqueEmail('mine');
      await a.client.put('/api/v1/recovery/email', { address });
      const stranger = await signedInAccount(t, { ip: nextIp() });
      expect((await stranger.client.del('/api/v1/recovery/email/pending')).status).toBe(404);
      expect((await stranger.client.del('/api/v1/recovery/email')).status).toBe(404);
      expect((await a.client.del('/api/v1/recovery/email/pending', { 'x-csrf-token': '' })).status).toBe(403);
      expect((await a.client.put('/api/v1/recovery/email', { address: uniqueEmail('x') }, { 'x-csrf-token': 'forged' })).status).toBe(403);
      expect((await recovery(a.client)).email.pending?.address).toBe(address);
    });

    it('"erneut senden": at most once a minute (429 with Retry-After), five mails an hour per account', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const address = uniqueEmail('resend');
      await a.client.put('/api/v1/recovery/email', { address });
      const early = await a.client.post('/api/v1/recovery/email/resend');
      expect(early.status).toBe(429);
      expect(early.headers['retry-after']).toBe('60');
      expect(String(early.body.detail)).toContain('60');
      for (let i = 0; i < 4; i++) {
        t.clock.advance(MINUTE);
        expect((await a.client.post('/api/v1/recovery/email/resend')).status).toBe(202);
      }
      t.clock.advance(MINUTE);
      const capped = await a.client.post('/api/v1/recovery/email/resend');
      expect(capped.status).toBe(429); // 5 an hour (1 setup + 4 resends)
      expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);
      expect((await mailsTo(t, address)).length).toBe(5);
      t.clock.advance(HOUR);
    });

    it('"erneut senden" clicked three times at once: one mail, the other clicks 429', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const address = uniqueEmail('impatient');
      await a.client.put('/api/v1/recovery/email', { address });
      t.clock.advance(MINUTE);
      const statuses = (await Promise.all([1, 2, 3].map(() => a.client.post('/api/v1/recovery/email/resend')))).map((r) => r.status);
      expect(statuses.sort()).toEqual([202, 429, 429]);
      expect((await mailsTo(t, address)).length).toBe(2);
    });

    it('five confirmation mails an hour per recipient address and per IP (429 + Retry-After); other purposes keep their own caps', async () => {
      // Per recipient: five accounts (each from its own IP) may name the same address, the sixth is refused.
      const shared = uniqueEmail('popular');
      for (let i = 0; i < 5; i++) {
        const a = await signedInAccount(t, { ip: nextIp() });
        expect((await a.client.put('/api/v1/recovery/email', { address: shared })).status).toBe(202);
      }
      const sixth = await signedInAccount(t, { ip: nextIp() });
      const refused = await sixth.client.put('/api/v1/recovery/email', { address: shared });
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('rate-limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await recovery(sixth.client)).email.status).toBe('none');
      expect((await mailsTo(t, shared)).length).toBe(5);
      // The sign-up link is another purpose: its own cap, so it still reaches the address.
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/signup', { email: shared, password: 'Ein-anderes-Passwort-7' })).status).toBe(202);
      expect((await mailsTo(t, shared)).some((m) => m.text.includes('/confirm-email?token='))).toBe(true);

      // Per IP: five setups from one client address, whichever accounts and recipients, then 429.
      const ip = nextIp();
      const accounts = [];
      for (let i = 0; i < 3; i++) accounts.push(await signedInAccount(t, { ip }));
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await accounts[i % 3]!.client.put('/api/v1/recovery/email', { address: uniqueEmail(`ip${i}`) })).status);
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
      // (The buckets run on real time inside rate-limiter-flexible, not on the test clock, so the
      // refill after the hour is the library's behaviour and not asserted here.)
    });

    it('changing the login email to the recovery address removes the recovery address, which is told', async () => {
      const a = await settledAccount(t, { ip: nextIp() });
      const address = uniqueEmail('both');
      await a.client.put('/api/v1/recovery/email', { address, password: a.password });
      await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: await confirmLink(address) });
      expect((await changeLoginEmailVerified(t, a.client, a.email, { newEmail: address, password: a.password })).status).toBe(202);
      const link = tokenIn((await mailsTo(t, address)).find((m) => m.text.includes('/confirm-email-change?token='))?.text);
      expect((await apiClient(t.app).post('/api/v1/account/email/confirm', { token: link })).status).toBe(200);
      expect((await recovery(a.client)).email).toEqual({ status: 'none' });
      expect((await mailsTo(t, address)).some((m) => m.subject.includes('dient nicht mehr der Kontowiederherstellung'))).toBe(true);
    });
  });
}

describe('sqlite: the recovery email through a real SMTP server', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp('sqlite', { env: { SMTP_URL: sink.url, MAIL_FROM: 'Lifeline <no-reply@example.com>' } });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('the confirmation link arrives at the new address only, and confirms', async () => {
    const email = uniqueEmail('smtp-owner');
    const owner = apiClient(t.app);
    // No development mailbox here: the sign-up link comes through SMTP too.
    await owner.post('/api/v1/signup', { email, password: 'Korrekt-Pferd-Batterie-42' });
    await t.services.worker.runOnce();
    await sink.waitFor(1);
    await owner.post('/api/v1/signup/confirm', { token: tokenIn(sink.received[0]?.parsed.text ?? '') });
    await owner.post('/api/v1/login', { email, password: 'Korrekt-Pferd-Batterie-42' });
    const address = uniqueEmail('smtp-rec');
    expect((await owner.put('/api/v1/recovery/email', { address })).status).toBe(202);
    await t.services.worker.runOnce();
    await sink.waitFor(2);
    const mails = sink.received;
    const link = mails.find((m) => m.envelope.to.includes(address));
    expect(link?.parsed.subject).toBe('Lifeline: Bitte bestätigen Sie Ihre Adresse zur Kontowiederherstellung');
    expect(mails.filter((m) => m.envelope.to.includes(email)).some((m) => (m.parsed.text ?? '').includes('confirm-recovery-email'))).toBe(false);
    expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: tokenIn(link?.parsed.text ?? '') })).status).toBe(200);
  });
});
