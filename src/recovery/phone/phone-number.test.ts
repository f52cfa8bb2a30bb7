import { describe, expect, it } from 'vitest';
import { isLifelineError } from '../../core/errors.js';
import { DEFAULT_SMS_COUNTRIES } from '../../config/parse-config.js';
import { maskNumber, parseRecoveryNumber } from './phone-number.js';

const policy = { defaultCountry: 'DE', allowedCountries: DEFAULT_SMS_COUNTRIES };

function refusal(input: string, country?: string): string | undefined {
  try {
    parseRecoveryNumber(input, country, policy);
    return undefined;
  } catch (error) {
    if (isLifelineError(error)) return error.code;
    throw error;
  }
}

describe('recovery phone numbers', () => {
  it.each([
    ['0171 1234567', undefined],
    ['+49 171 1234567', undefined],
    ['0049 171 1234567', undefined],
    ['0049-171-1234567', 'DE'],
    ['0171/123 45 67', 'DE'],
    ['(0171) 123.4567', 'DE'],
    ['+491711234567', 'AT'], // the + wins over the selector
    ['00491711234567', 'US'], // 00 is read as international even when the selector's country dials 011
  ])('accepts the form people type: %s (selector %s)', (input, country) => {
    expect(parseRecoveryNumber(input, country, policy)).toEqual({ e164: '+491711234567', country: 'DE', prefix: '+491711234' });
  });

  it('reads a number of another allowed country with its own country, e.g. Austria and Belgium', () => {
    expect(parseRecoveryNumber('0664 1234567', 'AT', policy).e164).toBe('+436641234567');
    expect(parseRecoveryNumber('+32 470 12 34 56', undefined, policy).country).toBe('BE');
  });

  it.each([
    ['123', 'DE'],
    ['', 'DE'],
    ['0171 CALLME1', 'DE'],
    ['+49 171 1234567 ext 5; DROP TABLE', 'DE'],
    ['032 12345678', 'DE'],
    ['115', 'DE'], // a short code (Behördennummer) is not a valid full number
    ['0171 1234567', 'XX'],
    ['9'.repeat(41), 'DE'],
  ])('refuses %s as invalid-number', (input, country) => {
    expect(refusal(input, country)).toBe('invalid-number');
  });

  it.each([
    ['0900 1234567', 'premium rate'],
    ['0800 1234567', 'toll-free'],
    ['01805 123456', 'shared cost'],
    ['030 12345678', 'fixed line: cannot receive SMS'],
    ['032 123456789', 'VoIP (the national 032 range)'],
    ['+882 16 1234567', 'VoIP of an international network'],
  ])('refuses %s (%s) as number-type-not-allowed, or country-not-allowed when it has no country', (input) => {
    expect(refusal(input, 'DE')).toBe(input.startsWith('+882') ? 'country-not-allowed' : 'number-type-not-allowed');
  });

  it('refuses numbers outside SMS_ALLOWED_COUNTRIES as country-not-allowed', () => {
    expect(refusal('+1 201 555 0123', 'US')).toBe('country-not-allowed');
    expect(refusal('+44 7400 123456')).toBe('country-not-allowed');
    expect(parseRecoveryNumber('+44 7400 123456', undefined, { defaultCountry: 'DE', allowedCountries: ['DE', 'GB'] }).country).toBe('GB');
  });

  it('masks all but the last 3 digits: +49 *** ****567', () => {
    expect(maskNumber('+491711234567')).toBe('+49 *** ****567');
    expect(maskNumber('+436641234567')).toBe('+43 *** ****567');
    expect(maskNumber('+32470123456')).toBe('+32 *** ***456');
  });
});
