import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/**
 * Randomness for secrets. Everything here comes from Node's CSPRNG (`crypto.randomBytes`,
 * `crypto.randomInt`); docs/reference/security-requirements.md 3.3, 3.4, 4.3. Nothing that protects an account may use
 * Math.random.
 */

/** A new opaque row id (UUID v4). Ids are not secrets, but are unguessable anyway. */
export function newId(): string {
  return randomUUID();
}

/** `bytes` random bytes as base64url (32 bytes = 256 bits = 43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A decimal code of `length` digits, each digit uniform (docs/reference/security-requirements.md 4.3: ≥ 6 digits). */
export function randomDigits(length = 6): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

/** Crockford's base32 alphabet: no I, L, O, U, so a code read aloud or typed is unambiguous. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An upper-case Crockford base32 code (8 characters = 40 bits). */
export function randomCrockford(length = 8): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CROCKFORD_ALPHABET[randomInt(32)];
  return code;
}

/**
 * Brings what a person typed back to the canonical Crockford form: upper case, without
 * spaces or dashes, with the look-alikes O→0 and I/L→1 mapped as Crockford specifies.
 */
export function normaliseCrockford(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}
