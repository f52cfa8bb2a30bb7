import { describe, expect, it } from 'vitest';
import { formatRecoveryCode, newRecoveryCodes, normaliseRecoveryCode, RECOVERY_CODES_PER_SET } from './recovery-code-format.js';

describe('recovery codes: form', () => {
  it('a set is ten distinct codes of 12 Crockford base32 characters (60 bits), shown in three groups of four, e.g. 7K3M-Q9WD-2HXA', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODES_PER_SET);
    expect(new Set(codes).size).toBe(RECOVERY_CODES_PER_SET);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
      expect(formatRecoveryCode(code)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    }
  });

  it('case, spaces and dashes do not matter; O, I and L read as 0 and 1', () => {
    expect(normaliseRecoveryCode('k7m2-q9xd-a1b0')).toBe('K7M2Q9XDA1B0');
    expect(normaliseRecoveryCode(' K7M2 Q9XD A1B0 ')).toBe('K7M2Q9XDA1B0');
    expect(normaliseRecoveryCode('k7m2q9xdalbo')).toBe('K7M2Q9XDA1B0');
    expect(normaliseRecoveryCode(formatRecoveryCode('K7M2Q9XDA1B0'))).toBe('K7M2Q9XDA1B0');
  });

  it('what can never be a code is refused: too short, too long, outside the alphabet', () => {
    for (const typed of ['', 'K7M2-Q9XD', 'K7M2-Q9XD-A1B0-Z', 'K7M2-Q9XD-A1BU', 'K7M2-Q9XD-A1B!']) expect(normaliseRecoveryCode(typed), typed).toBeUndefined();
  });
});
