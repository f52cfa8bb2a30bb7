import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keyed hashing and constant-time comparison. Every secret Lifeline stores (one-time codes
 * and links, session tokens, CSRF tokens, API keys) is stored only as HMAC-SHA-256 under a
 * server key kept outside the database, so a leaked database alone does not give away even
 * a 6-digit code by brute force (docs/reference/security-requirements.md 3.6 and its scope decision).
 */

/**
 * HMAC-SHA-256 over several parts, base64url. Each part is length-prefixed so that
 * ("a|b", "c") and ("a", "b|c") can never hash alike.
 */
export function hmacSha256(key: Buffer, ...parts: readonly string[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    mac.update(`${bytes.length}:`);
    mac.update(bytes);
  }
  return mac.digest('base64url');
}

/** SHA-256 of a UTF-8 string, as 32 bytes (to compare with timingSafeEqual, see constantTimeEqual). */
export function sha256Digest(input: string): Buffer {
  return createHash('sha256').update(input, 'utf8').digest();
}

export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex');
}

/**
 * Compares two strings in time that depends on neither their content nor their lengths:
 * both sides are hashed to 32 bytes first, then compared with `crypto.timingSafeEqual`.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256Digest(a), sha256Digest(b));
}
