import type { Executor } from '../../db/database.js';
import { storedUserAgent } from '../../core/user-agent.js';
import type { RecoveryEmailRow, RecoveryEmailStatus } from '../../db/tables.js';
import type { ClientInfo } from '../../sessions/session-service.js';

/** The SQL of recovery e-mail addresses (at most one active, one pending and one held row per account). */
export function createRecoveryEmailRepository() {
  return {
    async rows(
      db: Executor,
      accountId: string,
    ): Promise<{ active: RecoveryEmailRow | undefined; pending: RecoveryEmailRow | undefined; held: RecoveryEmailRow | undefined }> {
      const rows = await db.selectFrom('recovery_emails').selectAll().where('account_id', '=', accountId).execute();
      return {
        active: rows.find((r) => r.status === 'active'),
        pending: rows.find((r) => r.status === 'pending'),
        held: rows.find((r) => r.status === 'held'),
      };
    },

    async insertPending(
      trx: Executor,
      row: Omit<RecoveryEmailRow, 'status' | 'confirmed_at' | 'hold_requested' | 'requested_ip' | 'requested_user_agent' | 'settled_at' | 'restored_at'>,
    ): Promise<void> {
      await trx
        .insertInto('recovery_emails')
        .values({ ...row, status: 'pending', confirmed_at: null, settled_at: null })
        .execute();
    },

    async remove(trx: Executor, accountId: string, status: RecoveryEmailStatus): Promise<RecoveryEmailRow | undefined> {
      return trx.deleteFrom('recovery_emails').where('account_id', '=', accountId).where('status', '=', status).returningAll().executeTakeFirst();
    },

    /** The pending (or held) row becomes the active one (the caller has removed the old active row); `settledAt`: see recovery/channel-trust.ts. */
    async activate(trx: Executor, id: string, now: number, from: 'pending' | 'held', settledAt: number): Promise<RecoveryEmailRow | undefined> {
      return trx
        .updateTable('recovery_emails')
        .set({ status: 'active', confirmed_at: now, settled_at: settledAt })
        .where('id', '=', id)
        .where('status', '=', from)
        .returningAll()
        .executeTakeFirst();
    },

    /** The confirmed pending row waits out a 72-hour hold: not yet the channel. */
    async markHeld(trx: Executor, id: string): Promise<RecoveryEmailRow | undefined> {
      // Marked as a new device's request too: it never settles at once when the hold ends.
      return trx
        .updateTable('recovery_emails')
        .set({ status: 'held', hold_requested: 1 })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst();
    },

    /**
     * A link went out, asked by `by` on `deviceId`; `holdRequested`: a new device's session sent
     * it, so its confirmation is held (never unmarked).
     */
    async markSent(trx: Executor, id: string, now: number, holdRequested: boolean, by: ClientInfo, deviceId: string | null): Promise<void> {
      const sent = { last_sent_at: now, requested_ip: by.ip, requested_user_agent: storedUserAgent(by.userAgent), requested_device_id: deviceId };
      await trx
        .updateTable('recovery_emails')
        .set(holdRequested ? { ...sent, hold_requested: 1 } : sent)
        .where('id', '=', id)
        .execute();
    },

    /** The active recovery address of an account (notices, verifications), or undefined. */
    async active(db: Executor, accountId: string): Promise<RecoveryEmailRow | undefined> {
      return db.selectFrom('recovery_emails').selectAll().where('account_id', '=', accountId).where('status', '=', 'active').executeTakeFirst();
    },
  };
}

export type RecoveryEmailRepository = ReturnType<typeof createRecoveryEmailRepository>;
