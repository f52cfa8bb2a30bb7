import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECOND } from '../../src/core/clock.js';
import { inTransaction } from '../../src/db/transaction.js';
import type { OutboxMessageRow } from '../../src/db/tables.js';
import { PermanentDeliveryError, type Channel, type Channels, type DeliverableMessage } from '../../src/delivery/channels/channel.js';
import type { OutgoingMessage } from '../../src/delivery/outbox/outbox.js';
import { createOutboxRepository } from '../../src/delivery/outbox/outbox-repository.js';
import { createOutboxWorker, retryDelayMs } from '../../src/delivery/outbox/outbox-worker.js';
import type { MessageCatalogue } from '../../src/notifications/catalogue.js';
import { createNotifier } from '../../src/notifications/notifier.js';
import { createRecipientRepository } from '../../src/notifications/recipient-repository.js';
import { emailWithLinkAndCode, outgoingMessage } from '../helpers/outbox-message.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

const CODE = '583920';
const TOKEN = 'tK9vQ2mXr7LpW4sZ8bNc';
const PUBLIC_URL = 'http://127.0.0.1:3000';

/** A message carrying a code and a link token, as a recovery flow would queue it. */
function messageWithSecrets(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return outgoingMessage('test.code', 'email', 'ada@example.com', {
    subject: 'Ihr Bestätigungscode',
    text: `Ihr Code:\n${CODE}\n\nBestätigen:\n${PUBLIC_URL}/confirm-email?token=${TOKEN}`,
    html: `<p>${CODE}</p><p><a href="${PUBLIC_URL}/confirm-email?token=${TOKEN}">Bestätigen</a></p>`,
    secrets: [CODE, TOKEN],
    ...overrides,
  });
}

/** A channel built to the Channel interface whose behaviour the test decides per call. */
function fakeChannel(transport: string, behaviour: (message: DeliverableMessage, call: number) => void | Promise<void> = () => undefined) {
  const calls: DeliverableMessage[] = [];
  const channel: Channel = {
    transport,
    async send(message) {
      calls.push(message);
      await behaviour(message, calls.length);
    },
  };
  return { channel, calls };
}

/** The value of a counter (or 0) for exactly these labels. */
async function counterValue(metric: { get(): Promise<{ values: { labels: object; value: number }[] }> }, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l));
  return match?.value ?? 0;
}

