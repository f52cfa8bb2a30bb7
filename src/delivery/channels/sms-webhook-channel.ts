import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SmsProviderConfig } from '../../config/config.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { PermanentDeliveryError, type Channel, type DeliverableMessage, type SendOptions } from './channel.js';
import { requestFailure, requestSignal, withoutSmsText } from './sms-twilio-channel.js';

export type WebhookProviderConfig = Extract<SmsProviderConfig, { kind: 'webhook' }>;

/** How far a signature's timestamp may lie from the receiver's clock (either way). */
export const SMS_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * 4xx answers that are retried: "later" (408 timeout, 409 conflict, e.g. the same
 * Idempotency-Key still in flight, 425 too early, 429 too many requests), and the ones about
 * our configuration rather than this message (401/403: the receiver does not accept our
 * signature, i.e. SMS_WEBHOOK_SECRET differs; 404: SMS_WEBHOOK_URL is wrong). Those hit every
 * message alike, so they wait for the operator's fix instead of failing every code at once.
 */
const RETRIED_STATUSES = new Set([401, 403, 404, 408, 409, 425, 429]);

/** `v1=` + hex HMAC-SHA-256 over `${timestamp}.${rawBody}` (the Stripe recipe). */
export function signSmsWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export interface VerifySmsWebhookSignatureInput {
  /** SMS_WEBHOOK_SECRET. */
  readonly secret: string;
  /** The `X-Lifeline-Timestamp` header: unix seconds. */
  readonly timestamp: string | number;
  /** The raw request body, exactly as received (not re-serialised JSON). */
  readonly body: string | Buffer;
  /** The `X-Lifeline-Signature` header, `v1=<hex>`. */
  readonly signature: string;
  /** The receiver's time in unix seconds; defaults to the system clock. */
  readonly now?: number;
  readonly toleranceSeconds?: number;
}

/**
 * Checks a webhook request as a receiver should: the timestamp is recent (so a captured
 * request cannot be replayed later) and the signature matches, compared in constant time.
 * Returns false for anything malformed instead of throwing.
 */
export function verifySmsWebhookSignature(input: VerifySmsWebhookSignatureInput): boolean {
  const { secret, signature, toleranceSeconds = SMS_WEBHOOK_TOLERANCE_SECONDS } = input;
  const now = input.now ?? Math.floor(systemClock.now() / 1000);
  const timestampText = String(input.timestamp);
  if (!/^\d{1,12}$/.test(timestampText)) return false;
  const timestamp = Number(timestampText);
  if (Math.abs(now - timestamp) > toleranceSeconds) return false;
  const match = /^v1=([0-9a-f]{64})$/.exec(signature.trim());
  if (!match?.[1]) return false;
  const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
  const expected = createHmac('sha256', secret).update(`${timestampText}.${body}`, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

/**
 * SMS through a gateway of the operator's own: one JSON POST per message to SMS_WEBHOOK_URL,
 * `{"id", "to", "text"}`, signed with HMAC-SHA-256 under SMS_WEBHOOK_SECRET over the timestamp
 * and the raw body. `Idempotency-Key` is the outbox id, the same on every retry of a message,
 * so the receiver can drop a duplicate after a timeout. 2xx is delivered; a 4xx (but those in
 * {@link RETRIED_STATUSES}) is final for this message; everything else is retried. Nothing
 * here logs, and no error names the SMS text (it carries a code) or the URL (it may carry a
 * key). The clock only stamps the signature; tests may pass their own.
 */
export function createSmsWebhookChannel(provider: WebhookProviderConfig, deps: { clock?: Clock } = {}): Channel {
  const clock = deps.clock ?? systemClock;

  return {
    transport: 'sms-webhook',
    async send(message: DeliverableMessage, options?: SendOptions): Promise<void> {
      const body = JSON.stringify({ id: message.id, to: message.to, text: message.text });
      const timestamp = Math.floor(clock.now() / 1000);
      let response: Response;
      let answer: string;
      try {
        response = await fetch(provider.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': message.id,
            'x-lifeline-timestamp': String(timestamp),
            'x-lifeline-signature': signSmsWebhook(provider.secret, timestamp, body),
          },
          body,
          // A redirect would re-send the signed code to another place (or drop the body): retried instead.
          redirect: 'manual',
          signal: requestSignal(options?.signal),
        });
        answer = await response.text();
      } catch (error) {
        throw requestFailure('The SMS webhook', error);
      }
      if (response.status >= 200 && response.status < 300) return;

      const snippet = withoutSmsText(answer.replace(/\s+/g, ' ').trim(), message.text).slice(0, 200);
      const reason = `The SMS webhook answered HTTP ${response.status}${snippet ? ` (${snippet})` : ''}`;
      if (response.status >= 400 && response.status < 500 && !RETRIED_STATUSES.has(response.status)) throw new PermanentDeliveryError(reason);
      throw new Error(reason);
    },
  };
}
