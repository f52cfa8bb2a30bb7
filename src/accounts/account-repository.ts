import type { Executor } from '../db/database.js';
import type { AccountRow } from '../db/tables.js';

/** The SQL of accounts. Look-ups go by the normalised email (unique, docs/reference/security-requirements.md 7.6). */
export function createAccountRepository() {
  return {
    findByEmail(db: Executor, emailNormalized: string): Promise<AccountRow | undefined> {
      return db.selectFrom('accounts').selectAll().where('email_normalized', '=', emailNormalized).executeTakeFirst();
    },

    findById(db: Executor, id: string): Promise<AccountRow | undefined> {
      return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Reads the account for a change and, on PostgreSQL, locks it until the transaction ends. */
    findByIdForUpdate(trx: Executor, id: string, lock: boolean): Promise<AccountRow | undefined> {
      const query = trx.selectFrom('accounts').selectAll().where('id', '=', id);
      // NO KEY UPDATE: serialises writers of this account without blocking foreign-key checks.
      return (lock ? query.forNoKeyUpdate() : query).executeTakeFirst();
    },

    async insert(
      trx: Executor,
      row: { id: string; email: string; emailNormalized: string; passwordHash: string; locale: string; timeZone: string; now: number },
    ): Promise<void> {
      await trx
        .insertInto('accounts')
        .values({
          id: row.id,
          email: row.email,
          email_normalized: row.emailNormalized,
          password_hash: row.passwordHash,
          locale: row.locale,
          time_zone: row.timeZone,
          created_at: row.now,
          updated_at: row.now,
          email_verified_at: null,
          password_changed_at: row.now,
          signup_notice_at: null,
          throttle_notice_at: null,
        })
        .execute();
    },

    async update(
      trx: Executor,
      id: string,
      changes: Partial<
        Pick<
          AccountRow,
          | 'email'
          | 'email_normalized'
          | 'password_hash'
          | 'password_changed_at'
          | 'password_reset_required'
          | 'email_verified_at'
          | 'locale'
          | 'time_zone'
          | 'signup_notice_at'
          | 'throttle_notice_at'
          | 'created_at'
          | 'deletion_requested_at'
          | 'deletion_due_at'
          | 'pending_email'
          | 'pending_email_normalized'
          | 'email_change_due_at'
          | 'email_change_requested_ip'
          | 'email_change_requested_user_agent'
          | 'disabled_at'
          | 'disabled_by'
        >
      >,
      now: number,
    ): Promise<void> {
      await trx
        .updateTable('accounts')
        .set({ ...changes, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Sets a "sent a notice at" column if the last one is older than `since`: one statement, so
     * two parallel requests cannot both decide to send the hourly notice.
     */
    async claimNotice(trx: Executor, id: string, column: 'signup_notice_at' | 'throttle_notice_at', since: number, now: number): Promise<boolean> {
      const result = await trx
        .updateTable('accounts')
        .set({ [column]: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb(column, 'is', null), eb(column, '<', since)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Clears a scheduled deletion; answers whether one was scheduled (the caller then tells the addresses). */
    async cancelDeletion(trx: Executor, id: string): Promise<boolean> {
      const updated = await trx
        .updateTable('accounts')
        .set({ deletion_due_at: null, deletion_requested_at: null })
        .where('id', '=', id)
        .where('deletion_due_at', 'is not', null)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /**
     * Drops a login-email change waiting out its 7 days (its cancel link, an undo, a password
     * reset, or the address taken meanwhile). Answers whether one was waiting.
     */
    async dropWaitingEmailChange(db: Executor, id: string): Promise<boolean> {
      const dropped = await db
        .updateTable('accounts')
        .set({
          pending_email: null,
          pending_email_normalized: null,
          email_change_due_at: null,
          email_change_requested_ip: null,
          email_change_requested_user_agent: null,
        })
        .where('id', '=', id)
        .where('email_change_due_at', 'is not', null)
        .executeTakeFirst();
      return Number(dropped.numUpdatedRows) > 0;
    },

    /**
     * Deletes the account row, and with it every row that has a foreign key to it (cascade): a
     * deletion whose grace period is over, or an unconfirmed sign-up of an address that another
     * account has just proved.
     */
    async delete(trx: Executor, id: string): Promise<void> {
      await trx.deleteFrom('accounts').where('id', '=', id).execute();
    },

    /**
     * Housekeeping: the ids of the accounts whose scheduled change is due by `now` (a deletion
     * after its grace period, a waiting login-email change after its 7 days). The caller
     * re-checks each under the account's lock.
     */
    async idsDue(db: Executor, column: 'deletion_due_at' | 'email_change_due_at', now: number): Promise<string[]> {
      const rows = await db.selectFrom('accounts').select('id').where(column, '<=', now).execute();
      return rows.map((row) => row.id);
    },

    /** Housekeeping: unconfirmed sign-ups older than `before` (docs/reference/product.md §1: after 7 days). */
    async deleteUnverifiedBefore(db: Executor, before: number): Promise<number> {
      const result = await db.deleteFrom('accounts').where('email_verified_at', 'is', null).where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** The id, email and age of these accounts, oldest first (a choice between accounts, masked by the caller). */
    listByIds(db: Executor, ids: readonly string[]): Promise<Pick<AccountRow, 'id' | 'email' | 'created_at'>[]> {
      return db
        .selectFrom('accounts')
        .select(['id', 'email', 'created_at'])
        .where('id', 'in', [...ids])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
