import { normaliseCrockford, randomCrockford, randomDigits, randomToken } from '../core/random.js';
import type { SecretKind } from './purposes.js';

/** Bytes of a link token: 256 bits, 43 base64url characters (docs/reference/security-requirements.md 3.4 asks ≥ 128). */
export const LINK_SECRET_BYTES = 32;

/** A fresh secret of the given kind, as it will appear in the message (before the link id). */
export function generateSecret(kind: SecretKind): string {
  switch (kind) {
    case 'link':
      return randomToken(LINK_SECRET_BYTES);
    case 'digits6':
      return randomDigits(6);
    case 'crockford8':
      return randomCrockford(8);
  }
}

/**
 * What a person typed, brought to the form that was hashed: digits without spaces or dashes;
 * Crockford codes upper-cased with look-alikes mapped. Returns undefined for input that can
 * never be a code (wrong length or alphabet): that is a typing slip, answered as a validation
 * error without using up one of the code's tries.
 */
export function normaliseCode(kind: Exclude<SecretKind, 'link'>, input: string): string | undefined {
  if (kind === 'digits6') {
    const digits = input.replace(/[\s-]/g, '');
    return /^\d{6}$/.test(digits) ? digits : undefined;
  }
  const code = normaliseCrockford(input);
  return /^[0-9A-HJKMNP-TV-Z]{8}$/.test(code) ? code : undefined;
}

/** A link token is `<row id>.<secret>`: the id finds the row, the secret proves possession. */
export function joinLinkToken(id: string, secret: string): string {
  return `${id}.${secret}`;
}

export function splitLinkToken(token: string): { id: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/.exec(token.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return { id: match[1], secret: match[2] };
}
