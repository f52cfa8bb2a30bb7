import { createRequire } from 'node:module';
import type { ErrorCode } from '../contract/error-codes.js';

/** docs/reference/security-requirements.md 1.4: at least 8 code points; we allow up to 128 (well above the 64 required). */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * How many of the most frequent German and English words count as common passwords when they
 * stand alone or with digits or symbols around them ("sommer2024", "Wohnung!"): a single
 * everyday word plus a year is among the first things a guesser tries, in either language.
 */
const COMMON_WORDS_PER_LANGUAGE = 5_000;

/** Words shorter than this are left to the length rule (a stem of "ja" plus six digits is a number). */
const MIN_WORD_STEM = 4;

interface Blocklist {
  /** Whole passwords: @zxcvbn-ts/language-common's common and breached passwords (about 49 000, lower-cased). */
  readonly passwords: ReadonlySet<string>;
  /** Stems: those passwords and the most frequent German and English words (@zxcvbn-ts/language-de, -en). */
  readonly stems: ReadonlySet<string>;
}

/**
 * The shipped blocklist (docs/reference/security-requirements.md 1.6): the common-password list
 * of @zxcvbn-ts/language-common, and the word lists of the German and English packages (ordered
 * by frequency; the same dictionaries drive the UI's strength meter), all offline.
 */
function loadBlocklist(): Blocklist {
  const require = createRequire(import.meta.url);
  type Dictionaries = { dictionary: Record<string, readonly string[]> };
  const common = require('@zxcvbn-ts/language-common') as Dictionaries;
  const passwords = (common.dictionary['passwords-common'] ?? []).map((p) => p.toLowerCase());
  if (passwords.length < 10_000) throw new Error('the common-password list is missing or too short');
  const words = [
    ...((require('@zxcvbn-ts/language-de') as Dictionaries).dictionary['commonWords'] ?? []).slice(0, COMMON_WORDS_PER_LANGUAGE),
    ...((require('@zxcvbn-ts/language-en') as Dictionaries).dictionary['commonWords-en'] ?? []).slice(0, COMMON_WORDS_PER_LANGUAGE),
  ].map((w) => w.toLowerCase());
  if (words.length < COMMON_WORDS_PER_LANGUAGE) throw new Error('the German and English word lists are missing');
  const stems = new Set([...passwords, ...words].filter((w) => [...w].length >= MIN_WORD_STEM));
  return { passwords: new Set(passwords), stems };
}

let blocklist: Blocklist | undefined;

/** How many passwords the blocklist holds (for tests and documentation). */
export function blocklistSize(): number {
  blocklist ??= loadBlocklist();
  return blocklist.passwords.size;
}

/** Digits, punctuation, symbols and spaces around a word: what a user adds to a common word to pass a rule. */
const decoration = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;

/** Control characters (CR, LF, NUL, …) have no place in a password and break forms and logs. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a new password (docs/reference/security-requirements.md 1.4–1.6): length in code points, no control characters,
 * not on the blocklist and not the account's own email, its local part or the service's name
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
  // The whole password is compared, but a context word with digits or symbols around it
  // ("lifeline2024", "!anna.schmidt") is the first thing a guesser tries (docs/reference/security-requirements.md 1.6).
  const stem = lower.replace(decoration, '');
  if (personal.has(lower) || personal.has(stem)) return 'password-personal';
  blocklist ??= loadBlocklist();
  if (blocklist.passwords.has(lower)) return 'password-too-common';
  // A common password or word with only digits or symbols before or after it ("passwort123",
  // "hallo1234", "!sommer2024"): the stem is what a guesser's list starts from.
  if (blocklist.stems.has(stem)) return 'password-too-common';
  return undefined;
}
