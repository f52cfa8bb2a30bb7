import type { Insertable } from 'kysely';
import type { Executor } from '../db/database.js';
import type { RecoveryEmailRow, RecoveryEmailStatus, RecoveryEmailsTable, RecoveryPhoneRow } from '../db/tables.js';

/** The rows of the two recovery-channel tables, by table. */
interface ChannelRowOf {
  readonly recovery_emails: RecoveryEmailRow;
  readonly recovery_phones: RecoveryPhoneRow;
}

/** A table of recovery channels: `recovery_emails` or `recovery_phones`. */
export type ChannelTable = keyof ChannelRowOf;

/** A channel's rows of one account: at most one of each status (partial unique indexes). */
export interface ChannelRowSet<Row> {
  readonly active: Row | undefined;
  readonly pending: Row | undefined;
  /** A confirmed address or number waiting out the 72-hour hold (recovery/hold/channel-hold-service.ts): not yet the channel. */
  readonly held: Row | undefined;
}

/** What a new pending row brings; the rest starts empty (not confirmed, not settled, not held). */
export type NewPendingRow<Row> = Omit<
  Row,
  'status' | 'confirmed_at' | 'hold_requested' | 'requested_ip' | 'requested_user_agent' | 'settled_at' | 'restored_at'
>;

/** What a sent link or code writes on its pending row (the email also keeps who asked: the link is opened without a session). */
export interface SentMark {
  readonly last_sent_at: number;
  readonly requested_device_id: string | null;
  readonly requested_ip?: string | null;
  readonly requested_user_agent?: string | null;
}

/**
 * The SQL both recovery channels share (recovery/email/recovery-email-repository.ts and
 * recovery/phone/recovery-phone-repository.ts add what is their own): the rows of one account by
 * status, a pending row in, a row out, pending or held to active.
 */
export interface ChannelRepository<Row> {
  /** The account's rows by status (active, pending, held). */
  rows(db: Executor, accountId: string): Promise<ChannelRowSet<Row>>;
  /** A new pending row (the caller has removed the old one): waits for its link or code. */
  insertPending(trx: Executor, row: NewPendingRow<Row>): Promise<void>;
  /** Deletes the account's row of `status`; answers it, if there was one. */
  remove(trx: Executor, accountId: string, status: RecoveryEmailStatus): Promise<Row | undefined>;
  /** The pending (or held) row becomes the active one (the caller has removed the old active row); `settledAt`: see recovery/channel-trust.ts. */
  activate(trx: Executor, id: string, now: number, from: 'pending' | 'held', settledAt: number): Promise<Row | undefined>;
  /**
   * The confirmed pending row waits out a 72-hour hold: not yet the channel. Marked as a new
   * device's request too (for the phone it may be the confirming session that was new): it
   * never settles at once when the hold ends.
   */
  markHeld(trx: Executor, id: string): Promise<Row | undefined>;
  /** A link or code went out; `holdRequested`: a new device's session sent it, so its confirmation is held (never unmarked). */
  markSent(trx: Executor, id: string, sent: SentMark, holdRequested: boolean): Promise<void>;
  /** The account's active row (notices, verifications), or undefined. */
  active(db: Executor, accountId: string): Promise<Row | undefined>;
}

/** The shared SQL of `table` (see {@link ChannelRepository}). */
export function createChannelRepository<Table extends ChannelTable>(table: Table): ChannelRepository<ChannelRowOf[Table]> {
  type Row = ChannelRowOf[Table];
  // Kysely types a statement by one table's name. The statements here use only the columns both
  // tables share, with the same types, so they are typed against recovery_emails and read back
  // as the table's own rows.
  const name = table as 'recovery_emails';
  return {
    async rows(db, accountId) {
      const rows = (await db.selectFrom(name).selectAll().where('account_id', '=', accountId).execute()) as Row[];
      return {
        active: rows.find((r) => r.status === 'active'),
        pending: rows.find((r) => r.status === 'pending'),
        held: rows.find((r) => r.status === 'held'),
      };
    },

    async insertPending(trx, row) {
      const values = { ...row, status: 'pending', confirmed_at: null, settled_at: null } as unknown as Insertable<RecoveryEmailsTable>;
      await trx.insertInto(name).values(values).execute();
    },

    async remove(trx, accountId, status) {
      return (await trx.deleteFrom(name).where('account_id', '=', accountId).where('status', '=', status).returningAll().executeTakeFirst()) as Row | undefined;
    },

    async activate(trx, id, now, from, settledAt) {
      return (await trx
        .updateTable(name)
        .set({ status: 'active', confirmed_at: now, settled_at: settledAt })
        .where('id', '=', id)
        .where('status', '=', from)
        .returningAll()
        .executeTakeFirst()) as Row | undefined;
    },

    async markHeld(trx, id) {
      return (await trx
        .updateTable(name)
        .set({ status: 'held', hold_requested: 1 })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst()) as Row | undefined;
    },

    async markSent(trx, id, sent, holdRequested) {
      await trx
        .updateTable(name)
        .set(holdRequested ? { ...sent, hold_requested: 1 } : sent)
        .where('id', '=', id)
        .execute();
    },

    async active(db, accountId) {
      return (await db.selectFrom(name).selectAll().where('account_id', '=', accountId).where('status', '=', 'active').executeTakeFirst()) as Row | undefined;
    },
  };
}
