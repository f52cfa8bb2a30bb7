import { isSupportedCountry, parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';
import { LifelineError } from '../../core/errors.js';

/** A recovery phone number after parsing: what SMS go to, and what caps and metrics key on. */
export interface RecoveryNumber {
  /** E.164, e.g. +491711234567. */
  readonly e164: string;
  /** ISO 3166-1 alpha-2 of the number itself (not of the selector: +43… is AT). */
  readonly country: string;
  /** All but the last 3 digits: pumpers walk through the numbers of one range. */
  readonly prefix: string;
}

export interface NumberPolicy {
  readonly defaultCountry: string;
  readonly allowedCountries: readonly string[];
}

/**
 * Only numbers that can receive an SMS and that one person carries: mobile, and numbers the
 * metadata cannot tell apart from mobile (US/CA style). Fixed lines cannot receive SMS;
 * premium, shared-cost, toll-free, VoIP, pager, UAN and personal numbers are what SMS pumping
 * uses (the sender pays, the number's owner earns), and short codes are not even valid here.
 */
const ALLOWED_TYPES: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/** What people type: digits, +, spaces, dashes, slashes, dots, brackets. No letters (vanity numbers). */
const TYPED_FORM = /^[+\d\s\-/.()]{1,40}$/;

/**
 * Parses a number as people type it (`0171 1234567`, `+49 171 1234567`, `0049…`, with spaces,
 * dashes or slashes) with libphonenumber's full metadata, and refuses what may not be a
 * recovery phone: invalid (`invalid-number`), outside the allowed countries
 * (`country-not-allowed`) or not a mobile number (`number-type-not-allowed`).
 */
export function parseRecoveryNumber(input: string, selectedCountry: string | undefined, policy: NumberPolicy): RecoveryNumber {
  const typed = input.trim();
  const country = (selectedCountry ?? policy.defaultCountry).toUpperCase();
  if (!TYPED_FORM.test(typed) || !isSupportedCountry(country)) throw new LifelineError('invalid-number');
  // "0049 171 …" is the international prefix of most of Europe; libphonenumber reads it from the
  // selected country's rules, which for a caller abroad (e.g. US: 011) would not apply.
  const international = typed.replace(/^\s*00(?=[1-9])/, '+');
  const parsed = parsePhoneNumberFromString(international, country);
  if (!parsed?.isValid()) throw new LifelineError('invalid-number');
  const numberCountry = parsed.country;
  if (numberCountry === undefined || !policy.allowedCountries.includes(numberCountry)) throw new LifelineError('country-not-allowed');
  const type = parsed.getType();
  if (type === undefined || !ALLOWED_TYPES.has(type)) throw new LifelineError('number-type-not-allowed');
  const e164 = parsed.number;
  return { e164, country: numberCountry, prefix: e164.slice(0, -3) };
}

/**
 * The number as the profile and notices show it: the country code, then every digit but the
 * last 3 hidden (`+49 *** ****567`), so that a screenshot or a forwarded notice gives nothing
 * away while the owner still recognises their number.
 */
export function maskNumber(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const callingCode = parsed ? parsed.countryCallingCode : e164.slice(1, 3);
  const national = parsed ? parsed.nationalNumber : e164.slice(1 + callingCode.length);
  const hidden = Math.max(0, national.length - 3);
  const stars = '*'.repeat(hidden);
  const grouped = hidden > 3 ? `${stars.slice(0, 3)} ${stars.slice(3)}` : stars;
  return `+${callingCode} ${grouped}${national.slice(hidden)}`;
}

/** The country of an E.164 number (for notices and metrics), or "ZZ" when unknown. */
export function countryOf(e164: string): string {
  return parsePhoneNumberFromString(e164)?.country ?? 'ZZ';
}