/** The value of one sample in Prometheus text, e.g. sample(body, 'lifeline_outbox_messages{status="queued"}'). */
function sample(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: transactional outbox and delivery worker`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, {
        // Four tries, back-off 1 s doubling up to 60 s: long enough to see the doubling.
        env: { OUTBOX_MAX_ATTEMPTS: '4', OUTBOX_RETRY_BASE_SECONDS: '1', OUTBOX_RETRY_MAX_SECONDS: '60', OUTBOX_LEASE_SECONDS: '60' },
      });
    });
    afterAll(async () => t.close());
    beforeEach(async () => {
      await t.database.db.deleteFrom('outbox_messages').execute();
      await t.database.db.deleteFrom('dev_mailbox').execute();
    });

    const enqueue = (message: OutgoingMessage = messageWithSecrets()) => inTransaction(t.database, (trx) => t.services.outbox.enqueue(trx, message));
    const row = (id: string): Promise<OutboxMessageRow> =>
      t.database.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const allRows = (): Promise<OutboxMessageRow[]> => t.database.db.selectFrom('outbox_messages').selectAll().execute();
    const workerWith = (channels: Channels, random: () => number = () => 0.5) =>
      createOutboxWorker({
        database: t.database,
        repository: createOutboxRepository(t.database),
        clock: t.clock,
        channels,
        logger: t.services.logger,
        metrics: t.services.metrics,
        config: t.config,
        random,
      });

    describe('case=enqueue is part of the caller’s transaction', () => {
      it('a transaction that rolls back leaves no message; a committed one leaves it queued', async () => {
        await expect(
          inTransaction(t.database, async (trx) => {
            await t.services.outbox.enqueue(trx, messageWithSecrets());
            await t.services.outbox.enqueue(trx, messageWithSecrets({ to: 'bob@example.com' }));
            throw new Error('the change failed after its messages were queued');
          }),
        ).rejects.toThrow('the change failed');
        expect(await allRows()).toEqual([]);

        const id = await enqueue();
        const stored = await row(id);
        expect(stored).toMatchObject({
          status: 'queued',
          attempts: 0,
          next_attempt_at: t.clock.now(),
          recipient: 'ada@example.com',
          sent_at: null,
          purged_at: null,
        });
        expect(stored.payload).toContain(CODE);
      });

      it('the notifier’s messages roll back with the transaction too', async () => {
        await expect(
          inTransaction(t.database, async (trx) => {
            await t.services.notifier.notify(trx, { kind: 'operator.test-mail', to: 'ops@example.com', locale: 'de' });
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect(await allRows()).toEqual([]);
        // Nothing was queued, so the worker has nothing to send.
        expect(await t.services.worker.runOnce()).toBe(0);
        expect(await t.services.devMailbox?.list()).toEqual([]);
      });
    });

    describe('case=the worker delivers to the development mailbox', () => {
      it('delivers queued messages, marks them sent, and sends nothing twice', async () => {
        const first = await enqueue();
        const second = await enqueue(messageWithSecrets({ channel: 'sms', to: '+491701234567', html: null, subject: 'SMS' }));
        expect(await t.services.worker.runOnce()).toBe(2);

        for (const id of [first, second]) {
          expect(await row(id)).toMatchObject({
            status: 'sent',
            attempts: 1,
            sent_at: t.clock.now(),
            claimed_by: t.services.worker.workerId,
            lease_expires_at: null,
            last_error: null,
          });
        }
        const r = await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages' });
        expect(r.statusCode).toBe(200);
        const mailbox = r.json<{ channel: string; to: string; subject: string; text: string; html: string | null }[]>();
        expect(mailbox).toHaveLength(2);
        expect(mailbox).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ channel: 'email', to: 'ada@example.com', subject: 'Ihr Bestätigungscode', html: expect.stringContaining(CODE) }),
            expect.objectContaining({ channel: 'sms', to: '+491701234567', subject: 'SMS', html: null }),
          ]),
        );

        expect(await t.services.worker.runOnce()).toBe(0);
        t.clock.advance(10 * 60 * SECOND);
        expect(await t.services.worker.runOnce()).toBe(0);
        expect(await t.services.devMailbox?.list()).toHaveLength(2);
      });

      it('purges the payload (text with its secrets) once sent; the development mailbox keeps the whole message', async () => {
        const id = await enqueue();
        await t.services.worker.runOnce();
        const sent = await row(id);
        expect(sent.payload).toBeNull();
        expect(sent.purged_at).toBe(t.clock.now());
        expect(JSON.stringify(sent)).not.toContain(CODE);
        expect(JSON.stringify(sent)).not.toContain(TOKEN);

        const [kept] = (await t.services.devMailbox?.list()) ?? [];
        expect(kept).toMatchObject({ outbox_id: id, recipient: 'ada@example.com' });
        expect(kept?.text).toContain(CODE);
        expect(kept?.text).toContain(`${PUBLIC_URL}/confirm-email?token=${TOKEN}`);
        expect(kept?.html).toContain(TOKEN);
      });

      it('one round drains more than one batch', async () => {
        // 45 messages: more than two batches of the worker's default 20.
        await inTransaction(t.database, async (trx) => {
          for (let i = 0; i < 45; i += 1) await t.services.outbox.enqueue(trx, messageWithSecrets({ to: `user${i}@example.com` }));
        });
        expect(await t.services.worker.runOnce()).toBe(45);
        expect((await allRows()).every((r) => r.status === 'sent')).toBe(true);
        expect(await t.services.devMailbox?.list()).toHaveLength(45);
      });

      it('stop() ends the polling loop after the batch in flight and leaves no row mid-send', async () => {
        await inTransaction(t.database, async (trx) => {
          for (let i = 0; i < 45; i += 1) await t.services.outbox.enqueue(trx, messageWithSecrets({ to: `user${i}@example.com` }));
        });
        const { channel, calls } = fakeChannel('fake-stopping', () => new Promise((resolve) => setTimeout(resolve, 30)));
        const worker = workerWith({ email: channel });
        worker.start(); // polls every OUTBOX_POLL_INTERVAL_MS (50 ms in tests)
        for (let i = 0; i < 200 && calls.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(calls.length).toBeGreaterThan(0);
        await worker.stop();

        const statuses = (await allRows()).map((r) => r.status);
        expect(statuses.filter((s) => s === 'processing')).toEqual([]);
        expect(statuses.filter((s) => s === 'sent')).toHaveLength(20); // the one batch in flight
        expect(calls).toHaveLength(20);
        // Stopped means stopped: no further round on its own…
        await new Promise((resolve) => setTimeout(resolve, 120));
        expect(calls).toHaveLength(20);
        // …but an explicit round after stop() still drains the rest.
        expect(await worker.runOnce()).toBe(25);
        expect((await allRows()).every((r) => r.status === 'sent')).toBe(true);
      });
    });

    describe('case=operators see the outbox with secrets masked', () => {
      it('lists a queued message without its code or token, and a sent one without text', async () => {
        const id = await enqueue();
        const [listed] = await t.services.outbox.list({ statuses: ['queued'] });
        expect(listed).toMatchObject({ id, kind: 'test.code', channel: 'email', to: 'ada@example.com', status: 'queued', attempts: 0 });
        expect(listed?.maskedText).not.toContain(CODE);
        expect(listed?.maskedText).not.toContain(TOKEN);
        expect(listed?.maskedText).toContain('••••••');
        expect(listed?.maskedText).toContain(`${PUBLIC_URL}/confirm-email?token=••••••••`);

        await t.services.worker.runOnce();
        const [sent] = await t.services.outbox.list({ statuses: ['sent'] });
        expect(sent).toMatchObject({ id, status: 'sent', maskedText: null });
      });

      it('masks the secrets the notifier renders from a catalogue entry', async () => {
        const catalogue: MessageCatalogue = {
          'test.confirm': emailWithLinkAndCode('mail.layout.linkHint', ['code', 'token']),
        };
        const notifier = createNotifier({
          outbox: t.services.outbox,
          translator: t.services.translator,
          securityLog: t.services.securityLog,
          recipients: createRecipientRepository(),
          config: t.config,
          catalogue,
          clock: t.clock,
        });
        const { messageIds } = await inTransaction(t.database, (trx) =>
          notifier.notify(trx, { kind: 'test.confirm', to: 'ada@example.com', locale: 'en', params: { code: CODE, token: TOKEN } }),
        );
        const [listed] = await t.services.outbox.list({ statuses: ['queued'] });
        expect(listed?.id).toBe(messageIds[0]);
        expect(listed?.maskedText).not.toContain(CODE);
        expect(listed?.maskedText).not.toContain(TOKEN);

        await t.services.worker.runOnce();
        const [delivered] = (await t.services.devMailbox?.list()) ?? [];
        expect(delivered?.text).toMatch(new RegExp(`^${CODE}$`, 'm')); // the code alone on its line
        expect(delivered?.text).toContain(`${PUBLIC_URL}/confirm-email?token=${TOKEN}`);
        expect((await row(messageIds[0] ?? '')).payload).toBeNull();
      });
    });

    describe('case=failures: back-off with jitter, giving up, permanent errors', () => {
      it('the back-off doubles from the base, is capped, and jitters within [half, whole]', () => {
        expect(retryDelayMs(1, 1000, 60_000, 0)).toBe(500);
        expect(retryDelayMs(1, 1000, 60_000, 0.999_999)).toBe(1000);
        expect(retryDelayMs(2, 1000, 60_000, 0.5)).toBe(1500);
        expect(retryDelayMs(3, 1000, 60_000, 0.5)).toBe(3000);
        expect(retryDelayMs(30, 1000, 60_000, 0)).toBe(30_000);
        expect(retryDelayMs(30, 1000, 60_000, 0.999_999)).toBe(60_000);
      });

      it('retries a throwing channel with back-off, sends nothing early, gives up after OUTBOX_MAX_ATTEMPTS and keeps the row as failed', async () => {
        const { channel, calls } = fakeChannel('fake-down', () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:2525');
        });
        const worker = workerWith({ email: channel }, () => 0.25);
        const { retryBaseMs, retryMaxMs, maxAttempts } = t.config.delivery;
        expect(maxAttempts).toBe(4);
        const id = await enqueue();

        // Attempts 1–3 fail and are scheduled base·2^(n-1) later, with a quarter of the jitter half.
        const expectedDelays = [625, 1250, 2500];
        for (let attempt = 1; attempt <= 3; attempt += 1) {
          const before = t.clock.now();
          expect(await worker.runOnce()).toBe(1);
          expect(calls).toHaveLength(attempt);
          const retried = await row(id);
          const delay = retryDelayMs(attempt, retryBaseMs, retryMaxMs, 0.25);
          expect(delay).toBe(expectedDelays[attempt - 1]);
          expect(retried).toMatchObject({ status: 'queued', attempts: attempt, next_attempt_at: before + delay, claimed_by: null, lease_expires_at: null });
          expect(retried.last_error).toContain('ECONNREFUSED');
          expect(retried.payload).toContain(CODE); // kept for the next try

          // Nothing happens before the time comes…
          t.clock.advance(delay - 1);
          expect(await worker.runOnce()).toBe(0);
          expect(calls).toHaveLength(attempt);
          // …and the next try happens once it has.
          t.clock.advance(1);
        }

        expect(await worker.runOnce()).toBe(1);
        expect(calls).toHaveLength(4);
        const failed = await row(id);
        expect(failed).toMatchObject({ status: 'failed', attempts: 4, payload: null, purged_at: t.clock.now(), sent_at: null });
        expect(failed.last_error).toContain('ECONNREFUSED');

        // Given up for good: never tried again, and visible to operators.
        t.clock.advance(24 * 3600 * SECOND);
        expect(await worker.runOnce()).toBe(0);
        expect(calls).toHaveLength(4);
        const [listed] = await t.services.outbox.list({ statuses: ['failed'] });
        expect(listed).toMatchObject({ id, status: 'failed', attempts: 4, maskedText: null, lastError: expect.stringContaining('ECONNREFUSED') });

        const failures = t.services.metrics.messageFailures;
        expect(await counterValue(failures, { channel: 'email', transport: 'fake-down', final: 'false' })).toBe(3);
        expect(await counterValue(failures, { channel: 'email', transport: 'fake-down', final: 'true' })).toBe(1);
        expect(await counterValue(t.services.metrics.messagesSent, { transport: 'fake-down' })).toBe(0);
      });

      it('jitter spreads messages that failed together', async () => {
        const { channel } = fakeChannel('fake-flaky', () => {
          throw new Error('421 try again later');
        });
        const worker = createOutboxWorker({
          database: t.database,
          repository: createOutboxRepository(t.database),
          clock: t.clock,
          channels: { email: channel },
          logger: t.services.logger,
          metrics: t.services.metrics,
          config: t.config,
        });
        await inTransaction(t.database, async (trx) => {
          for (let i = 0; i < 20; i += 1) await t.services.outbox.enqueue(trx, messageWithSecrets({ to: `user${i}@example.com` }));
        });
        const now = t.clock.now();
        expect(await worker.runOnce()).toBe(20);
        const delays = (await allRows()).map((r) => r.next_attempt_at - now);
        expect(delays.every((d) => d >= t.config.delivery.retryBaseMs / 2 && d <= t.config.delivery.retryBaseMs)).toBe(true);
        expect(new Set(delays).size).toBeGreaterThan(1);
      });

      it('delivers once on a later try when the channel recovers', async () => {
        const { channel, calls } = fakeChannel('fake-recovering', (_message, call) => {
          if (call < 3) throw new Error('450 mailbox busy');
        });
        const worker = workerWith({ email: channel });
        const id = await enqueue();
        for (let i = 0; i < 3; i += 1) {
          await worker.runOnce();
          t.clock.advance(60 * SECOND);
        }
        expect(calls).toHaveLength(3);
        expect(await row(id)).toMatchObject({ status: 'sent', attempts: 3, payload: null, last_error: null });
        expect(await worker.runOnce()).toBe(0);
        expect(calls).toHaveLength(3);
        expect(await counterValue(t.services.metrics.messagesSent, { channel: 'email', transport: 'fake-recovering' })).toBe(1);
      });

      it('a PermanentDeliveryError fails the message at once', async () => {
        const { channel, calls } = fakeChannel('fake-refusing', () => {
          throw new PermanentDeliveryError('550 5.1.1 no such mailbox');
        });
        const worker = workerWith({ email: channel });
        const id = await enqueue();
        expect(await worker.runOnce()).toBe(1);
        expect(await row(id)).toMatchObject({ status: 'failed', attempts: 1, payload: null, last_error: '550 5.1.1 no such mailbox' });
        t.clock.advance(3600 * SECOND);
        expect(await worker.runOnce()).toBe(0);
        expect(calls).toHaveLength(1);
        expect(await counterValue(t.services.metrics.messageFailures, { transport: 'fake-refusing', final: 'true' })).toBe(1);
        expect(await counterValue(t.services.metrics.messageFailures, { transport: 'fake-refusing', final: 'false' })).toBe(0);
      });

      it('a send that outlives half the lease is aborted and retried, so no second worker can send it meanwhile', async () => {
        let aborted = false;
        const hanging: Channel = {
          transport: 'fake-hanging',
          send: (_message, options) =>
            new Promise<void>((_resolve, reject) => {
              options?.signal?.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('send aborted: deadline passed'));
              });
            }),
        };
        const worker = createOutboxWorker({
          database: t.database,
          repository: createOutboxRepository(t.database),
          clock: t.clock,
          channels: { email: hanging },
          logger: t.services.logger,
          metrics: t.services.metrics,
          config: { delivery: { ...t.config.delivery, leaseMs: 200 } },
          random: () => 0.5,
        });
        const id = await enqueue();
        expect(await worker.runOnce()).toBe(1);
        expect(aborted).toBe(true);
        expect(await row(id)).toMatchObject({ status: 'queued', attempts: 1, last_error: 'send aborted: deadline passed' });
      });

      it('a row whose payload cannot be read fails on its own; the rest of the batch is delivered', async () => {
        const { channel, calls } = fakeChannel('fake-ok');
        const worker = workerWith({ email: channel });
        const good = await enqueue();
        const bad = await enqueue();
        await t.database.db.updateTable('outbox_messages').set({ payload: '{not json' }).where('id', '=', bad).execute();
        expect(await worker.runOnce()).toBe(2);
        expect(await row(bad)).toMatchObject({ status: 'failed', last_error: 'the payload is not readable' });
        expect(await row(good)).toMatchObject({ status: 'sent' });
        expect(calls).toHaveLength(1);
      });

      it('a message for a channel without a transport fails at once', async () => {
        const { channel } = fakeChannel('fake-email-only');
        const worker = workerWith({ email: channel });
        const id = await enqueue(messageWithSecrets({ channel: 'sms', to: '+491701234567', html: null }));
        expect(await worker.runOnce()).toBe(1);
        expect(await row(id)).toMatchObject({ status: 'failed', attempts: 1, payload: null, last_error: expect.stringContaining('no transport') });
      });
    });

    describe('case=a crashed worker’s lease', () => {
      it('is taken again by another worker once OUTBOX_LEASE_SECONDS have passed, and the message is sent once', async () => {
        const id = await enqueue();
        // A worker claims the row and dies before settling it.
        const repository = createOutboxRepository(t.database);
        const now = t.clock.now();
        const claimed = await repository.claimDue({
          workerId: 'worker-crashed',
          now,
          leaseUntil: now + t.config.delivery.leaseMs,
          limit: 10,
          channels: ['email', 'sms'],
        });
        expect(claimed.map((m) => m.id)).toEqual([id]);
        expect(await row(id)).toMatchObject({ status: 'processing', attempts: 1, claimed_by: 'worker-crashed' });

        const { channel, calls } = fakeChannel('fake-survivor');
        const survivor = workerWith({ email: channel });
        expect(await survivor.runOnce()).toBe(0); // the lease still holds
        t.clock.advance(t.config.delivery.leaseMs - 1);
        expect(await survivor.runOnce()).toBe(0);
        expect(calls).toHaveLength(0);

        t.clock.advance(1);
        expect(await survivor.runOnce()).toBe(1);
        expect(calls.map((m) => m.id)).toEqual([id]);
        expect(calls[0]?.text).toContain(CODE);
        expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2, claimed_by: survivor.workerId, payload: null });

        // Should the crashed worker wake up, it no longer holds the row and changes nothing.
        expect(await repository.markSent(id, 'worker-crashed', t.clock.now())).toBe(false);
        await repository.markFailed(id, 'worker-crashed', t.clock.now(), 'late');
        expect(await row(id)).toMatchObject({ status: 'sent', claimed_by: survivor.workerId, last_error: null });
        expect(await survivor.runOnce()).toBe(0);
        expect(calls).toHaveLength(1);
      });

      it('a claimed row is not taken by a second worker while its lease holds', async () => {
        await enqueue();
        const { channel: slow, calls: slowCalls } = fakeChannel('fake-slow', () => new Promise((resolve) => setTimeout(resolve, 50)));
        const { channel: other, calls: otherCalls } = fakeChannel('fake-other');
        const first = workerWith({ email: slow });
        const second = workerWith({ email: other });
        const round = first.runOnce();
        // Let the first worker claim and start sending, then ask the second one.
        for (let i = 0; i < 100 && slowCalls.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
        expect(slowCalls).toHaveLength(1);
        expect(await second.runOnce()).toBe(0);
        expect(await round).toBe(1);
        expect(otherCalls).toHaveLength(0);
      });
    });

    describe('case=metrics', () => {
      it('counts sends and failures and shows outbox depth and the oldest waiting age on /metrics', async () => {
        const sentBefore = await counterValue(t.services.metrics.messagesSent, { channel: 'email', transport: 'dev-mailbox' });
        await enqueue();
        t.clock.advance(30 * SECOND);
        await enqueue(messageWithSecrets({ to: 'bob@example.com' }));
        await enqueue(messageWithSecrets({ to: 'eve@example.com' }));
        t.clock.advance(60 * SECOND);

        const waiting = await t.app.inject({ method: 'GET', url: '/metrics' });
        expect(waiting.statusCode).toBe(200);
        expect(sample(waiting.body, 'lifeline_outbox_messages{status="queued"}')).toBe(3);
        expect(sample(waiting.body, 'lifeline_outbox_messages{status="sent"}')).toBe(0);
        expect(sample(waiting.body, 'lifeline_outbox_oldest_waiting_age_seconds')).toBe(90);

        expect(await t.services.worker.runOnce()).toBe(3);
        const { channel } = fakeChannel('fake-metrics', () => {
          throw new PermanentDeliveryError('550 refused');
        });
        await enqueue(messageWithSecrets({ to: 'nobody@example.com' }));
        await workerWith({ email: channel }).runOnce();

        const after = await t.app.inject({ method: 'GET', url: '/metrics' });
        expect(sample(after.body, 'lifeline_outbox_messages{status="queued"}')).toBe(0);
        expect(sample(after.body, 'lifeline_outbox_messages{status="sent"}')).toBe(3);
        expect(sample(after.body, 'lifeline_outbox_messages{status="failed"}')).toBe(1);
        expect(sample(after.body, 'lifeline_outbox_oldest_waiting_age_seconds')).toBe(0);
        expect(sample(after.body, 'lifeline_messages_sent_total{channel="email",transport="dev-mailbox"}')).toBe(sentBefore + 3);
        expect(sample(after.body, 'lifeline_message_send_failures_total{channel="email",transport="fake-metrics",final="true"}')).toBe(1);
      });
    });
  });
}
