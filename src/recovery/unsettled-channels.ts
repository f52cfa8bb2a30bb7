import type { Executor } from '../db/database.js';
import { wasSettledBefore } from './channel-trust.js';
import type { RecoveryEmailRepository } from './email/recovery-email-repository.js';
import { maskNumber } from './phone/phone-number.js';
import type { RecoveryPhoneRepository } from './phone/recovery-phone-repository.js';

/** A recovery channel removed because it was not settled: the address in full (the owner reads it to recognise it), a number masked. */
export type RemovedChannel = { readonly channel: 'recovery-email'; readonly address: string } | { readonly channel: 'recovery-phone'; readonly masked: string };

/** How a removed channel is named in a notice: the address, or the masked number. */
export const describeRemoved = (channel: RemovedChannel): string => (channel.channel === 'recovery-email' ? channel.address : channel.masked);

/** The account's recovery rows (active, pending, held) of both channels, as read before a change. */
export interface ChannelRows {
  readonly emails: Awaited<ReturnType<RecoveryEmailRepository['rows']>>;
  readonly phones: Awaited<ReturnType<RecoveryPhoneRepository['rows']>>;
}

/** The two channels' repositories the decision reads and removes rows with (created once, in src/services.ts). */
export interface ChannelRepositories {
  readonly emails: Pick<RecoveryEmailRepository, 'rows' | 'remove'>;
  readonly phones: Pick<RecoveryPhoneRepository, 'rows' | 'remove'>;
}

/** What the owner regaining control (a reset, an undo) does with channels that were not settled. */
export interface UnsettledChannels {
  /** Reads the rows that {@link UnsettledChannels.remove} decides about (before held changes are cancelled, which drops held rows). */
  rowsOf(db: Executor, accountId: string): Promise<ChannelRows>;
  remove(trx: Executor, accountId: string, since: number, rows: ChannelRows, options?: { readonly keepRestored?: boolean }): Promise<RemovedChannel[]>;
}

export function createUnsettledChannels({ emails, phones }: ChannelRepositories): UnsettledChannels {
  return {
    async rowsOf(db, accountId) {
      return { emails: await emails.rows(db, accountId), phones: await phones.rows(db, accountId) };
    },
    remove: (trx, accountId, since, rows, options = {}) => removeUnsettledChannels({ emails, phones }, trx, accountId, since, rows, options),
  };
}

/**
 * Removes every recovery channel of `rows` that was not settled before `since`
 * (recovery/channel-trust.ts): an active one confirmed too recently (an intruder's, or restored
 * by an undo), and a confirmed one still waiting out its hold. Only channels the owner had before
 * the trouble (and the login email) remain ways back in. `keepRestored` (a reset): a channel an
 * undo put back stays — it was the owner's before the trouble, and the undo asked for this reset.
 * Answers what went, to be named to the owner. Runs in the caller's transaction, under the account's lock; a held row may already be
 * gone (the hold's cancelAll drops it) and is still named.
 */
async function removeUnsettledChannels(
  { emails, phones }: ChannelRepositories,
  trx: Executor,
  accountId: string,
  since: number,
  rows: ChannelRows,
  options: { readonly keepRestored?: boolean },
): Promise<RemovedChannel[]> {
  const removed: RemovedChannel[] = [];
  const keeps = (row: { status: string; settled_at: number | null; restored_at: number | null }) =>
    row.status === 'active' && (wasSettledBefore(row.settled_at, since) || (options.keepRestored === true && row.restored_at !== null));
  for (const row of [rows.emails.active, rows.emails.held]) {
    if (!row || keeps(row)) continue;
    await emails.remove(trx, accountId, row.status);
    removed.push({ channel: 'recovery-email', address: row.address });
  }
  for (const row of [rows.phones.active, rows.phones.held]) {
    if (!row || keeps(row)) continue;
    await phones.remove(trx, accountId, row.status);
    removed.push({ channel: 'recovery-phone', masked: maskNumber(row.number_e164) });
  }
  return removed;
}
