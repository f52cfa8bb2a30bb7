/**
 * The recovery e-mail as a state machine (ARCHITECTURE.md "Flows are state machines"; the
 * diagram is state.mmd beside this file). The rows of `recovery_emails` (at most one active and
 * one pending per account) are the state; every service operation is one of these events.
 */
export type RecoveryEmailState = 'none' | 'pending' | 'active' | 'active-with-pending';

export type RecoveryEmailEvent =
  /** PUT /recovery/email: a (new) address waits for its link. */
  | 'set-up'
  /** The link's POST: the pending address becomes the active one. */
  | 'confirm'
  /** "erneut senden": a fresh link for the pending address. */
  | 'resend'
  /** "abbrechen": the pending address goes; an active one stays. */
  | 'cancel'
  /** "Verwalten → entfernen": the active address (and a pending change) go. */
  | 'remove';

/**
 * Allowed transitions. What is missing is refused: a confirm without a pending address, a
 * cancel with nothing pending, a removal with nothing active.
 */
export const transitions: Readonly<Record<RecoveryEmailState, Partial<Readonly<Record<RecoveryEmailEvent, RecoveryEmailState>>>>> = {
  none: { 'set-up': 'pending' },
  // A new setup replaces the pending one: its link dies.
  pending: { 'set-up': 'pending', confirm: 'active', resend: 'pending', cancel: 'none' },
  // A change: the old address stays active until the new one is confirmed.
  active: { 'set-up': 'active-with-pending', remove: 'none' },
  'active-with-pending': { 'set-up': 'active-with-pending', confirm: 'active', resend: 'active-with-pending', cancel: 'active', remove: 'none' },
};

export function stateOf(rows: { readonly active: boolean; readonly pending: boolean }): RecoveryEmailState {
  if (rows.active) return rows.pending ? 'active-with-pending' : 'active';
  return rows.pending ? 'pending' : 'none';
}

/** The state after `event`, or undefined when the event is not allowed in `state`. */
export function nextState(state: RecoveryEmailState, event: RecoveryEmailEvent): RecoveryEmailState | undefined {
  return transitions[state][event];
}
