import type { Kysely } from 'kysely';

/**
 * Who asked for a login-e-mail change that waits its 7 days, as the security log
 * keeps it (IP and user agent): the notices sent when the worker applies it name that device,
 * not "unknown". Cleared with the waiting change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('email_change_requested_ip', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('email_change_requested_user_agent', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('email_change_requested_user_agent').execute();
  await db.schema.alterTable('accounts').dropColumn('email_change_requested_ip').execute();
}
