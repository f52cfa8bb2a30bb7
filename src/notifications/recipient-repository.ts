import type { Executor } from '../db/database.js';

/**
 * The notifier's reads of who an account's messages go to. Its own small read rather than the
 * accounts and recovery repositories: notifications/ sits below the concept folders.
 */
export function createRecipientRepository() {
  return {
    async loginEmail(trx: Executor, accountId: string): Promise<string | undefined> {
      const account = await trx.selectFrom('accounts').select('email').where('id', '=', accountId).executeTakeFirst();
      return account?.email;
    },

    /** The active recovery email (never a pending one), with when it was confirmed. */
    activeRecoveryEmail(trx: Executor, accountId: string): Promise<{ address: string; confirmed_at: number | null } | undefined> {
      return trx
        .selectFrom('recovery_emails')
        .select(['address', 'confirmed_at'])
        .where('account_id', '=', accountId)
        .where('status', '=', 'active')
        .executeTakeFirst();
    },
  };
}

export type RecipientRepository = ReturnType<typeof createRecipientRepository>;
