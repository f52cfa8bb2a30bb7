import { DAY } from '../core/clock.js';

/** A confirmed channel an action can be verified through. */
export type VerificationChannel = 'login-email' | 'recovery-email' | 'recovery-phone';
export const verificationChannels: readonly VerificationChannel[] = ['login-email', 'recovery-email', 'recovery-phone'];

/** What an action asks before it counts as verified. */
export interface ActionPolicy {
  /** The channels whose code counts. */
  readonly channels: readonly VerificationChannel[];
  /** Whether the password is needed too (checked by the flow that asks; the host API has none). */
  readonly passwordToo: boolean;
  /** How long a channel must have been confirmed before its code counts. */
  readonly minChannelAgeMs: number;
}

/** Names that start with this belong to Lifeline; a host may not start a verification for one. */
export const LIFELINE_ACTION_PREFIX = 'lifeline.';

/**
 * The policy table (also in docs/security.md). Lifeline's own actions by name; every other name
 * is a host's action: any settled channel (confirmed VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS ago,
 * default 7, or from the account's first device; the login email always), no password.
 */
export const lifelineActionPolicies = {
  /** A new login email: the password and a code to a channel confirmed at least 7 days ago. */
  'lifeline.change-login-email': { channels: verificationChannels, passwordToo: true, minChannelAgeMs: 7 * DAY },
  /** Deleting the account (after a 7-day grace period): the password and a code. */
  'lifeline.delete-account': { channels: verificationChannels, passwordToo: true, minChannelAgeMs: 0 },
} as const satisfies Record<string, ActionPolicy>;

export type LifelineAction = keyof typeof lifelineActionPolicies;

/** A host's action name: what its users read on the page and in the message. */
export const HOST_ACTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$/;

export function isLifelineAction(action: string): action is LifelineAction {
  return Object.hasOwn(lifelineActionPolicies, action);
}

/** The policy of an action: Lifeline's own from the table, a host's from the configured default. */
export function policyOf(action: string, hostMinChannelAgeMs: number): ActionPolicy {
  if (isLifelineAction(action)) return lifelineActionPolicies[action];
  return { channels: verificationChannels, passwordToo: false, minChannelAgeMs: hostMinChannelAgeMs };
}
