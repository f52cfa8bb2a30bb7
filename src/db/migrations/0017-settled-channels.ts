import { sql, type Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/** A channel confirmed before this migration counts as settled this long after its confirmation. */
const SETTLE_MS = 7 * 24 * 3600 * 1000;

/**
 * "The owner wins" (docs/security.md): which recovery channels were settled, and who added them.
 * - `settled_at`: from when a channel counts as the owner's (it survives "Das war ich nicht",
 *   verifies a host's actions, lets a reset cancel held changes): 7 days after its confirmation,
 *   or at once when it was set up from the account's first device. Rows confirmed before this
 *   migration settle 7 days after their confirmation.
 * - `requested_device_id`: the device whose session set the channel up or sent its code or link
 *   last. When the owner removes a channel that another device added, that device's sessions end.
 * - `restored_at`: "Das war ich nicht" put the channel back (it was settled before the undone
 *   event). It counts as new (not settled), but the reset that the undo asks for keeps it.
 * - `devices.first_of_account`: 1 for the account's first device (the browser that confirmed the
 *   sign-up), kept on the row since creation times can tie. Existing accounts: their oldest device.
 * - `password_reset_flows.client_key`: the client (IPv4 address, IPv6 /64) that asked. Limits
 *   and locks of forgot password count per client, so that a stranger's requests and wrong codes
 *   never spend the owner's sends or lock the owner's flow.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['recovery_emails', 'recovery_phones']) {
    await db.schema.alterTable(table).addColumn('settled_at', EPOCH_MS).execute();
    await db.schema.alterTable(table).addColumn('requested_device_id', 'text').execute();
    await db.schema.alterTable(table).addColumn('restored_at', EPOCH_MS).execute();
    await sql`update ${sql.table(table)} set settled_at = confirmed_at + ${SETTLE_MS} where confirmed_at is not null`.execute(db);
  }
  await db.schema
    .alterTable('devices')
    .addColumn('first_of_account', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update devices set first_of_account = 1 where id in (select d.id from devices d where not exists (select 1 from devices e where e.account_id = d.account_id and (e.created_at < d.created_at or (e.created_at = d.created_at and e.id < d.id))))`.execute(
    db,
  );
  await db.schema.alterTable('password_reset_flows').addColumn('client_key', 'text').execute();
  await db.schema.createIndex('password_reset_flows_identifier_client').on('password_reset_flows').columns(['identifier_hash', 'client_key']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('password_reset_flows_identifier_client').execute();
  await db.schema.alterTable('password_reset_flows').dropColumn('client_key').execute();
  await db.schema.alterTable('devices').dropColumn('first_of_account').execute();
  for (const table of ['recovery_phones', 'recovery_emails']) {
    await db.schema.alterTable(table).dropColumn('restored_at').execute();
    await db.schema.alterTable(table).dropColumn('requested_device_id').execute();
    await db.schema.alterTable(table).dropColumn('settled_at').execute();
  }
}
