import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentDeliveryError, type DeliverableMessage } from './channel.js';
import { createSmsTwilioChannel, withoutSmsText, type TwilioProviderConfig } from './sms-twilio-channel.js';
import { failureWithout, startRecordingServer, type RecordedRequest } from '../../../test/helpers/recording-server.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const FROM = '+4915112345678';
const CODE = '583920';
const TEXT = `Lifeline: Ihr Code lautet:\n${CODE}`;

type Answer = { status: number; json?: unknown; raw?: string } | 'hang';

/** A Twilio-speaking server on loopback whose answer the test decides per request. */
async function startFakeTwilio(answer: (request: RecordedRequest) => Answer) {
  const server = await startRecordingServer((request) => {
    const a = answer(request);
    if (a === 'hang') return a;
    return a.raw !== undefined
      ? { status: a.status, contentType: 'text/html', body: a.raw }
      : { status: a.status, contentType: 'application/json', body: JSON.stringify(a.json ?? {}) };
  });
  return { baseUrl: server.origin, requests: server.requests, close: server.close };
}

function twilioError(status: number, code: number, message: string) {
  return { status, json: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

function sms(overrides: Partial<DeliverableMessage> = {}): DeliverableMessage {
  return { id: 'msg-1', channel: 'sms', to: '+4915199999999', subject: '', text: TEXT, html: null, ...overrides };
}

/** The rejection of a send, asserted to be an Error that names neither the SMS text nor its code. */
const failure = (promise: Promise<void>) => failureWithout(promise, [CODE, 'Ihr Code']);

describe('Twilio SMS channel', () => {
  /** Per recipient: the answer of the fake Twilio; default 201 with a sid. */
  const answers = new Map<string, Answer>();
  let gateway: Awaited<ReturnType<typeof startFakeTwilio>>;
  let provider: TwilioProviderConfig;

  beforeAll(async () => {
    gateway = await startFakeTwilio((request) => {
      const to = new URLSearchParams(request.body).get('To') ?? '';
      return answers.get(to) ?? { status: 201, json: { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' } };
    });
    provider = { kind: 'twilio', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, baseUrl: gateway.baseUrl };
  });
  afterAll(async () => gateway.close());
  beforeEach(() => {
    answers.clear();
    gateway.requests.length = 0;
  });

  it('case=posts the message as Twilio’s Messages API expects it', async () => {
    const channel = createSmsTwilioChannel(provider);
    expect(channel.transport).toBe('sms-twilio');
    await channel.send(sms());

    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    if (!request) throw new Error('no request');
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    const form = new URLSearchParams(request.body);
    expect([...form.keys()].sort()).toEqual(['Body', 'From', 'To']);
    expect(form.get('To')).toBe('+4915199999999');
    expect(form.get('From')).toBe(FROM);
    // Line breaks and umlauts survive the form encoding.
    expect(form.get('Body')).toBe(TEXT);
  });

  it('case=sends a Messaging Service SID as MessagingServiceSid, not From', async () => {
    const serviceSid = `MG${'0123456789abcdef'.repeat(2)}`;
    await createSmsTwilioChannel({ ...provider, from: serviceSid }).send(sms({ text: 'Grüße' }));
    const form = new URLSearchParams(gateway.requests[0]?.body);
    expect(form.get('MessagingServiceSid')).toBe(serviceSid);
    expect(form.has('From')).toBe(false);
    expect(form.get('Body')).toBe('Grüße');
  });

  it('case=an alphanumeric sender that merely starts with MG stays From', async () => {
    await createSmsTwilioChannel({ ...provider, from: 'MGLifeline' }).send(sms());
    expect(new URLSearchParams(gateway.requests[0]?.body).get('From')).toBe('MGLifeline');
  });

  it('case=a base URL with a trailing slash gives the same path', async () => {
    await createSmsTwilioChannel({ ...provider, baseUrl: `${gateway.baseUrl}/` }).send(sms());
    expect(gateway.requests[0]?.url).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  });

  it('case=any 2xx counts as accepted', async () => {
    answers.set('+4915100000200', { status: 200, json: { sid: 'SMx' } });
    await expect(createSmsTwilioChannel(provider).send(sms({ to: '+4915100000200' }))).resolves.toBeUndefined();
  });

  it.each([
    [21211, "The 'To' number +4915100000001 is not a valid phone number."],
    [21614, "'To' number is not a valid mobile number"],
    [21610, 'Attempt to send to unsubscribed recipient'],
    [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"],
  ])('case=a refusal of this message (code %i) is permanent and names the code', async (code, message) => {
    answers.set('+4915100000001', twilioError(400, code, message));
    const error = await failure(createSmsTwilioChannel(provider).send(sms({ to: '+4915100000001' })));
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain(`code ${code}`);
    expect(error.message).toContain('HTTP 400');
    expect(gateway.requests).toHaveLength(1);
  });

  it.each([
    ['429 too many requests', twilioError(429, 20429, 'Too Many Requests')],
    ['503 unavailable', twilioError(503, 20503, 'Service Unavailable')],
    ['500 with an HTML page from a proxy', { status: 500, raw: '<html><body>Internal error</body></html>' }],
    ['502 bad gateway, empty', { status: 502, raw: '' }],
    ['401 wrong credentials (ours: every message would fail)', twilioError(401, 20003, 'Authenticate')],
    ['403 forbidden', twilioError(403, 20003, 'Permission denied')],
    ['404 wrong account SID or base URL', twilioError(404, 20404, 'The requested resource was not found')],
    [
      '400/21606: the From number is not ours (configuration)',
      twilioError(400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number"),
    ],
    ['400/21212: invalid From number (configuration)', twilioError(400, 21212, "The 'From' number is not a valid phone number")],
  ] as const)('case=%s is retried: a plain Error, not a PermanentDeliveryError', async (_name, answer) => {
    answers.set('+4915100000002', answer);
    const error = await failure(createSmsTwilioChannel(provider).send(sms({ to: '+4915100000002' })));
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain(`HTTP ${answer.status}`);
  });

  it('case=a 429 names Twilio’s code so operators see the throttling', async () => {
    answers.set('+4915100000003', twilioError(429, 20429, 'Too Many Requests'));
    const error = await failure(createSmsTwilioChannel(provider).send(sms({ to: '+4915100000003' })));
    expect(error.message).toContain('code 20429');
  });

  it('case=a server that hangs is aborted by the worker’s signal, and the message is retried', async () => {
    answers.set('+4915100000004', 'hang');
    const started = performance.now();
    const error = await failure(createSmsTwilioChannel(provider).send(sms({ to: '+4915100000004' }), { signal: AbortSignal.timeout(150) }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toMatch(/did not answer in time/);
    expect(gateway.requests).toHaveLength(1);
  });

  it('case=a signal aborted by hand ends the send too', async () => {
    answers.set('+4915100000005', 'hang');
    const controller = new AbortController();
    const send = createSmsTwilioChannel(provider).send(sms({ to: '+4915100000005' }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await failure(send);
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
  });

  it('case=nobody listening (connection refused) is retried', async () => {
    const closed = await startFakeTwilio(() => ({ status: 201, json: { sid: 'SMx' } }));
    await closed.close();
    const error = await failure(createSmsTwilioChannel({ ...provider, baseUrl: closed.baseUrl }).send(sms()));
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toMatch(/ECONNREFUSED|connect/);
  });

  it('case=a gateway that echoes the body in its error does not get the code into the error', async () => {
    answers.set('+4915100000006', twilioError(400, 21211, `Invalid message "${TEXT}" (code ${CODE})`));
    const error = await failure(createSmsTwilioChannel(provider).send(sms({ to: '+4915100000006' })));
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain('code 21211');
  });

  it('case=withoutSmsText masks the text, codes and long tokens, and keeps the rest', () => {
    const text = 'Bestätigen: http://127.0.0.1:3000/confirm?token=tK9vQ2mXr7LpW4sZ8bNc\nCode: 583920';
    const reason = `bad 583920 and tK9vQ2mXr7LpW4sZ8bNc for +4915100000001 ${text}`;
    const cleaned = withoutSmsText(reason, text);
    expect(cleaned).not.toContain('583920');
    expect(cleaned).not.toContain('tK9vQ2mXr7LpW4sZ8bNc');
    expect(cleaned).toContain('+4915100000001');
    expect(cleaned.startsWith('bad ')).toBe(true);
  });
});
