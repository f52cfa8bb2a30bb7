import { LifelineError } from '../../core/errors.js';
import type { ActionVerificationRow } from '../../db/tables.js';
import type { VerificationChannel } from '../action-policy.js';

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

/** Sending a code and entering one need a pending record: 410 once its time is over, 409 in any other state. */
export function requirePending(row: ActionVerificationRow, now: number): void {
  const status = verificationStatus(row, now);
  if (status === 'expired') throw new LifelineError('verification-expired');
  if (status !== 'pending') throw new LifelineError('verification-not-redeemable');
}

/** A record as the services answer it (the routes turn it into the API's shape). */
export interface VerificationView {
  readonly id: string;
  readonly status: VerificationStatus;
  readonly action: string;
  readonly accountId: string;
  readonly channel: VerificationChannel | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly verifiedAt: number | null;
  readonly consumedAt: number | null;
}

/** The record's view, its status as of `now`. */
export function viewOf(row: ActionVerificationRow, now: number): VerificationView {
  return {
    id: row.id,
    status: verificationStatus(row, now),
    action: row.action,
    accountId: row.account_id,
    channel: row.channel as VerificationChannel | null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    verifiedAt: row.verified_at,
    consumedAt: row.consumed_at,
  };
}
