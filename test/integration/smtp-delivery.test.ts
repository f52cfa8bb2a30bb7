import type { AddressObject, ParsedMail } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import type { OutboxMessageRow } from '../../src/db/tables.js';
import { queueTestMail } from '../../src/notifications/test-mail.js';
import { startServer } from '../../src/server.js';
import { apiClient } from '../helpers/api-client.js';
import { captureLogs } from '../helpers/log-capture.js';
import { findFreePort, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase } from '../helpers/test-database.js';

const MAIL_FROM_ADDRESS = 'lifeline@example.test';
const PUBLIC_URL = 'http://127.0.0.1:3000';

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** Every http(s) URL in a text or HTML body. */
function urlsIn(body: string): string[] {
  return body.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
}

/** What every Lifeline email must look like: sender, both parts, no tracking, transactional. */
function expectWellFormed(mail: ParsedMail): void {
  expect(mail.from?.value).toEqual([{ address: MAIL_FROM_ADDRESS, name: 'Lifeline Test' }]);
  expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
  expect(mail.text).toBeTruthy();
  expect(typeof mail.html).toBe('string');
  const html = String(mail.html);
  expect(html).not.toMatch(/<img\b/i);
  expect(html).not.toMatch(/url\(/i); // no remote CSS backgrounds either
  expect(html).not.toMatch(/<(script|iframe|link|object)\b/i);
  for (const url of [...urlsIn(html), ...urlsIn(mail.text ?? '')]) expect(url.startsWith(`${PUBLIC_URL}/`) || url === PUBLIC_URL).toBe(true);
}

describe('sqlite: email through a real SMTP server', () => {
  let sink: SmtpSink;
  let t: TestApp;
  /** Recipients the SMTP server refuses, with its reply code. */
  const rejected = new Map<string, number>();
  /** Recipients the SMTP server refuses with a reply text of its own. */
  const rejectedWithText = new Map<string, { code: number; text: string }>();
  /** Recipients whose mail the SMTP server refuses after DATA, with its reply code. */
  const refusedContent = new Map<string, number>();

  beforeAll(async () => {
    sink = await startSmtpSink({
      rejectRecipient: (address) => rejected.get(address) ?? rejectedWithText.get(address),
      rejectData: (recipients) => refusedContent.get(recipients[0] ?? ''),
    });
    t = await createTestApp('sqlite', { env: { SMTP_URL: sink.url, MAIL_FROM: `Lifeline Test <${MAIL_FROM_ADDRESS}>`, PUBLIC_URL } });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });
  beforeEach(() => {
    sink.received.length = 0;
  });

  const row = (id: string): Promise<OutboxMessageRow> => t.database.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('uses SMTP, not the development mailbox, once SMTP_URL is set', async () => {
    expect(t.config.delivery.devMailbox).toBe(false);
    expect(t.services.channels.email?.transport).toBe('smtp');
    expect(t.services.devMailbox).toBeUndefined();
    const r = await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages' });
    expect(r.statusCode).toBe(404);
  });

  it('delivers the operator test mail in German and English: sender, recipient, subject, text and HTML, no tracking', async () => {
    const de = await queueTestMail(t.services, { to: 'ops@example.com', locale: 'de' });
    const en = await queueTestMail(t.services, { to: 'ops-en@example.com', locale: 'en' });
    expect(await t.services.worker.runOnce()).toBe(2);
    await sink.waitFor(2);

    const byRecipient = new Map(sink.received.map((m) => [m.envelope.to.join(','), m]));
    const german = byRecipient.get('ops@example.com');
    const english = byRecipient.get('ops-en@example.com');
    if (!german || !english) throw new Error(`unexpected recipients: ${[...byRecipient.keys()].join(' ')}`);

    expect(german.envelope.from).toBe(MAIL_FROM_ADDRESS);
    expect(addresses(german.parsed.to)).toEqual(['ops@example.com']);
    expect(german.parsed.subject).toBe('Lifeline: Test-E-Mail');
    expect(german.parsed.text).toContain('funktioniert der E-Mail-Versand von Lifeline');
    expect(german.parsed.html).toContain('funktioniert der E-Mail-Versand von Lifeline');
    expect(german.parsed.html).toContain('<html lang="de">');
    expectWellFormed(german.parsed);

    expect(english.envelope.from).toBe(MAIL_FROM_ADDRESS);
    expect(addresses(english.parsed.to)).toEqual(['ops-en@example.com']);
    expect(english.parsed.subject).toBe('Lifeline: test email');
    expect(english.parsed.text).toContain('Lifeline can deliver email');
    expect(english.parsed.html).toContain('<html lang="en">');
    expectWellFormed(english.parsed);

    // One multipart/alternative mail: plain text first, then HTML.
    expect(german.raw.toString('utf8')).toMatch(/^Content-Type: multipart\/alternative;/m);
    // Non-ASCII survives the trip (umlauts, typographic quotes).
    expect(german.parsed.text).toContain('„lifeline mail-test“');

    for (const id of [de, en]) expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1, payload: null });
    expect(await t.services.worker.runOnce()).toBe(0);
    expect(sink.received).toHaveLength(2);
  });

  it('keeps a message while the SMTP server is away and delivers it exactly once when it is back', async () => {
    await sink.stop();
    const id = await queueTestMail(t.services, { to: 'later@example.com', locale: 'en' });
    expect(await t.services.worker.runOnce()).toBe(1);
    const waiting = await row(id);
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1, sent_at: null });
    expect(waiting.last_error).toBeTruthy();
    expect(waiting.payload).not.toBeNull();
    expect(waiting.next_attempt_at).toBeGreaterThan(t.clock.now());
    expect(t.logs().some((l) => l.event === 'delivery.retry' && l.messageId === id)).toBe(true);

    // Still away when the retry comes due: a second failed try.
    t.clock.set(waiting.next_attempt_at);
    expect(await t.services.worker.runOnce()).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 2 });

    await sink.start(); // the same port again
    expect(await t.services.worker.runOnce()).toBe(0); // not due yet: nothing is sent early
    expect(sink.received).toHaveLength(0);
    t.clock.set((await row(id)).next_attempt_at);
    expect(await t.services.worker.runOnce()).toBe(1);
    await sink.waitFor(1);

    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]?.envelope.to).toEqual(['later@example.com']);
    expect(sink.received[0]?.parsed.subject).toBe('Lifeline: test email');
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 3, payload: null, last_error: null });

    t.clock.advance(3600_000);
    expect(await t.services.worker.runOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.received).toHaveLength(1);
  });

  it('security notices survive an SMTP outage: stopped, then started, each delivered exactly once with its undo link ("Das war ich nicht")', async () => {
    const email = `owner-${Date.now()}@example.com`;
    const password = 'Korrekt-Pferd-Batterie-42';
    const now = t.clock.now();
    await t.database.db
      .insertInto('accounts')
      .values({
        id: `acc-${Date.now()}`,
        email,
        email_normalized: email,
        locale: 'de',
        created_at: now,
        updated_at: now,
        password_hash: await t.services.hasher.hash(password),
        email_verified_at: now,
        password_changed_at: now,
        signup_notice_at: null,
        throttle_notice_at: null,
      })
      .execute();
    const first = apiClient(t.app, { ip: '192.0.2.1' });
    expect((await first.post('/api/v1/login', { email, password })).status).toBe(200);
    await t.services.worker.runOnce();
    sink.received.length = 0;

    await sink.stop();
    // A sign-in from a new device, then a password change: two notices to the login email.
    expect((await apiClient(t.app, { ip: '192.0.2.2' }).post('/api/v1/login', { email, password })).status).toBe(200);
    expect((await first.put('/api/v1/account/password', { currentPassword: password, newPassword: 'Ein-neues-Passwort-hier-7' })).status).toBe(200);
    const queued = await t.database.db.selectFrom('outbox_messages').selectAll().where('recipient', '=', email).where('status', '=', 'queued').execute();
    expect(queued.map((m) => m.kind).sort()).toEqual(['account.new-device-signin', 'account.password-changed']);
    await t.services.worker.runOnce();
    for (const message of queued) expect((await row(message.id)).attempts).toBe(1);

    await sink.start();
    for (let round = 0; round < 3; round++) {
      t.clock.advance(3600_000);
      await t.services.worker.runOnce();
    }
    await sink.waitFor(2);
    const subjects = sink.received.filter((m) => m.envelope.to.includes(email)).map((m) => m.parsed.subject);
    expect(subjects.sort()).toEqual(['Lifeline: Anmeldung auf einem neuen Gerät', 'Lifeline: Ihr Passwort wurde geändert']);
    for (const mail of sink.received) expect(mail.parsed.text).toContain(`${PUBLIC_URL}/undo?token=`);
    for (const message of queued) expect(await row(message.id)).toMatchObject({ status: 'sent', payload: null });
  });

  it('fails a message at once on an SMTP 550 (permanent)', async () => {
    rejected.set('nobody@example.com', 550);
    try {
      const id = await queueTestMail(t.services, { to: 'nobody@example.com', locale: 'de' });
      expect(await t.services.worker.runOnce()).toBe(1);
      const failed = await row(id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, payload: null, sent_at: null });
      expect(failed.last_error).toContain('550');
      expect(sink.received).toHaveLength(0);
      const failures = await t.services.metrics.messageFailures.get();
      expect(failures.values).toContainEqual({ labels: { channel: 'email', transport: 'smtp', final: 'true' }, value: 1 });

      t.clock.advance(24 * 3600_000);
      expect(await t.services.worker.runOnce()).toBe(0);
    } finally {
      rejected.delete('nobody@example.com');
    }
  });

  it('retries a relay refusal (5.7.x at RCPT TO): the relay’s configuration, not the address, is wrong', async () => {
    rejectedWithText.set('relay@example.com', { code: 554, text: '5.7.1 <relay@example.com>: Relay access denied' });
    try {
      const id = await queueTestMail(t.services, { to: 'relay@example.com', locale: 'de' });
      expect(await t.services.worker.runOnce()).toBe(1);
      const waiting = await row(id);
      expect(waiting).toMatchObject({ status: 'queued', attempts: 1 });
      expect(waiting.last_error).toContain('Relay access denied');
      expect(waiting.payload).not.toBeNull();
      rejectedWithText.delete('relay@example.com');
      t.clock.set(waiting.next_attempt_at);
      expect(await t.services.worker.runOnce()).toBe(1);
      expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
      await sink.waitFor(1);
    } finally {
      rejectedWithText.delete('relay@example.com');
    }
  });

  it('fails a message at once when the server refuses its content with a 5xx after DATA', async () => {
    refusedContent.set('filtered@example.com', 554);
    try {
      const id = await queueTestMail(t.services, { to: 'filtered@example.com', locale: 'de' });
      expect(await t.services.worker.runOnce()).toBe(1);
      expect(await row(id)).toMatchObject({ status: 'failed', attempts: 1, payload: null, last_error: expect.stringContaining('554') });
      expect(sink.received).toHaveLength(0);
    } finally {
      refusedContent.delete('filtered@example.com');
    }
  });

  it('retries a message on an SMTP 450 (temporary) and delivers it once the mailbox takes it', async () => {
    rejected.set('busy@example.com', 450);
    const id = await queueTestMail(t.services, { to: 'busy@example.com', locale: 'en' });
    expect(await t.services.worker.runOnce()).toBe(1);
    const waiting = await row(id);
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1 });
    expect(waiting.last_error).toContain('450');
    expect(sink.received).toHaveLength(0);

    rejected.delete('busy@example.com');
    t.clock.set(waiting.next_attempt_at);
    expect(await t.services.worker.runOnce()).toBe(1);
    await sink.waitFor(1);
    expect(sink.received.map((m) => m.envelope.to)).toEqual([['busy@example.com']]);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('sqlite: an unreachable SMTP server at start', () => {
  it('does not stop the service: it starts, /health answers 200, and the message waits queued', async () => {
    const smtpPort = await findFreePort(); // nothing listens there
    const httpPort = await findFreePort();
    const testDb = await createTestDatabase('sqlite');
    const config = testConfig({
      DATABASE_URL: testDb.url,
      DATA_DIR: testDb.dir,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PORT: String(httpPort),
      PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
    });
    const clock = createManualClock();
    const { logger, records } = captureLogs('info');
    const server = await startServer(config, { clock, logger });
    try {
      const health = await fetch(`${server.address}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${server.address}/ready`)).status).toBe(200);

      const id = await queueTestMail(server.services, { to: 'ops@example.com', locale: 'de' });
      // The in-process worker polls every OUTBOX_POLL_INTERVAL_MS (50 ms here): wait for its try.
      const waiting = await vi.waitFor(
        async () => {
          const r = await server.services.database.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          // Claiming counts the try; wait until the worker has also settled it.
          if (r.attempts < 1 || r.status === 'processing') throw new Error(`not tried yet (${r.status})`);
          return r;
        },
        { timeout: 5000, interval: 20 },
      );
      expect(waiting).toMatchObject({ status: 'queued', attempts: 1, sent_at: null });
      expect(waiting.last_error).toMatch(/ECONNREFUSED|connect/i);
      expect(waiting.payload).not.toBeNull();
      expect(records().some((l) => l.event === 'delivery.retry' && l.messageId === id)).toBe(true);

      // The service still answers.
      expect((await fetch(`${server.address}/health`)).status).toBe(200);
      const metrics = await (await fetch(`${server.address}/metrics`)).text();
      expect(metrics).toContain('lifeline_outbox_messages{status="queued"} 1');
    } finally {
      await server.close();
      await testDb.drop();
    }
  });
});

