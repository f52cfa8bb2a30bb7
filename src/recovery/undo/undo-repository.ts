import type { Executor } from '../../db/database.js';

/** A channel an undo puts back: active at once, but as new (its `settled_at` lies ahead: recovery/channel-trust.ts). */
interface RestoredChannel {
  readonly id: string;
  readonly accountId: string;
  readonly now: number;
  readonly settledAt: number;
}

/**
 * The SQL of "Das war ich nicht" beside the channel services' own: the channels it puts back,
 * the recovery twin of a restored login email, and the security-log event a link names.
 */
export function createUndoRepository() {
  return {
    /** Puts a recovery address back as the account's active one (confirmed and restored now). */
    async insertRestoredEmail(trx: Executor, row: RestoredChannel & { readonly address: string; readonly addressNormalized: string }): Promise<void> {
      await trx
        .insertInto('recovery_emails')
        .values({
          id: row.id,
          account_id: row.accountId,
          address: row.address,
          address_normalized: row.addressNormalized,
          status: 'active',
          created_at: row.now,
          confirmed_at: row.now,
          settled_at: row.settledAt,
          restored_at: row.now,
          last_sent_at: null,
        })
        .execute();
    },

    /** Puts a recovery phone back as the account's active one (confirmed and restored now). */
    async insertRestoredPhone(trx: Executor, row: RestoredChannel & { readonly numberE164: string; readonly country: string }): Promise<void> {
      await trx
        .insertInto('recovery_phones')
        .values({
          id: row.id,
          account_id: row.accountId,
          number_e164: row.numberE164,
          country: row.country,
          status: 'active',
          created_at: row.now,
          confirmed_at: row.now,
          settled_at: row.settledAt,
          restored_at: row.now,
          last_sent_at: null,
        })
        .execute();
    },

    /** The restored login email cannot stay a recovery address too: the account's rows of that address go, whatever their status. */
    async removeRecoveryAddress(trx: Executor, accountId: string, addressNormalized: string): Promise<void> {
      await trx.deleteFrom('recovery_emails').where('account_id', '=', accountId).where('address_normalized', '=', addressNormalized).execute();
    },

    /** The security-log event an undo link names, if it is this account's (a link's data is never trusted further). */
    eventOf(db: Executor, accountId: string, eventId: string): Promise<{ type: string; created_at: number; details: string | null } | undefined> {
      return db
        .selectFrom('security_events')
        .select(['type', 'created_at', 'details'])
        .where('id', '=', eventId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
    },
  };
}

export type UndoRepository = ReturnType<typeof createUndoRepository>;
