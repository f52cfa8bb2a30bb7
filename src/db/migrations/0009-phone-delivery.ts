import type { Kysely } from 'kysely';
import { EPOCH_MS } from './dialect.js';

/**
 * For the recovery phone:
 * - secrets by (purpose, target): when did the last code go to this number, whichever account
 *   asked? The one-minute cooldown per number reads it;
 * - an expiry on outbox messages: an SMS whose code has expired is not sent any more (it would
 *   cost money for nothing, and its plain-text code would wait in the outbox for hours).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('verification_secrets_purpose_target').on('verification_secrets').columns(['purpose', 'target', 'created_at']).execute();
  await db.schema.alterTable('outbox_messages').addColumn('expires_at', EPOCH_MS).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_messages').dropColumn('expires_at').execute();
  await db.schema.dropIndex('verification_secrets_purpose_target').execute();
}
