import type { Executor } from '../../db/database.js';
import type { RecoveryEmailStatus, RecoveryPhoneRow } from '../../db/tables.js';

/** The SQL of recovery phone numbers (at most one active, one pending and one held row per account). */
export function createRecoveryPhoneRepository() {
  return {
    async rows(
      db: Executor,
      accountId: string,
    ): Promise<{ active: RecoveryPhoneRow | undefined; pending: RecoveryPhoneRow | undefined; held: RecoveryPhoneRow | undefined }> {
      const rows = await db.selectFrom('recovery_phones').selectAll().where('account_id', '=', accountId).execute();
      return {
        active: rows.find((r) => r.status === 'active'),
        pending: rows.find((r) => r.status === 'pending'),
        held: rows.find((r) => r.status === 'held'),
      };
    },

    async insertPending(
      trx: Executor,
      row: Omit<RecoveryPhoneRow, 'status' | 'confirmed_at' | 'hold_requested' | 'settled_at' | 'restored_at'>,
    ): Promise<void> {
      await trx
        .insertInto('recovery_phones')
        .values({ ...row, status: 'pending', confirmed_at: null, settled_at: null })
        .execute();
    },

    async remove(trx: Executor, accountId: string, status: RecoveryEmailStatus): Promise<RecoveryPhoneRow | undefined> {
      return trx.deleteFrom('recovery_phones').where('account_id', '=', accountId).where('status', '=', status).returningAll().executeTakeFirst();
    },

    /** The pending (or held) row becomes the active one (the caller has removed the old active row); `settledAt`: see recovery/channel-trust.ts. */
    async activate(trx: Executor, id: string, now: number, from: 'pending' | 'held', settledAt: number): Promise<RecoveryPhoneRow | undefined> {
      return trx
        .updateTable('recovery_phones')
        .set({ status: 'active', confirmed_at: now, settled_at: settledAt })
        .where('id', '=', id)
        .where('status', '=', from)
        .returningAll()
        .executeTakeFirst();
    },

    /** The confirmed pending row waits out a 72-hour hold: not yet the channel. */
    async markHeld(trx: Executor, id: string): Promise<RecoveryPhoneRow | undefined> {
      // Marked as a new device's request too (it may be the confirming session that was new): it never settles at once when the hold ends.
      return trx
        .updateTable('recovery_phones')
        .set({ status: 'held', hold_requested: 1 })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst();
    },

    /**
     * A code went out, asked from `deviceId`; `holdRequested`: a new device's session sent it, so
     * its confirmation is held (never unmarked).
     */
    async markSent(trx: Executor, id: string, now: number, holdRequested: boolean, deviceId: string | null): Promise<void> {
      const sent = { last_sent_at: now, requested_device_id: deviceId };
      await trx
        .updateTable('recovery_phones')
        .set(holdRequested ? { ...sent, hold_requested: 1 } : sent)
        .where('id', '=', id)
        .execute();
    },

    /** The active recovery number of an account (notices, verifications), or undefined. */
    async active(db: Executor, accountId: string): Promise<RecoveryPhoneRow | undefined> {
      return db.selectFrom('recovery_phones').selectAll().where('account_id', '=', accountId).where('status', '=', 'active').executeTakeFirst();
    },
  };
}

export type RecoveryPhoneRepository = ReturnType<typeof createRecoveryPhoneRepository>;
