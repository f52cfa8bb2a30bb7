import type * as NodeCrypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { CROCKFORD_ALPHABET, newId, normaliseCrockford, randomCrockford, randomDigits, randomToken } from './random.js';

// Wrap (not replace) the CSPRNG functions, to prove which generator the codes come from.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return { ...actual, randomInt: vi.fn(actual.randomInt), randomBytes: vi.fn(actual.randomBytes) };
});

const crypto = await import('node:crypto');
// randomInt's last overload is the callback form; the code under test uses `randomInt(max): number`.
const randomIntSpy = vi.mocked(crypto.randomInt) as unknown as MockInstance<(max: number) => number>;
const randomBytesSpy = vi.mocked(crypto.randomBytes);

const N = 10_000;

describe('random codes and tokens (docs/reference/security-requirements.md 3.3, 3.4, 4.3)', () => {
  beforeEach(() => {
    randomIntSpy.mockClear();
    randomBytesSpy.mockClear();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it(`${N} six-digit codes all match ^\\d{6}$, and every digit occurs in every position (docs/reference/security-requirements.md 3.4, 4.3)`, () => {
    const codes = Array.from({ length: N }, () => randomDigits(6));
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    // Each digit is uniform: with 10 000 codes a digit appears ~1000 times per position.
    for (let position = 0; position < 6; position++) {
      const counts = new Array<number>(10).fill(0);
      for (const code of codes) counts[Number(code[position])]! += 1;
      for (const count of counts) expect(count).toBeGreaterThan(800);
    }
    // Leading zeros are kept (a code is a string, not a number).
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
  });

  it('draws every digit from crypto.randomInt(10), never from Math.random (docs/reference/security-requirements.md 4.3)', () => {
    const mathRandom = vi.spyOn(Math, 'random');
    randomDigits(6);
    expect(randomIntSpy).toHaveBeenCalledTimes(6);
    for (const call of randomIntSpy.mock.calls) expect(call).toEqual([10]);
    expect(mathRandom).not.toHaveBeenCalled();
  });

  it('uses the value crypto.randomInt returns (no other source mixed in)', () => {
    randomIntSpy.mockReturnValueOnce(4).mockReturnValueOnce(0).mockReturnValueOnce(9).mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(7);
    expect(randomDigits(6)).toBe('409007');
  });

  it(`${N} Crockford codes are 8 characters of the Crockford alphabet (no I, L, O, U), from crypto.randomInt(32)`, () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect(new Set(CROCKFORD_ALPHABET).size).toBe(32);
    expect(CROCKFORD_ALPHABET).not.toMatch(/[ILOU]/);
    const seen = new Set<string>();
    for (let i = 0; i < N; i++) {
      const code = randomCrockford(8);
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      for (const c of code) seen.add(c);
    }
    expect(seen.size).toBe(32);
    randomIntSpy.mockClear();
    randomCrockford(8);
    expect(randomIntSpy.mock.calls).toEqual(Array.from({ length: 8 }, () => [32]));
  });

  it(`link tokens are 43 base64url characters (256 bits ≥ 128, docs/reference/security-requirements.md 3.4) from crypto.randomBytes, ${N} all distinct`, () => {
    const tokens = new Set<string>();
    for (let i = 0; i < N; i++) {
      const token = randomToken();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      tokens.add(token);
    }
    expect(tokens.size).toBe(N);
    expect(randomBytesSpy).toHaveBeenCalledTimes(N);
    expect(randomBytesSpy.mock.calls[0]).toEqual([32]);
    expect(Buffer.from(randomToken(), 'base64url')).toHaveLength(32);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 bits: the ≥ 22 characters of 3.4
  });

  it('row ids are random UUID v4s', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('normaliseCrockford', () => {
  it('upper-cases, drops spaces and dashes, maps O→0 and I/L→1', () => {
    expect(normaliseCrockford('abcd-efgh')).toBe('ABCDEFGH');
    expect(normaliseCrockford(' ab cd\tef gh ')).toBe('ABCDEFGH');
    expect(normaliseCrockford('oOiIlL01')).toBe('00111101');
  });

  it('leaves letters outside the alphabet (U) for the caller to refuse', () => {
    expect(normaliseCrockford('uuuu')).toBe('UUUU');
  });
});
