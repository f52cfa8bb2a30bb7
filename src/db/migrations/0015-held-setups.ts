import type { Kysely } from 'kysely';

/**
 * A pending recovery address or number set up (or sent again) by a session on a new device
 * (issue 9's 72-hour hold): its confirmation is held. The mark is on the row, not on the link or
 * code, so a code sent again later from another session (the first one expired) stays held.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('recovery_emails').addColumn('hold_requested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('recovery_phones').addColumn('hold_requested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('recovery_phones').dropColumn('hold_requested').execute();
  await db.schema.alterTable('recovery_emails').dropColumn('hold_requested').execute();
}
