import { describe, expect, it } from 'vitest';
import { generateSecret, joinLinkToken, LINK_SECRET_BYTES, normaliseCode, splitLinkToken } from './secret-format.js';

describe('generateSecret: the form of each kind of secret (docs/reference/security-requirements.md 3.4, 4.3)', () => {
  it('a link secret has 256 bits: 43 base64url characters (≥ 128 bits)', () => {
    expect(LINK_SECRET_BYTES * 8).toBeGreaterThanOrEqual(128);
    for (let i = 0; i < 100; i++) expect(generateSecret('link')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('an SMS code is 6 decimal digits', () => {
    for (let i = 0; i < 100; i++) expect(generateSecret('digits6')).toMatch(/^\d{6}$/);
  });

  it('an email code is 8 upper-case Crockford characters (40 bits)', () => {
    for (let i = 0; i < 100; i++) expect(generateSecret('crockford8')).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it('every generated code is already in normal form (what is hashed is what a person types)', () => {
    for (let i = 0; i < 100; i++) {
      const digits = generateSecret('digits6');
      expect(normaliseCode('digits6', digits)).toBe(digits);
      const crockford = generateSecret('crockford8');
      expect(normaliseCode('crockford8', crockford)).toBe(crockford);
    }
  });
});

describe('normaliseCode: typing slips are forgiven, impossible input is refused', () => {
  it.each([
    ['123456', '123456'],
    [' 123456 ', '123456'],
    ['123 456', '123456'],
    ['123-456', '123456'],
    ['012345', '012345'],
  ])('digits6 %j → %j', (input, expected) => {
    expect(normaliseCode('digits6', input)).toBe(expected);
  });

  it.each(['', '12345', '1234567', '12a456', 'abcdef', '12345６', '１２３４５６', '+12345', '12.456', '12_456'])('digits6 refuses %j', (input) => {
    expect(normaliseCode('digits6', input)).toBeUndefined();
  });

  it.each([
    ['ABCDEFGH', 'ABCDEFGH'],
    ['abcdefgh', 'ABCDEFGH'],
    ['abcd-efgh', 'ABCDEFGH'],
    ['abcd efgh', 'ABCDEFGH'],
    [' Ab-Cd eF-gH ', 'ABCDEFGH'],
    ['O0o0-IiLl', '00001111'],
    ['7Z9Y-X2W1', '7Z9YX2W1'],
  ])('crockford8 %j → %j (lower case, spaces, dashes, O/I/L look-alikes)', (input, expected) => {
    expect(normaliseCode('crockford8', input)).toBe(expected);
  });

  it.each(['', 'ABCDEFG', 'ABCDEFGHJ', 'ABCDEFGU', 'ABCD_EFG', 'ABCDEFG!', 'ÄBCDEFGH'])('crockford8 refuses %j', (input) => {
    expect(normaliseCode('crockford8', input)).toBeUndefined();
  });
});

describe('link tokens: <row id>.<secret>', () => {
  const id = 'AbCdEfGhIjKlMnOp';
  const secret = 'x'.repeat(43);

  it('join and split are inverse', () => {
    const token = joinLinkToken(id, secret);
    expect(token).toBe(`${id}.${secret}`);
    expect(splitLinkToken(token)).toEqual({ id, secret });
    expect(splitLinkToken(` ${token}\n`)).toEqual({ id, secret }); // pasted with whitespace
  });

  it.each([
    ['no dot', `${id}${secret}`],
    ['empty', ''],
    ['secret too short', `${id}.${'x'.repeat(42)}`],
    ['secret too long', `${id}.${'x'.repeat(44)}`],
    ['id too short', `${'a'.repeat(15)}.${secret}`],
    ['id too long', `${'a'.repeat(65)}.${secret}`],
    ['two dots', `${id}.${secret}.x`],
    ['padding', `${id}.${'x'.repeat(42)}=`],
    ['foreign characters', `${id}.${'x'.repeat(42)}+`],
  ])('refuses a token with %s', (_name, token) => {
    expect(splitLinkToken(token)).toBeUndefined();
  });
});
