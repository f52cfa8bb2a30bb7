import type { ActionVerificationRow } from '../db/tables.js';

/** Where a verification record stands (the API's `status`; consumed records stay `verified`). */
export type VerificationStatus = 'pending' | 'verified' | 'expired' | 'failed';

/**
 * The record's state from its columns (verification-states.mmd): failed is final; a consumed
 * record stays verified (its `consumedAt` says it is used); otherwise `expires_at` ends it — the
 * 30 minutes to verify while pending, the 10 minutes to consume once verified.
 */
export function verificationStatus(
  row: Pick<ActionVerificationRow, 'failed_at' | 'consumed_at' | 'verified_at' | 'expires_at'>,
  now: number,
): VerificationStatus {
  if (row.failed_at !== null) return 'failed';
  if (row.consumed_at !== null) return 'verified';
  if (now >= row.expires_at) return 'expired';
  return row.verified_at === null ? 'pending' : 'verified';
}
