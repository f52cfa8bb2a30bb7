import { checkNewPassword } from '../../accounts/password-policy.js';
import { LifelineError } from '../../core/errors.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow, ResetChannel } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { changeDetails, localeOf } from '../notice-context.js';
import { endWaitingChanges } from '../owner-regains-control.js';
import { maskNumber } from '../phone/phone-number.js';
import { describeRemoved, type RemovedChannel } from '../unsettled-channels.js';
import { RESET_PURPOSES, type FlowContext } from './flow-context.js';
import { flowState, nextStates } from './state.js';

/** What the last step of the flow takes: the new password, the chosen account, who asks, and this browser's device cookie. */
export interface ResetInput {
  readonly password: string;
  readonly accountId: string | undefined;
  readonly client: ClientInfo;
  readonly deviceToken: string | undefined;
}

/**
 * What the browser that reset the password gets: the login email for the sign-in form (someone
 * who came back by phone may not remember it), and the device cookie: this browser proved a
 * settled channel and set the password, so signing in from it next is no "new device".
 */
export interface ResetDone {
  readonly email: string;
  readonly deviceToken: string;
}

/** What the reset removed, named in its notice, and the recovery code set it came through (null: a channel). */
interface RemovedWays {
  readonly channels: readonly RemovedChannel[];
  readonly codes: boolean;
  readonly usedSet: string | null;
}

/** The new password of a verified flow. */
export interface FlowReset {
  reset(token: string | undefined, input: ResetInput): Promise<ResetDone>;
}

/**
 * reset: the verified flow sets a new password (sign-up policy) for its account, once. Then the
 * owner is back in control: every session ends, every other reset secret and flow of the account
 * dies, what waits ends, channels that are not settled go, and every channel is told.
 */
