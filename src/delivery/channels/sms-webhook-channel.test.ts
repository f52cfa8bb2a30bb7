import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../core/clock.js';
import { PermanentDeliveryError, type DeliverableMessage } from './channel.js';
import { createSmsWebhookChannel, signSmsWebhook, verifySmsWebhookSignature, type WebhookProviderConfig } from './sms-webhook-channel.js';
import { failureWithout, startRecordingServer, type RecordedRequest } from '../../../test/helpers/recording-server.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const CODE = '583920';
const TEXT = `Lifeline: Ihr Code lautet:\n${CODE}`;

type Answer = { status: number; body?: string } | 'hang';

/** An SMS gateway of the operator's own on loopback, whose answer the test decides per request. */
async function startReceiver(answer: (request: RecordedRequest) => Answer) {
  const server = await startRecordingServer((request) => {
    const a = answer(request);
    return a === 'hang' ? a : { status: a.status, contentType: 'text/plain', body: a.body ?? '' };
  });
  return { url: `${server.origin}/sms/outbound?tenant=lifeline`, requests: server.requests, close: server.close };
}

function sms(overrides: Partial<DeliverableMessage> = {}): DeliverableMessage {
  return { id: '01JTESTOUTBOXID0000000001', channel: 'sms', to: '+4915199999999', subject: '', text: TEXT, html: null, ...overrides };
}

function header(request: RecordedRequest | undefined, name: string): string {
  const value = request?.headers[name];
  if (typeof value !== 'string') throw new Error(`header ${name} missing`);
  return value;
}

/** The rejection of a send, asserted to be an Error that names neither the SMS text, its code nor the gateway's query. */
const failure = (promise: Promise<void>) => failureWithout(promise, [CODE, 'Ihr Code', 'tenant=']);

