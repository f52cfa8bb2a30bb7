import { createRequire } from 'node:module';
import type { ErrorCode } from '../contract/error-codes.js';

/** docs/reference/security-requirements.md 1.4: at least 8 code points; we allow up to 128 (well above the 64 required). */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * The shipped blocklist: @zxcvbn-ts/language-common's list of common passwords (about 49 000,
 * most common first, from breach corpora), lower-cased. The language packages for German and
 * English carry word lists, not password lists; zxcvbn uses those for the UI's strength meter.
 */
function loadBlocklist(): ReadonlySet<string> {
  const common = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: Record<string, readonly string[]> };
  const passwords = common.dictionary['passwords-common'] ?? [];
  if (passwords.length < 10_000) throw new Error('the common-password list is missing or too short');
  return new Set(passwords.map((p) => p.toLowerCase()));
}

let blocklist: ReadonlySet<string> | undefined;

/** How many passwords the blocklist holds (for tests and documentation). */
export function blocklistSize(): number {
  blocklist ??= loadBlocklist();
  return blocklist.size;
}

/** Control characters (CR, LF, NUL, …) have no place in a password and break forms and logs. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a new password (docs/reference/security-requirements.md 1.4–1.6): length in code points, no control characters,
 * not on the blocklist and not the account's own e-mail, its local part or the service's name
 * (whole-password comparison, case-insensitive). No composition rules. Returns the reason as
 * an error code, or undefined when the password is acceptable. The password itself is never
 * changed: what is checked is exactly what is hashed (1.7).
 */
export function checkNewPassword(password: string, context: { email: string; appName: string }): ErrorCode | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'password-too-short';
  if (length > MAX_PASSWORD_LENGTH) return 'password-too-long';
  // A lone surrogate is no character at all: it would be hashed as U+FFFD, so different inputs would collide.
  if (controlCharacter.test(password) || !password.isWellFormed()) return 'password-invalid-characters';
  const lower = password.toLowerCase();
  const email = context.email.toLowerCase();
  const personal = new Set([email, email.split('@')[0] ?? '', 'lifeline', context.appName.toLowerCase()]);
  // The whole password is compared, but a context word with digits or symbols appended
  // ("lifeline2024", "anna.schmidt!") is the first thing a guesser tries (docs/reference/security-requirements.md 1.6).
  if (personal.has(lower) || personal.has(lower.replace(/[\p{N}\p{P}\p{S}\s]+$/u, ''))) return 'password-personal';
  blocklist ??= loadBlocklist();
  if (blocklist.has(lower)) return 'password-too-common';
  return undefined;
}
