import { describe, expect, it } from 'vitest';
import { verificationStatus } from './state.js';

/** Every state of verification-states.mmd from its columns. */
describe('verificationStatus', () => {
  const at = 1_000_000;
  const row = { failed_at: null, consumed_at: null, verified_at: null, expires_at: at + 1000 };
  it.each([
    ['pending until its end', row, at, 'pending'],
    ['expired at its end, not a millisecond later', row, at + 1000, 'expired'],
    ['verified within its 10 minutes', { ...row, verified_at: at }, at, 'verified'],
    ['a verified record expires unconsumed', { ...row, verified_at: at }, at + 1000, 'expired'],
    ['a consumed record stays verified, also later', { ...row, verified_at: at, consumed_at: at + 10 }, at + 5000, 'verified'],
    ['failed is final, even within the time', { ...row, failed_at: at }, at, 'failed'],
  ] as const)('%s', (_name, columns, now, expected) => {
    expect(verificationStatus(columns, now)).toBe(expected);
  });
});
