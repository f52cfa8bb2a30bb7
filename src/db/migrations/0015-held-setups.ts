import type { Kysely } from 'kysely';

/**
 * The 72-hour hold on recovery-channel changes (0014), second part:
 * - a pending recovery address or number set up (or sent again) by a session on a new device:
 *   its confirmation is held. The mark is on the row, not on the link or code, so a code sent
 *   again later from another session (the first one expired) stays held;
 * - who asked for a held change (IP and user agent, as the security log keeps them): the
 *   notices sent when the worker applies it name that device, not "unknown"; for a recovery
 *   e-mail also who set it up, since its link is opened without a session (the hold's notices
 *   name the requester, not whoever opened the link).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('recovery_emails')
    .addColumn('hold_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('recovery_phones')
    .addColumn('hold_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('recovery_emails').addColumn('requested_ip', 'text').execute();
  await db.schema.alterTable('recovery_emails').addColumn('requested_user_agent', 'text').execute();
  await db.schema.alterTable('held_changes').addColumn('requested_ip', 'text').execute();
  await db.schema.alterTable('held_changes').addColumn('requested_user_agent', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('held_changes').dropColumn('requested_user_agent').execute();
  await db.schema.alterTable('held_changes').dropColumn('requested_ip').execute();
  await db.schema.alterTable('recovery_emails').dropColumn('requested_user_agent').execute();
  await db.schema.alterTable('recovery_emails').dropColumn('requested_ip').execute();
  await db.schema.alterTable('recovery_phones').dropColumn('hold_requested').execute();
  await db.schema.alterTable('recovery_emails').dropColumn('hold_requested').execute();
}
