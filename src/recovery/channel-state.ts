import { LifelineError } from '../core/errors.js';

/**
 * A recovery channel (the recovery email and the recovery phone share it) as a state machine
 * (docs/reference/contracts.md "Flows are state machines"; the diagrams are email/state.mmd and
 * phone/state.mmd, and channel-state.test.ts checks that they draw exactly these tables). The
 * rows of `recovery_emails` / `recovery_phones` are the state: at most one active, one pending
 * and one held row per account. The active and pending rows are the channel; the held row is a
 * confirmed address or number waiting out the 72-hour hold (recovery/hold/channel-hold-service.ts)
 * beside them, a machine of its own that the channel's events also move.
 */
export type RecoveryChannelState = 'none' | 'pending' | 'active' | 'active-with-pending';

/** The held row beside the channel (status `held`): none, or one that waits. */
export type HeldRowState = 'nothing-held' | 'held';

export type RecoveryChannelEvent =
  /** PUT /recovery/email or /phone: a (new) address or number waits for its link or code. */
  | 'set-up'
  /** The link's POST or the right code: the pending channel becomes the active one. */
  | 'confirm'
  /** The same, asked from a new device: the pending row is confirmed but waits 72 hours as the held row. */
  | 'confirm-held'
  /** "erneut senden": a fresh link or code for the pending channel (the old one dies). */
  | 'resend'
  /** "abbrechen": the pending channel goes; an active one stays. */
  | 'cancel'
  /** "Verwalten → entfernen / deaktivieren": the active channel (and a pending change) go. */
  | 'remove'
  /** The same, asked from a new device: the channel stays 72 hours (and then is removed). */
  | 'remove-held'
  /** The 72 hours are over (housekeeping): the held row becomes the active one, replacing it. */
  | 'apply-held';

/** What happens to the held row: the channel's events that end or replace it, and its own cancel. */
export type HeldRowEvent =
  | Extract<RecoveryChannelEvent, 'confirm' | 'confirm-held' | 'remove' | 'remove-held' | 'apply-held'>
  /** A channel's cancel link, "Änderung abbrechen", "Das war ich nicht", a password reset: the held row goes. */
  | 'cancel-held';

type Table<State extends string, Event extends string> = Readonly<Record<State, Partial<Readonly<Record<Event, State>>>>>;

/**
 * Allowed transitions of the channel. What is missing is refused (404, nothing written): a
 * confirm without a pending address, a cancel with nothing pending, a removal with nothing
 * active. Whether a confirmation or a removal is held (the session's device is new) is not the
 * state's to say: both are allowed where their immediate twin is.
 */
export const transitions: Table<RecoveryChannelState, RecoveryChannelEvent> = {
  // A held addition becoming active needs no active row.
  none: { 'set-up': 'pending', 'apply-held': 'active' },
  // A new setup replaces the pending one: its link or code dies.
  pending: { 'set-up': 'pending', confirm: 'active', 'confirm-held': 'none', resend: 'pending', cancel: 'none', 'apply-held': 'active-with-pending' },
  // A change: the old address or number stays active until the new one is confirmed.
  active: { 'set-up': 'active-with-pending', remove: 'none', 'remove-held': 'active', 'apply-held': 'active' },
  'active-with-pending': {
    'set-up': 'active-with-pending',
    confirm: 'active',
    'confirm-held': 'active',
    resend: 'active-with-pending',
    cancel: 'active',
    remove: 'none',
    'remove-held': 'active-with-pending',
    'apply-held': 'active-with-pending',
  },
};

/**
 * What the events do to the held row. It is no gate: an event missing here leaves the row as it
 * is. The latest request for the channel wins, so every change made at once, every new hold and
 * every removal ends what waited.
 */
export const heldTransitions: Table<HeldRowState, HeldRowEvent> = {
  'nothing-held': { 'confirm-held': 'held' },
  held: {
    'confirm-held': 'held',
    confirm: 'nothing-held',
    remove: 'nothing-held',
    'remove-held': 'nothing-held',
    'apply-held': 'nothing-held',
    'cancel-held': 'nothing-held',
  },
};

export function stateOf(rows: { readonly active: boolean; readonly pending: boolean }): RecoveryChannelState {
  if (rows.active) return rows.pending ? 'active-with-pending' : 'active';
  return rows.pending ? 'pending' : 'none';
}

export function heldStateOf(rows: { readonly held: boolean }): HeldRowState {
  return rows.held ? 'held' : 'nothing-held';
}

/** The state after `event`, or undefined when the event is not allowed in `state`. */
export function nextState(state: RecoveryChannelState, event: RecoveryChannelEvent): RecoveryChannelState | undefined {
  return transitions[state][event];
}

/** The held row after `event`. */
export function nextHeldState(state: HeldRowState, event: HeldRowEvent): HeldRowState {
  return heldTransitions[state][event] ?? state;
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
