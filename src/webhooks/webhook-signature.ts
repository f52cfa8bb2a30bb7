import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks 1.0 signatures (docs/integration.md "Verifying a delivery"): the secret is
 * `whsec_` and base64 of at least 24 random bytes; a signature is `v1,` and base64 of
 * HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the decoded bytes.
 * During a rotation a delivery carries one signature per live secret, space-separated, so a
 * receiver holding either secret accepts it.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** The `webhook-signature` header for the live secrets (current first). */
export function webhookSignatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => webhookSignature(secret, id, timestamp, body)).join(' ');
}