export function createFlowReset(context: FlowContext): FlowReset {
  const { deps, openFlow, parseIds, reachedChannel } = context;
  const { database, clock } = deps;

  /**
   * The reset notice to every channel of the account: its login and recovery email (the
   * catalogue's `account` audience) and, by a short SMS without a link, its recovery phone.
   * It names the channel that was used, when and from where (docs/reference/security-requirements.md 3.14).
   */
  async function tellEveryChannel(
    trx: Executor,
    account: AccountRow,
    channel: ResetChannel,
    identifier: string | null,
    client: ClientInfo,
    now: number,
    removed: RemovedWays,
  ): Promise<void> {
    const locale = localeOf(account);
    const details = changeDetails(deps.translator, account, client, now);
    const shown = identifier === null ? '' : channel === 'recovery-phone' ? maskNumber(identifier) : identifier;
    const via = deps.translator.text(locale, `mail.password-reset.channels.${channel}`, { target: shown });
    const names = [...removed.channels.map(describeRemoved), ...(removed.codes ? [deps.translator.text(locale, 'mail.password-reset.removedCodes')] : [])];
    const list = names.join(', ');
    const removedText = names.length > 0 ? deps.translator.text(locale, 'mail.password-reset.removed', { list }) : '';
    await deps.notifier.notify(trx, {
      kind: 'account.password-reset',
      locale,
      accountId: account.id,
      params: { ...details, via, removed: removedText },
      origin: client,
      details: { channel, ...(names.length > 0 ? { removed: list } : {}) },
      // Undoing a reset through a recovery code ends that code's set: whoever reset has the codes.
      undo: { restore: removed.usedSet === null ? {} : { recoveryCodeSet: removed.usedSet } },
    });
    const phone = await deps.recoveryPhones.active(trx, account.id);
    if (phone && deps.smsGuard && (await deps.smsGuard.allowConfirmedSend({ country: phone.country, accountId: account.id }))) {
      await deps.notifier.notify(trx, {
        kind: 'account.password-reset-sms-notice',
        locale,
        to: phone.number_e164,
        accountId: account.id,
        params: { when: details.when },
      });
    }
  }

  return {
    async reset(token, input) {
      const flow = await openFlow(token);
      // Only a verified flow sets a password (state.ts), within its 15 minutes.
      if (!flow || nextStates(flowState(flow, clock.now()), 'reset').length === 0) throw new LifelineError('reset-expired');
      const accountIds = parseIds(flow);
      if (input.accountId !== undefined && !accountIds.includes(input.accountId)) throw new LifelineError('validation-failed', { field: 'accountId' });
      if (input.accountId === undefined && accountIds.length > 1) throw new LifelineError('account-required');
      const accountId = input.accountId ?? accountIds[0];
      const account = accountId === undefined ? undefined : await deps.accounts.findById(database.db, accountId);
      if (!account) throw new LifelineError('reset-expired');
      const refusal = checkNewPassword(input.password, { email: account.email_normalized, appName: deps.config.appName });
      if (refusal) throw new LifelineError(refusal);
      // Off the event loop (the hasher's thread pool), before the transaction holds any lock.
      const passwordHash = await deps.hasher.hash(input.password);
      return inTransaction(database, async (trx) => {
        const now = clock.now();
        // Lock order on PostgreSQL: the account, then the flow (an undo takes the account, then
        // the account's secrets and flows; the other order deadlocked with it).
        const current = await deps.accounts.findByIdForUpdate(trx, account.id, database.dialect === 'postgres');
        if (!current) throw new LifelineError('reset-expired');
        if (!(await deps.flows.markUsed(trx, flow.id, now))) throw new LifelineError('reset-expired');
        // The channel must still be the account's, and settled: an undo or a removal since the code ends the flow.
        const reached = await reachedChannel(trx, current, flow);
        if (!reached) throw new LifelineError('reset-expired');
        // What was not settled goes (read before the held changes end, which drop held rows).
        const channels = await deps.unsettledChannels.rowsOf(trx, account.id);
        await deps.accounts.update(trx, account.id, { password_hash: passwordHash, password_changed_at: now, password_reset_required: 0 }, now);
        const revoked = await deps.sessions.revokeAll(trx, account.id);
        await deps.verification.invalidate(trx, account.id, [...RESET_PURPOSES, 'login-email-change', 'login-email-change-cancel']);
        await deps.flows.supersedeForAccount(trx, account.id, flow.id, now);
        // The reset came through a settled channel or a settled set of recovery codes (the only
        // kinds that reset): the owner is back in control. What waits ends (a login-email change, a scheduled deletion, every held
        // change), and so does every open action verification; every channel that is not settled
        // goes — an intruder's channel would otherwise settle later and be his way back
        // (docs/security.md "The owner wins").
        await endWaitingChanges(trx, { ...deps, clock }, current, input.client);
        await deps.actionVerifications.failOpen(trx, account.id, now);
        const removed = await deps.unsettledChannels.remove(trx, account.id, now, channels, { keepRestored: true });
        // Recovery codes like channels: a set that is not settled goes. A reset through a code came
        // through the current set, settled (reachedChannel): it stays.
        const codesEnded = reached !== 'recovery-code' && (await deps.recoveryCodes.endUnsettled(trx, account.id, now));
        const usedSet = reached === 'recovery-code' ? flow.recovery_code_set_id : null;
        await tellEveryChannel(trx, current, reached, flow.identifier, input.client, now, { channels: removed, codes: codesEnded, usedSet });
        await deps.securityLog.record(trx, {
          accountId: account.id,
          type: 'sessions.revoked_by_password_reset',
          origin: input.client,
          details: { count: revoked },
        });
        deps.logger.info(
          { event: 'password_reset.completed', accountId: account.id, channel: reached, sessionsRevoked: revoked, channelsRemoved: removed.length, codesEnded },
          'password reset through a recovery channel',
        );
        const device = await deps.devices.remember(trx, account.id, input.deviceToken);
        return { email: current.email, deviceToken: device.token };
      });
    },
  };
}
