import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, SECOND } from '../../src/core/clock.js';
import type { OutboxMessageRow } from '../../src/db/tables.js';
import { inTransaction } from '../../src/db/transaction.js';
import { verifySmsWebhookSignature } from '../../src/delivery/channels/sms-webhook-channel.js';
import type { OutgoingMessage } from '../../src/delivery/outbox/outbox.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const TWILIO_FROM = '+4915112345678';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';
/** Past the test configuration's retry back-off (OUTBOX_RETRY_MAX_SECONDS=2, with jitter). */
const PAST_BACKOFF = 5 * SECOND;

interface Recorded {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly status: number;
}

/** A gateway on loopback: `answer` decides each request's status and JSON body; all are recorded. */
async function startGateway(answer: (request: Omit<Recorded, 'status'>) => { status: number; json?: unknown }) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const { status, json } = answer(request);
      requests.push({ ...request, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** An SMS with a code in it, as the recovery phone flow queues it. */
function smsWithCode(to: string, code: string): OutgoingMessage {
  return { kind: 'test.sms-code', channel: 'sms', to, locale: 'de', subject: '', text: `Lifeline-Code:\n${code}`, html: null, secrets: [code] };
}

const RECIPIENTS = [
  { to: '+4915100000001', code: '583920' },
  { to: '+4917600000002', code: '104857' },
  { to: '+4930123400003', code: '771204' },
] as const;

function useOutbox(get: () => TestApp) {
  return {
    enqueue: (message: OutgoingMessage) => inTransaction(get().database, (trx) => get().services.outbox.enqueue(trx, message)),
    row: (id: string): Promise<OutboxMessageRow> => get().database.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    /** One worker round after moving the clock past every retry's back-off. */
    async tickLater(): Promise<number> {
      get().clock.advance(PAST_BACKOFF);
      return get().services.worker.runOnce();
    },
  };
}

/** Neither the log lines nor any last_error may carry a code. */
async function expectNoCodeLeaked(t: TestApp): Promise<void> {
  const errors = await t.database.db.selectFrom('outbox_messages').select('last_error').execute();
  const haystack = [...t.logLines(), ...errors.map((e) => e.last_error ?? '')].join('\n');
  for (const { code } of RECIPIENTS) expect(haystack).not.toContain(code);
  expect(haystack).not.toContain('Lifeline-Code');
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: SMS through a Twilio-speaking gateway`, () => {
    let gateway: Gateway;
    let t: TestApp;
    /** Attempts so far per recipient; the gateway answers 503 to each one's first `downFor`. */
    const attemptsByTo = new Map<string, number>();
    let downFor = 0;
    /** Recipients Twilio refuses for good: 400 with code 21211. */
    const invalid = new Set<string>();
    const outbox = useOutbox(() => t);

    beforeAll(async () => {
      gateway = await startGateway((request) => {
        const to = new URLSearchParams(request.body).get('To') ?? '';
        const attempt = (attemptsByTo.get(to) ?? 0) + 1;
        attemptsByTo.set(to, attempt);
        if (invalid.has(to)) {
          return {
            status: 400,
            json: {
              code: 21211,
              message: `The 'To' number ${to} is not a valid phone number.`,
              more_info: 'https://www.twilio.com/docs/errors/21211',
              status: 400,
            },
          };
        }
        if (attempt <= downFor) return { status: 503, json: { code: 20503, message: 'Service Unavailable', status: 503 } };
        return { status: 201, json: { sid: `SM${String(gateway.requests.length).padStart(32, '0')}`, status: 'queued' } };
      });
      t = await createTestApp(dialect, {
        env: {
          SMS_PROVIDER: 'twilio',
          TWILIO_ACCOUNT_SID: ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: AUTH_TOKEN,
          TWILIO_FROM,
          TWILIO_BASE_URL: gateway.origin,
          OUTBOX_MAX_ATTEMPTS: '5',
        },
      });
    });
    afterAll(async () => {
      await t.close();
      await gateway.close();
    });
    beforeEach(() => {
      gateway.requests.length = 0;
      attemptsByTo.clear();
      invalid.clear();
      downFor = 0;
    });

    it('uses the Twilio transport for SMS', () => {
      expect(t.services.channels.sms?.transport).toBe('sms-twilio');
    });

    it('gateway down → retried and delivered later, nothing lost: each SMS arrives exactly once', async () => {
      downFor = 2;
      const ids = await Promise.all(RECIPIENTS.map(({ to, code }) => outbox.enqueue(smsWithCode(to, code))));

      // First round: all three refused with 503, all kept with their payload for a retry.
      expect(await t.services.worker.runOnce()).toBe(3);
      for (const id of ids) {
        const waiting = await outbox.row(id);
        expect(waiting).toMatchObject({ status: 'queued', attempts: 1, sent_at: null });
        expect(waiting.last_error).toContain('HTTP 503');
        expect(waiting.payload).not.toBeNull();
        expect(waiting.next_attempt_at).toBeGreaterThan(t.clock.now());
      }
      // Nothing is retried before its back-off has passed.
      expect(await t.services.worker.runOnce()).toBe(0);
      expect(gateway.requests).toHaveLength(3);

      expect(await outbox.tickLater()).toBe(3); // second try: still down
      for (const id of ids) expect(await outbox.row(id)).toMatchObject({ status: 'queued', attempts: 2 });
      expect(await outbox.tickLater()).toBe(3); // third try: up again
      for (const id of ids) expect(await outbox.row(id)).toMatchObject({ status: 'sent', attempts: 3, payload: null, last_error: null });

      const accepted = gateway.requests.filter((r) => r.status === 201);
      expect(gateway.requests).toHaveLength(9);
      expect(accepted).toHaveLength(3);
      const forms = accepted.map((r) => new URLSearchParams(r.body));
      expect(
        forms.map((f) => ({ to: f.get('To'), body: f.get('Body'), from: f.get('From') })).sort((a, b) => String(a.to).localeCompare(String(b.to))),
      ).toEqual([...RECIPIENTS].sort((a, b) => a.to.localeCompare(b.to)).map(({ to, code }) => ({ to, body: `Lifeline-Code:\n${code}`, from: TWILIO_FROM })));
      for (const r of gateway.requests) {
        expect(r.url).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
        expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
      }

      // Nothing is sent a second time, however long the worker keeps running.
      t.clock.advance(HOUR);
      expect(await t.services.worker.runOnce()).toBe(0);
      expect(gateway.requests).toHaveLength(9);
      const sent = await t.services.metrics.messagesSent.get();
      expect(sent.values).toContainEqual({ labels: { channel: 'sms', transport: 'sms-twilio' }, value: 3 });
      await expectNoCodeLeaked(t);
    });

    it('a 400/21211 (invalid number) fails the message at once, visibly, and it is never retried', async () => {
      invalid.add('+4915100000099');
      const id = await outbox.enqueue(smsWithCode('+4915100000099', '583920'));
      expect(await t.services.worker.runOnce()).toBe(1);

      const failed = await outbox.row(id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, payload: null, sent_at: null });
      expect(failed.last_error).toContain('21211');
      const listing = await t.services.outbox.list({ statuses: ['failed'] });
      expect(listing.find((m) => m.id === id)).toMatchObject({ status: 'failed', channel: 'sms', lastError: expect.stringContaining('21211') });
      const failures = await t.services.metrics.messageFailures.get();
      expect(failures.values).toContainEqual({ labels: { channel: 'sms', transport: 'sms-twilio', final: 'true' }, value: 1 });

      t.clock.advance(DAY);
      expect(await t.services.worker.runOnce()).toBe(0);
      expect(gateway.requests).toHaveLength(1);
      await expectNoCodeLeaked(t);
    });
  });

  describe(`${dialect}: SMS through the signed webhook`, () => {
    let gateway: Gateway;
    let t: TestApp;
    let up = true;
    const outbox = useOutbox(() => t);

    beforeAll(async () => {
      gateway = await startGateway((request) => {
        // A receiver as docs/operations.md tells operators to write it: verify, then act.
        const signed = verifySmsWebhookSignature({
          secret: WEBHOOK_SECRET,
          timestamp: String(request.headers['x-lifeline-timestamp']),
          body: request.body,
          signature: String(request.headers['x-lifeline-signature']),
          // Lifeline signs at its clock (the test's manual clock); a real receiver uses its own.
          now: Math.floor(t.clock.now() / 1000),
        });
        if (!signed) return { status: 401 };
        const { to } = JSON.parse(request.body) as { to: string };
        if (to === '+4915100000422') return { status: 422, json: { error: 'unsupported destination' } };
        return up ? { status: 202, json: { accepted: true } } : { status: 503 };
      });
      t = await createTestApp(dialect, {
        env: { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: `${gateway.origin}/hooks/sms`, SMS_WEBHOOK_SECRET: WEBHOOK_SECRET, OUTBOX_MAX_ATTEMPTS: '5' },
      });
    });
    afterAll(async () => {
      await t.close();
      await gateway.close();
    });
    beforeEach(() => {
      gateway.requests.length = 0;
      up = true;
    });

    it('uses the webhook transport for SMS', () => {
      expect(t.services.channels.sms?.transport).toBe('sms-webhook');
    });

    it('receiver down → retried with the same Idempotency-Key (the outbox id) and delivered once it is up', async () => {
      up = false;
      const ids = await Promise.all(RECIPIENTS.map(({ to, code }) => outbox.enqueue(smsWithCode(to, code))));

      expect(await t.services.worker.runOnce()).toBe(3);
      expect(await outbox.tickLater()).toBe(3);
      for (const id of ids) {
        const waiting = await outbox.row(id);
        expect(waiting).toMatchObject({ status: 'queued', attempts: 2 });
        expect(waiting.last_error).toContain('HTTP 503');
        expect(waiting.payload).not.toBeNull();
      }
      up = true;
      expect(await outbox.tickLater()).toBe(3);
      for (const id of ids) expect(await outbox.row(id)).toMatchObject({ status: 'sent', attempts: 3, payload: null });

      // Every request was signed (the receiver answered none with 401) and named its outbox id.
      expect(gateway.requests).toHaveLength(9);
      expect(gateway.requests.filter((r) => r.status === 401)).toHaveLength(0);
      for (const r of gateway.requests) {
        expect(r.url).toBe('/hooks/sms');
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers['idempotency-key']).toBe((JSON.parse(r.body) as { id: string }).id);
      }
      for (const [index, id] of ids.entries()) {
        const { to, code } = RECIPIENTS[index] ?? RECIPIENTS[0];
        const attempts = gateway.requests.filter((r) => r.headers['idempotency-key'] === id);
        expect(attempts.map((r) => r.status)).toEqual([503, 503, 202]);
        for (const r of attempts) expect(JSON.parse(r.body)).toEqual({ id, to, text: `Lifeline-Code:\n${code}` });
      }

      t.clock.advance(HOUR);
      expect(await t.services.worker.runOnce()).toBe(0);
      expect(gateway.requests).toHaveLength(9);
      await expectNoCodeLeaked(t);
    });

    it('a 422 from the receiver fails the message at once and it is never retried', async () => {
      const id = await outbox.enqueue(smsWithCode('+4915100000422', '583920'));
      expect(await t.services.worker.runOnce()).toBe(1);
      expect(await outbox.row(id)).toMatchObject({ status: 'failed', attempts: 1, payload: null, last_error: expect.stringContaining('HTTP 422') });
      t.clock.advance(DAY);
      expect(await t.services.worker.runOnce()).toBe(0);
      expect(gateway.requests).toHaveLength(1);
      await expectNoCodeLeaked(t);
    });
  });
}
