import { createHmac } from 'node:crypto';
import type * as NodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { constantTimeEqual, hmacSha256, sha256Hex } from './hashing.js';

// Wrap (not replace) crypto.timingSafeEqual, to prove constantTimeEqual compares through it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { timingSafeEqual } = await import('node:crypto');
const timingSafeEqualSpy = vi.mocked(timingSafeEqual);

const key = Buffer.alloc(32, 1);

describe('hmacSha256: keyed hash of one-time secrets (docs/reference/security-requirements.md 3.6)', () => {
  it('is HMAC-SHA-256 over length-prefixed parts, base64url (43 characters)', () => {
    const expected = createHmac('sha256', key).update('27:recovery-phone-confirmation').update('3:acc').update('6:123456').digest('base64url');
    const actual = hmacSha256(key, 'recovery-phone-confirmation', 'acc', '123456');
    expect(actual).toBe(expected);
    expect(actual).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('prefixes parts by their UTF-8 byte length, not their UTF-16 length', () => {
    const expected = createHmac('sha256', key).update('2:ä').digest('base64url');
    expect(hmacSha256(key, 'ä')).toBe(expected);
  });

  it('cannot be fooled by moving a separator between parts', () => {
    expect(hmacSha256(key, 'a|b', 'c')).not.toBe(hmacSha256(key, 'a', 'b|c'));
    expect(hmacSha256(key, 'ab', 'c')).not.toBe(hmacSha256(key, 'a', 'bc'));
    expect(hmacSha256(key, 'abc')).not.toBe(hmacSha256(key, 'ab', 'c'));
    expect(hmacSha256(key, '', 'a')).not.toBe(hmacSha256(key, 'a', ''));
  });

  it('depends on the key: the same secret under another key hashes differently', () => {
    expect(hmacSha256(Buffer.alloc(32, 2), 'p', 'a', '123456')).not.toBe(hmacSha256(key, 'p', 'a', '123456'));
    expect(hmacSha256(key, 'p', 'a', '123456')).toBe(hmacSha256(Buffer.alloc(32, 1), 'p', 'a', '123456'));
  });
});

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(Buffer.from('abc'))).toBe(sha256Hex('abc'));
  });
});

describe('constantTimeEqual: timing-safe comparison of secrets and hashes', () => {
  beforeEach(() => {
    timingSafeEqualSpy.mockClear();
  });

  it('is true for equal strings', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('Grüße 🙂', 'Grüße 🙂')).toBe(true);
  });

  it('is false for unequal strings of the same length', () => {
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('Abc', 'abc')).toBe(false);
  });

  it('is false (and does not throw) for strings of different lengths', () => {
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('abcd', 'abc')).toBe(false);
    expect(constantTimeEqual('a'.repeat(43), 'a'.repeat(42))).toBe(false);
  });

  it('handles empty strings: equal to each other, unequal to anything else', () => {
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('', 'a')).toBe(false);
    expect(constantTimeEqual('a', '')).toBe(false);
  });

  it('compares through crypto.timingSafeEqual on two 32-byte digests, whatever the input lengths', () => {
    constantTimeEqual('short', 'a much longer string than the other one');
    expect(timingSafeEqualSpy).toHaveBeenCalledTimes(1);
    const [left, right] = timingSafeEqualSpy.mock.calls[0] as [Buffer, Buffer];
    expect(left.length).toBe(32);
    expect(right.length).toBe(32);
  });
});
