import { DAY } from '../core/clock.js';
import type { DeviceStanding } from '../sessions/device-registry.js';

/**
 * When a recovery channel counts as the owner's ("settled"; docs/security.md "The owner wins").
 * An intruder who knows the password can add a channel of his own; until it is settled it
 * - does not survive "Das war ich nicht" (every channel not settled before the undone event goes),
 * - does not verify a host's sensitive action (VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS),
 * - does not reset the password ("Passwort vergessen?" sends nothing to it), and a reset
 *   through a settled channel removes it.
 * A channel settles 7 days after its confirmation — time for the owner to read the notice that
 * it was added — or at once when it was set up and confirmed from the account's first device
 * (the browser that confirmed the sign-up), which only the owner has.
 */
export const SETTLE_MS = 7 * DAY;

/** The `settled_at` of a channel confirmed at `confirmedAt`, set up from a device of this standing. */
export function settledAtFor(confirmedAt: number, standing: DeviceStanding | undefined): number {
  return standing === 'first' ? confirmedAt : confirmedAt + SETTLE_MS;
}

/** Whether a channel was settled at `at` (`settled_at` null: never active). */
export function isSettledAt(channel: { readonly settled_at: number | null }, at: number): boolean {
  return channel.settled_at !== null && channel.settled_at <= at;
}

/**
 * Whether a channel was settled before an event at `at`: strictly before, so that a channel
 * the event itself added (even from the first device) counts as the event's, and an undo of the
 * event removes it ("every channel added, confirmed or changed at or after the undone event").
 */
export function wasSettledBefore(settledAt: number | null, at: number): boolean {
  return settledAt !== null && settledAt < at;
}
