import type { Executor } from '../../db/database.js';
import type { AccountRow } from '../../db/tables.js';

/**
 * The SQL that finds who an identifier given to "Passwort vergessen?" belongs to: only settled
 * recovery channels (recovery/channel-trust.ts) of accounts whose login email is verified — a
 * channel an intruder added is no way in.
 */
export function createChannelOwnerRepository() {
  return {
    /** The accounts whose active recovery phone is this number and settled by `now`, oldest first. */
    accountsBySettledPhone(db: Executor, numberE164: string, now: number): Promise<AccountRow[]> {
      return db
        .selectFrom('recovery_phones')
        .innerJoin('accounts', 'accounts.id', 'recovery_phones.account_id')
        .selectAll('accounts')
        .where('recovery_phones.number_e164', '=', numberE164)
        .where('recovery_phones.status', '=', 'active')
        .where('recovery_phones.settled_at', '<=', now)
        .where('accounts.email_verified_at', 'is not', null)
        .orderBy('accounts.created_at')
        .orderBy('accounts.id')
        .execute();
    },

    /** The accounts whose active recovery address is this one and settled by `now`, each with the address as stored. */
    accountsBySettledRecoveryEmail(db: Executor, addressNormalized: string, now: number): Promise<(AccountRow & { recovery_address: string })[]> {
      return db
        .selectFrom('recovery_emails')
        .innerJoin('accounts', 'accounts.id', 'recovery_emails.account_id')
        .selectAll('accounts')
        .select('recovery_emails.address as recovery_address')
        .where('recovery_emails.address_normalized', '=', addressNormalized)
        .where('recovery_emails.status', '=', 'active')
        .where('recovery_emails.settled_at', '<=', now)
        .where('accounts.email_verified_at', 'is not', null)
        .execute();
    },

    /** Whether Lifeline knows this email address in any state (account, unconfirmed sign-up, pending recovery address). */
    async addressKnown(db: Executor, addressNormalized: string): Promise<boolean> {
      const account = await db.selectFrom('accounts').select('id').where('email_normalized', '=', addressNormalized).executeTakeFirst();
      if (account) return true;
      const recovery = await db.selectFrom('recovery_emails').select('id').where('address_normalized', '=', addressNormalized).executeTakeFirst();
      return recovery !== undefined;
    },
  };
}

export type ChannelOwnerRepository = ReturnType<typeof createChannelOwnerRepository>;