describe('SMS webhook channel', () => {
  /** Per recipient: the receiver's answer; default 202. */
  const answers = new Map<string, Answer>();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let provider: WebhookProviderConfig;

  beforeAll(async () => {
    receiver = await startReceiver((request) => {
      const { to } = JSON.parse(request.body) as { to: string };
      return answers.get(to) ?? { status: 202 };
    });
    provider = { kind: 'webhook', url: receiver.url, secret: SECRET };
  });
  afterAll(async () => receiver.close());
  beforeEach(() => {
    answers.clear();
    receiver.requests.length = 0;
  });

  it('case=posts {id, to, text} as JSON with an idempotency key, a timestamp and a signature', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1, 9, 0, 0, 750));
    const channel = createSmsWebhookChannel(provider, { clock });
    expect(channel.transport).toBe('sms-webhook');
    await channel.send(sms());

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/sms/outbound?tenant=lifeline');
    expect(header(request, 'content-type')).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ id: '01JTESTOUTBOXID0000000001', to: '+4915199999999', text: TEXT });
    expect(header(request, 'idempotency-key')).toBe('01JTESTOUTBOXID0000000001');
    const timestamp = header(request, 'x-lifeline-timestamp');
    expect(timestamp).toBe(String(Date.UTC(2026, 0, 1, 9, 0, 0) / 1000));
    // The recipe, computed independently: v1= hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`).
    const expected = createHmac('sha256', SECRET)
      .update(`${timestamp}.${request?.body ?? ''}`)
      .digest('hex');
    expect(header(request, 'x-lifeline-signature')).toBe(`v1=${expected}`);
  });

  it('case=the signature verifies with the secret, and fails when the body, secret or timestamp differ', async () => {
    await createSmsWebhookChannel(provider).send(sms());
    const [request] = receiver.requests;
    const body = request?.body ?? '';
    const timestamp = header(request, 'x-lifeline-timestamp');
    const signature = header(request, 'x-lifeline-signature');
    // Without a clock, the channel stamps real time: a receiver with a correct clock accepts it.
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body, signature })).toBe(true);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body: Buffer.from(body), signature })).toBe(true);

    const now = Number(timestamp);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body, signature, now })).toBe(true);
    expect(verifySmsWebhookSignature({ secret: 'another-secret-0123456789', timestamp, body, signature, now })).toBe(false);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body: body.replace('+4915199999999', '+4915100000000'), signature, now })).toBe(false);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp: String(now + 1), body, signature, now })).toBe(false);
    // Stale or from the future beyond the tolerance: refused even with the right signature.
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body, signature, now: now + 301 })).toBe(false);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body, signature, now: now - 301 })).toBe(false);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body, signature, now: now + 300 })).toBe(true);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body, signature, now: now + 30, toleranceSeconds: 10 })).toBe(false);
    // Malformed input is a plain "no", never an exception.
    for (const bad of ['', 'v1=', 'v1=zz', signature.slice(0, -2), signature.toUpperCase(), `v0=${signature.slice(3)}`]) {
      expect(verifySmsWebhookSignature({ secret: SECRET, timestamp, body, signature: bad, now })).toBe(false);
    }
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp: 'soon', body, signature, now })).toBe(false);
  });

  it('case=signSmsWebhook and verifySmsWebhookSignature agree on the recipe', () => {
    const body = '{"id":"x","to":"+1","text":"Grüße"}';
    const signature = signSmsWebhook(SECRET, 1767258000, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifySmsWebhookSignature({ secret: SECRET, timestamp: 1767258000, body, signature, now: 1767258000 })).toBe(true);
  });

  it('case=a retry carries the same Idempotency-Key (the outbox id) and a fresh signature', async () => {
    answers.set('+4915100000001', { status: 503 });
    const clock = createManualClock();
    const channel = createSmsWebhookChannel(provider, { clock });
    const message = sms({ to: '+4915100000001' });
    await failure(channel.send(message));
    clock.advance(60_000);
    answers.delete('+4915100000001');
    await channel.send(message);
    expect(receiver.requests.map((r) => header(r, 'idempotency-key'))).toEqual([message.id, message.id]);
    const [first, second] = receiver.requests.map((r) => Number(header(r, 'x-lifeline-timestamp')));
    expect((second ?? 0) - (first ?? 0)).toBe(60);
  });

  it.each([200, 201, 202, 204])('case=HTTP %i is delivered', async (status) => {
    answers.set('+4915100000200', { status });
    await expect(createSmsWebhookChannel(provider).send(sms({ to: '+4915100000200' }))).resolves.toBeUndefined();
  });

  it.each([400, 410, 413, 422])('case=HTTP %i refuses this message for good', async (status) => {
    answers.set('+4915100000400', { status, body: 'number not reachable' });
    const error = await failure(createSmsWebhookChannel(provider).send(sms({ to: '+4915100000400' })));
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).toContain('number not reachable');
  });

  it.each([
    [408, 'request timeout'],
    [409, 'the same Idempotency-Key is still in flight'],
    [425, 'too early'],
    [429, 'too many requests'],
    [500, 'internal error'],
    [502, 'bad gateway'],
    [503, 'unavailable'],
    [401, 'signature refused: our secret is wrong, every message would fail'],
    [403, 'forbidden: our configuration'],
    [404, 'wrong SMS_WEBHOOK_URL'],
    [307, 'a redirect is not followed'],
  ])('case=HTTP %i (%s) is retried: a plain Error', async (status) => {
    answers.set('+4915100000500', { status });
    const error = await failure(createSmsWebhookChannel(provider).send(sms({ to: '+4915100000500' })));
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(receiver.requests).toHaveLength(1);
  });

  it('case=a receiver that hangs is aborted by the worker’s signal, and the message is retried', async () => {
    answers.set('+4915100000600', 'hang');
    const started = performance.now();
    const error = await failure(createSmsWebhookChannel(provider).send(sms({ to: '+4915100000600' }), { signal: AbortSignal.timeout(150) }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toMatch(/did not answer in time/);
  });

  it('case=nobody listening (connection refused) is retried, and the URL is not in the error', async () => {
    const closed = await startReceiver(() => ({ status: 202 }));
    await closed.close();
    const error = await failure(createSmsWebhookChannel({ ...provider, url: closed.url }).send(sms()));
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toMatch(/ECONNREFUSED|connect/);
  });

  it('case=a receiver that echoes the request in its refusal does not get the code into the error', async () => {
    answers.set('+4915100000700', { status: 400, body: `bad request: {"text":${JSON.stringify(TEXT)}} code ${CODE}` });
    const error = await failure(createSmsWebhookChannel(provider).send(sms({ to: '+4915100000700' })));
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain('bad request');
  });
});
