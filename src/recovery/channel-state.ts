import { LifelineError } from '../core/errors.js';

/**
 * A recovery channel (the recovery e-mail and the recovery phone share it) as a state machine
 * (docs/reference/contracts.md "Flows are state machines"; the diagrams are email/state.mmd and
 * phone/state.mmd). The rows of `recovery_emails` / `recovery_phones` (at most one active and
 * one pending per account) are the state; every service operation is one of these events.
 */
export type RecoveryChannelState = 'none' | 'pending' | 'active' | 'active-with-pending';

export type RecoveryChannelEvent =
  /** PUT /recovery/email or /phone: a (new) address or number waits for its link or code. */
  | 'set-up'
  /** The link's POST or the right code: the pending channel becomes the active one. */
  | 'confirm'
  /** "erneut senden": a fresh link or code for the pending channel (the old one dies). */
  | 'resend'
  /** "abbrechen": the pending channel goes; an active one stays. */
  | 'cancel'
  /** "Verwalten → entfernen / deaktivieren": the active channel (and a pending change) go. */
  | 'remove';

/**
 * Allowed transitions. What is missing is refused: a confirm without a pending address, a
 * cancel with nothing pending, a removal with nothing active.
 */
export const transitions: Readonly<Record<RecoveryChannelState, Partial<Readonly<Record<RecoveryChannelEvent, RecoveryChannelState>>>>> = {
  none: { 'set-up': 'pending' },
  // A new setup replaces the pending one: its link or code dies.
  pending: { 'set-up': 'pending', confirm: 'active', resend: 'pending', cancel: 'none' },
  // A change: the old address or number stays active until the new one is confirmed.
  active: { 'set-up': 'active-with-pending', remove: 'none' },
  'active-with-pending': { 'set-up': 'active-with-pending', confirm: 'active', resend: 'active-with-pending', cancel: 'active', remove: 'none' },
};

export function stateOf(rows: { readonly active: boolean; readonly pending: boolean }): RecoveryChannelState {
  if (rows.active) return rows.pending ? 'active-with-pending' : 'active';
  return rows.pending ? 'pending' : 'none';
}

/** The state after `event`, or undefined when the event is not allowed in `state`. */
export function nextState(state: RecoveryChannelState, event: RecoveryChannelEvent): RecoveryChannelState | undefined {
  return transitions[state][event];
}

/** Throws 404 unless `event` is allowed in the state of the channel's rows (read under the account's lock). */
export function requireEvent(rows: { readonly active: unknown; readonly pending: unknown }, event: RecoveryChannelEvent): void {
  const state = stateOf({ active: rows.active !== undefined, pending: rows.pending !== undefined });
  if (!nextState(state, event)) throw new LifelineError('not-found');
}

/**
 * "Erneut senden" once per cooldown: the time is on the row, so it follows the injected clock
 * and survives restarts. Throws 429 with the seconds still to wait.
 */
export function enforceCooldown(lastSentAt: number | null, cooldownMs: number, now: number): void {
  const wait = cooldownSeconds(lastSentAt, cooldownMs, now);
  if (wait !== undefined) throw new LifelineError('rate-limited', {}, { retryAfterSeconds: wait });
}

/** Seconds until the cooldown after a send at `lastSentAt` is over, or undefined when it is. */
export function cooldownSeconds(lastSentAt: number | null, cooldownMs: number, now: number): number | undefined {
  const wait = (lastSentAt ?? 0) + cooldownMs - now;
  return wait > 0 ? Math.ceil(wait / 1000) : undefined;
}
