import { cancelScheduledDeletion } from '../accounts/scheduled-deletion.js';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { Clock } from '../core/clock.js';
import type { Executor } from '../db/database.js';
import type { AccountRow } from '../db/tables.js';
import type { Translator } from '../i18n/translator.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ClientInfo } from '../sessions/session-service.js';
import type { ChannelHoldService } from './hold/channel-hold-service.js';

/**
 * The open action verifications of an account (pending, or verified and not yet consumed).
 * actions/ implements it (ActionVerificationService.failOpen); recovery/ sits below actions/ in
 * the folder order (docs/architecture.md), so it names only this port and the composition root
 * (src/services.ts) hands the implementation in.
 */
export interface OpenActionVerifications {
  /** Ends every open verification of the account (failed), with its codes and links; answers how many. */
  failOpen(trx: Executor, accountId: string, now: number): Promise<number>;
}

/** What the two ways of regaining control (a password reset, "Das war ich nicht") need. */
export interface OwnerControlDeps {
  readonly accounts: AccountRepository;
  readonly notifier: Notifier;
  readonly translator: Translator;
  readonly clock: Clock;
  /** The 72-hour hold (recovery/hold/); absent when no hold is configured. */
  readonly channelHold?: Pick<ChannelHoldService, 'cancelAll'> | undefined;
}

/**
 * The owner regains control (docs/security.md "The owner wins"): every change an intruder may
 * have left waiting ends, in the caller's transaction, after the account's lock:
 * - a login-email change waiting out its 7 days (an intruder's would apply later),
 * - a scheduled deletion (an intruder's "Konto löschen"; the owner is told it is cancelled),
 * - every held recovery change (their cancel links and held rows).
 * Both the reset and the undo call this; what else each ends (secrets, flows, sessions, the
 * channels and the recovery code set that are not settled: unsettled-channels.ts,
 * codes/recovery-code-service.ts `endUnsettled`) is theirs, since each judges "settled" from its
 * own moment. Read the channels before: cancelling held changes drops held rows. Answers how many ended.
 */
export async function endWaitingChanges(trx: Executor, deps: OwnerControlDeps, account: AccountRow, client: ClientInfo): Promise<number> {
  const waiting = await deps.accounts.dropWaitingEmailChange(trx, account.id);
  const deletionCancelled = await cancelScheduledDeletion(trx, deps, account, client);
  const held = (await deps.channelHold?.cancelAll(trx, account.id)) ?? 0;
  return Number(waiting) + Number(deletionCancelled) + held;
}
