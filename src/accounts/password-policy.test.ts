import { describe, expect, it } from 'vitest';
import { MAX_PASSWORD_BYTES, password as passwordSchema } from '../contract/accounts.js';
import { blocklistSize, checkNewPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-policy.js';

const context = { email: 'anna.schmidt@example.com', appName: 'Lifeline' };
const check = (password: string) => checkNewPassword(password, context);

describe('password length (docs/reference/security-requirements.md 1.4)', () => {
  it('refuses 7 code points and accepts 8 (docs/reference/security-requirements.md 1.4)', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    expect(check('qx7#mvb')).toBe('password-too-short');
    expect(check('qx7#mvbz')).toBeUndefined();
  });

  it('accepts 64 and 128 code points and refuses 129 (docs/reference/security-requirements.md 1.4: at least 64 allowed)', () => {
    expect(MAX_PASSWORD_LENGTH).toBe(128);
    const unit = 'Zq8!wLp3';
    expect(check(unit.repeat(8))).toBeUndefined(); // 64
    expect(check(unit.repeat(16))).toBeUndefined(); // 128
    expect(check(`${unit.repeat(16)}x`)).toBe('password-too-long'); // 129
  });

  it('counts code points, not UTF-16 units: emoji and CJK (docs/reference/security-requirements.md 1.4)', () => {
    // 7 emoji are 14 UTF-16 units, but 7 characters: too short.
    expect('🐴🔋📎🦄🐙🍀🎲'.length).toBe(14);
    expect(check('🐴🔋📎🦄🐙🍀🎲')).toBe('password-too-short');
    expect(check('🐴🔋📎🦄🐙🍀🎲🚲')).toBeUndefined();
    expect(check('马电池订书钉正确')).toBeUndefined(); // 8 CJK characters
    expect(check('马电池订书钉正')).toBe('password-too-short'); // 7
    // 128 emoji (256 UTF-16 units, 512 bytes) are accepted, 129 are not.
    expect(check('🐴'.repeat(128))).toBeUndefined();
    expect(check('🐴'.repeat(129))).toBe('password-too-long');
  });

  it('the request schema bounds the size in bytes, above the 128 code points of any script (docs/reference/security-requirements.md 1.10, 1.4)', () => {
    expect(MAX_PASSWORD_BYTES).toBeGreaterThanOrEqual(128 * 4);
    expect(passwordSchema.safeParse('🐴'.repeat(128)).success).toBe(true);
    expect(passwordSchema.safeParse('a'.repeat(MAX_PASSWORD_BYTES)).success).toBe(true);
    expect(passwordSchema.safeParse('a'.repeat(MAX_PASSWORD_BYTES + 1)).success).toBe(false);
    expect(passwordSchema.safeParse('a'.repeat(2048)).success).toBe(false);
  });
});

describe('no composition rules (docs/reference/security-requirements.md 1.5)', () => {
  it('accepts "correcthorsebatterystaple", all lower-case, no digits or symbols (docs/reference/security-requirements.md 1.5)', () => {
    expect(check('correcthorsebatterystaple')).toBeUndefined();
    expect(check('correct horse battery staple')).toBeUndefined();
    expect(check('жёлтыйзонтик')).toBeUndefined();
  });
});

describe('blocklist and context words (docs/reference/security-requirements.md 1.6)', () => {
  it('ships at least 10 000 common passwords (docs/reference/security-requirements.md 1.6: at least the top 3000)', () => {
    expect(blocklistSize()).toBeGreaterThanOrEqual(10_000);
  });

  it('refuses common passwords with their reason code, whatever the case (docs/reference/security-requirements.md 1.6)', () => {
    expect(check('password123')).toBe('password-too-common');
    expect(check('PASSWORD123')).toBe('password-too-common');
    expect(check('12345678')).toBe('password-too-common');
    expect(check('iloveyou1')).toBe('password-too-common');
  });

  it('refuses a common password or a frequent German or English word with digits or symbols around it', () => {
    for (const weak of ['passwort123', 'Passwort123!', 'hallo1234', '!!sommer2024', 'Wohnung 2025', 'monkey12345', 'dragon!!!!', '2024password']) {
      expect(check(weak), weak).toBe('password-too-common');
    }
    // Two words, or one rare word, stay allowed: no composition rule, only what a guesser's list starts from.
    for (const fine of ['sommer wohnung 2024', 'Wolkenband9', 'Kanu über dem Mühlteich 42', 'passwort-bei-oma', 'ja123456789']) {
      expect(check(fine), fine).toBeUndefined();
    }
  });

  it('refuses the service name, the email and its local part with password-personal (docs/reference/security-requirements.md 1.6)', () => {
    expect(check('lifeline')).toBe('password-personal');
    expect(check('Lifeline')).toBe('password-personal');
    expect(check('LIFELINE')).toBe('password-personal');
    expect(check('anna.schmidt')).toBe('password-personal');
    expect(check('Anna.Schmidt')).toBe('password-personal');
    expect(check('anna.schmidt@example.com')).toBe('password-personal');
    expect(check('ANNA.SCHMIDT@EXAMPLE.COM')).toBe('password-personal');
    // The host application's own name counts too.
    expect(checkNewPassword('examplecloud', { email: 'x@example.com', appName: 'ExampleCloud' })).toBe('password-personal');
  });

  it('refuses a context word with digits or symbols around it, as docs/reference/security-requirements.md 1.6’s test asks ("lifeline2024")', () => {
    expect(check('lifeline2024')).toBe('password-personal');
    expect(check('Lifeline-2024!')).toBe('password-personal');
    expect(check('anna.schmidt1990')).toBe('password-personal');
    expect(check('anna.schmidt 🙂🙂')).toBe('password-personal');
    expect(check('2024lifeline')).toBe('password-personal'); // before it, too
    expect(check('lifelines-are-great')).toBeUndefined();
  });

  it('compares whole passwords, not substrings (docs/reference/security-requirements.md 1.6)', () => {
    expect(check('anna.schmidt likes long passphrases')).toBeUndefined();
    expect(check('my lifeline is a long passphrase')).toBeUndefined();
  });
});

describe('control characters (docs/reference/security-requirements.md 1.7, 7.4)', () => {
  it.each([
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['NUL', '\u0000'],
    ['TAB', '\t'],
    ['DEL', '\u007f'],
    ['NEL (U+0085)', '\u0085'],
  ])('refuses %s anywhere in a new password (docs/reference/security-requirements.md 7.4)', (_name, character) => {
    expect(check(`Zq8!wLp3${character}Zq8!wLp3`)).toBe('password-invalid-characters');
    expect(check(`${character}Zq8!wLp3Zq8`)).toBe('password-invalid-characters');
    expect(check(`Zq8!wLp3Zq8${character}`)).toBe('password-invalid-characters');
  });

  it('does not trim or change the password: spaces at either end are part of it (docs/reference/security-requirements.md 1.7)', () => {
    expect(check(' Zq8!wLp3 ')).toBeUndefined();
    expect(check('   Zq8!  ')).toBeUndefined(); // 9 code points, 3 of them spaces
  });
});