describe('sqlite: an SMTP login that is refused', () => {
  it('keeps the messages queued (a configuration problem, not theirs) and delivers them once SMTP_URL is fixed', async () => {
    const sink = await startSmtpSink({ users: { lifeline: 'right-password' } });
    const wrong = await createTestApp('sqlite', { env: { SMTP_URL: `smtp://lifeline:wrong-password@127.0.0.1:${sink.port}` } });
    try {
      const id = await queueTestMail(wrong.services, { to: 'ops@example.com', locale: 'de' });
      expect(await wrong.services.worker.runOnce()).toBe(1);
      const waiting = await wrong.database.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(waiting).toMatchObject({ status: 'queued', attempts: 1, sent_at: null });
      expect(waiting.last_error).toContain('535');
      expect(waiting.payload).not.toBeNull();
      expect(sink.received).toHaveLength(0);

      // The operator corrects the password and restarts: the waiting message goes out.
      const fixed = await createTestApp('sqlite', { testDb: wrong.testDb, env: { SMTP_URL: `smtp://lifeline:right-password@127.0.0.1:${sink.port}` } });
      try {
        fixed.clock.set(waiting.next_attempt_at);
        expect(await fixed.services.worker.runOnce()).toBe(1);
        await sink.waitFor(1);
        expect(sink.received[0]?.envelope.to).toEqual(['ops@example.com']);
        expect(await fixed.database.db.selectFrom('outbox_messages').select(['status', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
          status: 'sent',
          attempts: 2,
        });
      } finally {
        await fixed.close();
      }
    } finally {
      await wrong.close();
      await sink.stop();
    }
  });
});
