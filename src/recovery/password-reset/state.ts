import { MINUTE } from '../../core/clock.js';
import type { PasswordResetFlowRow } from '../../db/tables.js';

/** A flow lives half an hour: the email code's 15 minutes, then time to choose a password. */
export const FLOW_TTL_MS = 30 * MINUTE;
/** After the code, the new password must be set within 15 minutes. */
export const VERIFIED_TTL_MS = 15 * MINUTE;

/**
 * Where a forgot-password flow stands (drawn in password-reset.mmd). The row keeps one time per
 * step (`processed_at`, `verified_at`, `used_at`, `superseded_at`) and the clock decides
 * `expired`, so the state is read from the row, never stored:
 * - `requested`: written by the request; what the identifier leads to is not decided yet.
 * - `code-sent`: processed, a code (and for email a link) went to a settled channel.
 * - `no-code`: processed, nothing was sent (no channel, or a limit); it answers guesses exactly
 *   like `code-sent` (docs/reference/security-requirements.md 3.1, 3.2).
 * - `verified`: a right code or link, or a recovery code of the account whose login email
 *   started the flow (the flow's channel is then 'recovery-code'); the new password may be set,
 *   once, within 15 minutes.
 * - `used`: the password was set. `superseded`: the browser asked again, or a reset or an undo
 *   of the account ended it. `expired`: its half hour, or its 15 verified minutes, are over.
 */
export type ResetFlowState = 'requested' | 'code-sent' | 'no-code' | 'verified' | 'used' | 'superseded' | 'expired';

/** What moves a flow: the operations of the service, the flow's own browser, the account, the clock. */
export type ResetFlowEvent = 'process' | 'wrong-code' | 'verify' | 'recovery-code' | 'reset' | 'request-again' | 'account-secured' | 'time-passes';

/**
 * Every transition, as password-reset.mmd draws it. `process` decides between `code-sent` and
 * `no-code` (the only event with two outcomes); `wrong-code` takes a try and stays (a wrong
 * recovery code too, and any recovery code in a flow of a recovery channel or of no account);
 * `recovery-code` verifies only a flow that sent its code to the login email of the code's account.
 * `request-again` (the same browser's next request) ends only a flow that is not verified;
 * `account-secured` (a reset or "Das war ich nicht" of the account) ends every flow that named
 * the account, verified ones too (password-reset-flow-repository.ts).
 */
export const TRANSITIONS: Readonly<Record<ResetFlowState, Readonly<Partial<Record<ResetFlowEvent, readonly ResetFlowState[]>>>>> = {
  requested: { process: ['code-sent', 'no-code'], 'request-again': ['superseded'], 'time-passes': ['expired'] },
  'code-sent': {
    'wrong-code': ['code-sent'],
    verify: ['verified'],
    'recovery-code': ['verified'],
    'request-again': ['superseded'],
    'account-secured': ['superseded'],
    'time-passes': ['expired'],
  },
  'no-code': { 'wrong-code': ['no-code'], 'request-again': ['superseded'], 'time-passes': ['expired'] },
  verified: { reset: ['used'], 'account-secured': ['superseded'], 'time-passes': ['expired'] },
  used: {},
  superseded: {},
  expired: {},
};

/** Where a flow may go on `event`, or none when the event does not apply (the caller then refuses). */
export function nextStates(state: ResetFlowState, event: ResetFlowEvent): readonly ResetFlowState[] {
  return TRANSITIONS[state][event] ?? [];
}

/** The flow's state now, read from its row (see {@link ResetFlowState}). */
export function flowState(
  flow: Pick<PasswordResetFlowRow, 'expires_at' | 'processed_at' | 'secret_purpose' | 'secret_account_id' | 'verified_at' | 'used_at' | 'superseded_at'>,
  now: number,
): ResetFlowState {
  if (flow.used_at !== null) return 'used';
  if (flow.superseded_at !== null) return 'superseded';
  if (flow.expires_at <= now) return 'expired';
  if (flow.verified_at !== null) return flow.verified_at + VERIFIED_TTL_MS <= now ? 'expired' : 'verified';
  if (flow.processed_at === null) return 'requested';
  return flow.secret_purpose !== null && flow.secret_account_id !== null ? 'code-sent' : 'no-code';
}

/** Whether a flow can still move on (its cookie still means something). */
export function isOpen(state: ResetFlowState): boolean {
  return state !== 'used' && state !== 'superseded' && state !== 'expired';
}
