import { MINUTE } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow, ActionVerificationRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import { localeOf } from '../../i18n/translator.js';
import { describeAccountEvent } from '../../notifications/event-details.js';
import type { RequestOrigin } from '../../notifications/security-log.js';
import type { IssuedSecret } from '../../one-time-secrets/one-time-secret-service.js';
import { purposePolicies, type SecretPurpose } from '../../one-time-secrets/purposes.js';
import { LIFELINE_ACTION_PREFIX, isLifelineAction, type VerificationChannel } from '../action-policy.js';
import { allows, maskTarget, targetsOf, type ChannelTarget } from './channels.js';
import { SEND_COOLDOWN_MS, type ActionVerificationDeps, type Requester } from './context.js';
import { ownRecord, requesterOf } from './records.js';
import { CODE_PURPOSE, LINK_PURPOSE, retireSecretsOf } from './secrets.js';
import { requirePending, verificationStatus } from './state.js';

/** Where the code went (masked) and until when it counts: what `send` answers. */
export interface Sent {
  readonly channel: VerificationChannel;
  readonly masked: string;
  readonly expiresAt: number;
}

/**
 * Sends the code (and for a host's email the link) of `row` to `channel`; the row must be
 * pending and the channel one the action accepts now. The limits come first, outside the
 * transaction: the account's guessing lock, one code a minute per target, the channel's and the
 * account's budgets, the SMS guard. Then, under the record's lock, a new code replaces the
 * record's earlier code and link, the message is queued, and the record remembers the channel.
 */
export async function send(
  deps: ActionVerificationDeps,
  row: ActionVerificationRow,
  channel: VerificationChannel,
  requester: Requester,
  origin: RequestOrigin,
): Promise<Sent> {
  const { database, clock } = deps;
  const now = clock.now();
  requirePending(row, now);
  const account = await deps.accounts.findById(database.db, row.account_id);
  if (!account) throw new LifelineError('not-found');
  const target = (await targetsOf(deps, database.db, account)).find((candidate) => candidate.channel === channel);
  if (!target || !allows(deps, row.action, target, now)) throw new LifelineError('channel-not-available', { channel });
  const purpose = CODE_PURPOSE[row.requester_kind][channel];
  // Guessing locked for this account: a new code would only cost a message.
  const locked = await deps.verification.lockedFor(row.account_id, purpose);
  if (locked !== undefined) throw new LifelineError('too-many-attempts', {}, { retryAfterSeconds: locked });
  const last = await deps.verification.lastIssuedTo(database.db, purpose, target.to);
  if (last !== undefined && now - last < SEND_COOLDOWN_MS) {
    throw new LifelineError('rate-limited', {}, { retryAfterSeconds: Math.max(1, Math.ceil((last + SEND_COOLDOWN_MS - now) / 1000)) });
  }
  // The channel's limit first: a refusal there must not use up the account's sends. Per
  // requester kind too: a host's sends (or a stranger's clicks on a host's page) never use up
  // the owner's own sends to the channel, nor the other way round.
  await deps.rateLimits.enforce('verification-send-channel', `${row.requester_kind}:${channel}:${target.to.toLowerCase()}`);
  // Per account and requester kind: a host's sends never use up the owner's own (and the other way round).
  await deps.rateLimits.enforce('verification-send-account', `${row.requester_kind}:${row.account_id}`);
  if (channel === 'recovery-phone' && !(await deps.smsGuard?.allowConfirmedSend({ country: target.country ?? 'ZZ', accountId: row.account_id }))) {
    throw new LifelineError('service-unavailable', {}, { retryAfterSeconds: 600 });
  }
  return inTransaction(database, async (trx) => {
    const current = await ownRecord(deps, trx, row.id, requesterOf(row, requester.name), true);
    if (verificationStatus(current, clock.now()) !== 'pending') throw new LifelineError('verification-not-redeemable');
    // A new code replaces this record's earlier code and link (other records keep theirs).
    await retireSecretsOf(deps, trx, row);
    const code = await deps.verification.issue(trx, { purpose, accountId: row.account_id, target: target.to, flowId: row.id, coexist: true });
    await notifyCode(deps, trx, { row, account, target, purpose, code, requester, origin });
    await deps.records.markSent(trx, row.id, { channel, purpose, at: clock.now() });
    await deps.securityLog.record(trx, {
      accountId: row.account_id,
      type: 'action_verification.code_sent',
      origin,
      details: { action: row.action, channel, requester: requester.name },
    });
    return { channel, masked: maskTarget(target), expiresAt: code.expiresAt };
  });
}

/**
 * Queues the message with the code: an SMS; for Lifeline's own actions an email with the code
 * only; for a host's action an email with the code and a link (issued here, beside the code).
 */
async function notifyCode(
  deps: ActionVerificationDeps,
  trx: Executor,
  sending: {
    row: ActionVerificationRow;
    account: AccountRow;
    target: ChannelTarget;
    purpose: SecretPurpose;
    code: IssuedSecret;
    requester: Requester;
    origin: RequestOrigin;
  },
): Promise<void> {
  const { row, account, target, purpose, code, origin } = sending;
  const locale = localeOf(account);
  // Lifeline's own actions by their words ("Konto löschen"), a host's by the name it gave.
  const action = isLifelineAction(row.action)
    ? deps.translator.text(locale, `mail.actionNames.${row.action.slice(LIFELINE_ACTION_PREFIX.length)}`, {})
    : row.action;
  const message = { locale, to: target.to, accountId: row.account_id, origin, expiresAt: code.expiresAt };
  const minutes = purposePolicies[purpose].ttlMs / MINUTE;
  if (target.channel === 'recovery-phone') {
    await deps.notifier.notify(trx, { kind: 'verification.sms-code', ...message, params: { code: code.secret, action } });
  } else if (isLifelineAction(row.action)) {
    // Lifeline's own actions: the code only (see the catalogue entry), with where the request came from.
    const details = describeAccountEvent(deps.translator, account, origin, deps.clock.now());
    await deps.notifier.notify(trx, { kind: 'verification.email-code-only', ...message, params: { ...details, code: code.secret, action, minutes } });
  } else {
    const link = await deps.verification.issue(trx, { purpose: LINK_PURPOSE, accountId: row.account_id, target: target.to, flowId: row.id, coexist: true });
    const params = { code: code.secret, token: link.secret, action, requester: sending.requester.name, minutes };
    await deps.notifier.notify(trx, { kind: 'verification.email-code', ...message, params });
  }
}
