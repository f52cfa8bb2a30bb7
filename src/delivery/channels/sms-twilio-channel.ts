import type { SmsProviderConfig } from '../../config/config.js';
import { PermanentDeliveryError, type Channel, type DeliverableMessage, type SendOptions } from './channel.js';

export type TwilioProviderConfig = Extract<SmsProviderConfig, { kind: 'twilio' }>;

/** Our own ceiling for one request; the worker's signal (half the outbox lease) may end it sooner. */
export const SMS_REQUEST_TIMEOUT_MS = 15_000;

/**
 * Twilio error codes that are about our account or sender, not about this message: they hit
 * every message alike, so they are retried (and logged by the worker) until the operator fixes
 * the configuration, instead of failing every queued code at once. 20003: authentication;
 * 20404: no such resource (wrong account SID or base URL); 21212/21601/21603/21606/21659: the
 * From number is invalid, missing or not ours; 21705: the Messaging Service SID is invalid.
 */
const CONFIGURATION_CODES = new Set([20003, 20404, 21212, 21601, 21603, 21606, 21659, 21705]);

/** HTTP answers that say "later", or that are about our credentials or URL: retried. */
const RETRIED_STATUSES = new Set([401, 403, 404, 408, 409, 425, 429]);

/** A Messaging Service SID: "MG" and 32 hex digits. Sent as MessagingServiceSid, not From. */
function isMessagingServiceSid(from: string): boolean {
  return from.startsWith('MG') && from.length === 34;
}

/**
 * Removes the SMS text from a text that goes into an error message, and so into the outbox's
 * `last_error` and the logs: the whole text (also JSON-escaped), each of its lines, and
 * anything in it that looks like a code or a link token (a run of four or more letters and
 * digits containing a digit, or of sixteen or more characters). Twilio does not echo bodies,
 * but a Twilio-compatible gateway or a webhook receiver might.
 */
export function withoutSmsText(reason: string, text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 8);
  const tokens = (text.match(/[A-Za-z0-9_-]{4,}/g) ?? []).filter((word) => /\d/.test(word) || word.length >= 16);
  const pieces = [text, JSON.stringify(text).slice(1, -1), ...lines, ...tokens].filter((piece) => piece.length > 0);
  // Longest first, so that a shorter piece inside a longer one does not leave the rest behind.
  let cleaned = reason;
  for (const piece of [...new Set(pieces)].sort((a, b) => b.length - a.length)) cleaned = cleaned.split(piece).join('•••');
  return cleaned;
}

/** The signal for one request: the caller's (if any) and our own timeout, whichever fires first. */
export function requestSignal(signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(SMS_REQUEST_TIMEOUT_MS);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** A retryable error for a request that never got an answer (refused, reset, timed out, aborted). */
export function requestFailure(gateway: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError') return new Error(`${gateway} did not answer in time`, { cause: error });
  if (name === 'AbortError') return new Error(`${gateway} request was aborted`, { cause: error });
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.message ?? cause?.code ?? (error instanceof Error ? error.message : String(error));
  return new Error(`${gateway} request failed: ${detail}`, { cause: error });
}

interface TwilioError {
  readonly code?: unknown;
  readonly message?: unknown;
}

function parseTwilioError(body: string): TwilioError {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * SMS through Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`, form
 * encoded, HTTP Basic auth with the account SID and auth token). Any 2xx means Twilio has
 * accepted the message. A refusal of this message (invalid or non-mobile number, an
 * unsubscribed recipient, a country not enabled: HTTP 400 with a Twilio code) is final; a
 * refusal of our credentials or sender, 429, 5xx and network failures are retried by the
 * worker. Nothing here logs, and no error names the SMS text: it carries a code.
 *
 * Twilio has no idempotency key for this call, so a request that times out after Twilio took
 * it may be sent twice on retry (delivery is at-least-once, as for email).
 */
export function createSmsTwilioChannel(provider: TwilioProviderConfig): Channel {
  const url = `${provider.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(provider.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${provider.accountSid}:${provider.authToken}`, 'utf8').toString('base64')}`;
  const sender: [string, string] = isMessagingServiceSid(provider.from) ? ['MessagingServiceSid', provider.from] : ['From', provider.from];

  return {
    transport: 'sms-twilio',
    async send(message: DeliverableMessage, options?: SendOptions): Promise<void> {
      const form = new URLSearchParams([['To', message.to], sender, ['Body', message.text]]);
      let response: Response;
      let body: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          // A redirect would carry the credentials elsewhere; a wrong base URL is retried instead.
          redirect: 'manual',
          signal: requestSignal(options?.signal),
        });
        body = await response.text();
      } catch (error) {
        throw requestFailure('Twilio', error);
      }
      if (response.status >= 200 && response.status < 300) return;

      const twilio = parseTwilioError(body);
      const code = typeof twilio.code === 'number' ? twilio.code : undefined;
      const detail = typeof twilio.message === 'string' ? ` (${withoutSmsText(twilio.message, message.text).slice(0, 200)})` : '';
      const reason = `Twilio answered HTTP ${response.status}${code === undefined ? '' : `, code ${code}`}${detail}`;
      const permanent =
        response.status >= 400 && response.status < 500 && !RETRIED_STATUSES.has(response.status) && (code === undefined || !CONFIGURATION_CODES.has(code));
      if (permanent) throw new PermanentDeliveryError(reason);
      throw new Error(reason);
    },
  };
}
