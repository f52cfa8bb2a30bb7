import { maskEmail } from '../../contract/email-address.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow, ActionVerificationRow } from '../../db/tables.js';
import { maskNumber } from '../../recovery/phone/phone-number.js';
import { isLifelineAction, policyOf, verificationChannels, type VerificationChannel } from '../action-policy.js';
import type { ActionVerificationDeps } from './context.js';

type ChannelDeps = Pick<
  ActionVerificationDeps,
  'database' | 'clock' | 'accounts' | 'recoveryEmails' | 'recoveryPhones' | 'securityEvents' | 'smsGuard' | 'config'
>;

/** A channel as the page offers it: masked, and whether this action accepts it. */
export interface ChannelChoice {
  readonly channel: VerificationChannel;
  readonly masked: string;
  readonly allowed: boolean;
}

/** A confirmed channel of the account, where its code would go. */
export interface ChannelTarget {
  readonly channel: VerificationChannel;
  readonly to: string;
  readonly country: string | null;
  /** Since when it has been confirmed (the policy's minimum age reads it). */
  readonly since: number;
  /**
   * It counted as the owner's from its confirmation on (recovery/channel-trust.ts): set up and
   * confirmed from the account's first device, or the login email (confirmed by the mailbox's
   * owner at sign-up; a change of it needs a settled channel or a 7-day wait).
   */
  readonly settledAtOnce: boolean;
}

/** The account's confirmed channels, with since when. */
export async function targetsOf(deps: ChannelDeps, db: Executor, account: AccountRow): Promise<ChannelTarget[]> {
  const targets: ChannelTarget[] = [];
  if (account.email_verified_at !== null) {
    // The login email counts from its confirmation, or from its last change, whichever is later.
    const changedAt = await deps.securityEvents.latestAt(db, account.id, 'login_email.changed');
    targets.push({
      channel: 'login-email',
      to: account.email,
      country: null,
      since: Math.max(account.email_verified_at, changedAt ?? 0),
      settledAtOnce: true,
    });
  }
  const email = await deps.recoveryEmails.active(db, account.id);
  if (email?.confirmed_at != null)
    targets.push({
      channel: 'recovery-email',
      to: email.address,
      country: null,
      since: email.confirmed_at,
      settledAtOnce: email.settled_at === email.confirmed_at,
    });
  const phone = await deps.recoveryPhones.active(db, account.id);
  if (phone?.confirmed_at != null && deps.smsGuard) {
    targets.push({
      channel: 'recovery-phone',
      to: phone.number_e164,
      country: phone.country,
      since: phone.confirmed_at,
      settledAtOnce: phone.settled_at === phone.confirmed_at,
    });
  }
  return targets;
}

/**
 * Whether the action's policy lets this channel verify it now: old enough, or — for a host's
 * action — settled from its confirmation on (the owner's first device, the login email), so
 * that a new account can verify at once while a channel an intruder added a minute ago cannot
 * (VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS, default 7; docs/security.md).
 */
export function allows(deps: Pick<ChannelDeps, 'config'>, action: string, target: ChannelTarget, now: number): boolean {
  const policy = policyOf(action, deps.config.actionVerification.hostMinChannelAgeMs);
  if (!policy.channels.includes(target.channel)) return false;
  return now - target.since >= policy.minChannelAgeMs || (!isLifelineAction(action) && target.settledAtOnce);
}

/** The target as the user may see it: the number or address masked. */
export function maskTarget(target: ChannelTarget): string {
  return target.channel === 'recovery-phone' ? maskNumber(target.to) : maskEmail(target.to);
}

/** The channels the user may pick for this record (masked), and whether the action accepts each. */
export async function choicesFor(deps: ChannelDeps, row: ActionVerificationRow): Promise<ChannelChoice[]> {
  const account = await deps.accounts.findById(deps.database.db, row.account_id);
  if (!account) return [];
  const now = deps.clock.now();
  const targets = await targetsOf(deps, deps.database.db, account);
  return verificationChannels.flatMap((channel) => {
    const target = targets.find((candidate) => candidate.channel === channel);
    return target ? [{ channel, masked: maskTarget(target), allowed: allows(deps, row.action, target, now) }] : [];
  });
}

/** Whether the account has a channel that `action` accepts now (else a policy's other path applies). */
export async function hasAllowedChannel(deps: ChannelDeps, accountId: string, action: string): Promise<boolean> {
  const account = await deps.accounts.findById(deps.database.db, accountId);
  if (!account) return false;
  const now = deps.clock.now();
  return (await targetsOf(deps, deps.database.db, account)).some((target) => allows(deps, action, target, now));
}
