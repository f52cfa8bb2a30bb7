import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/random.js';
import type { Database } from '../../db/database.js';
import type { DevMailboxRow } from '../../db/tables.js';
import type { Channel, DeliverableMessage } from './channel.js';
import type { DevMailboxRepository } from './dev-mailbox-repository.js';

/**
 * The embedded default's "transport": every email and SMS is kept in the `dev_mailbox` table
 * and shown on `/dev/mailbox`, so every flow can be tried locally without a mail server.
 * It exists only outside production and only while no real transport is configured
 * (docs/reference/contracts.md "Contracts"); its table is exempt from the payload purge for that reason.
 */
export function createDevMailboxChannel(deps: { database: Database; clock: Clock; repository: Pick<DevMailboxRepository, 'insert'> }): Channel {
  const { repository } = deps;
  return {
    transport: 'dev-mailbox',
    async send(message: DeliverableMessage): Promise<void> {
      await repository.insert(deps.database.db, {
        id: newId(),
        outbox_id: message.id,
        channel: message.channel,
        recipient: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        created_at: deps.clock.now(),
      });
    },
  };
}

/** Reads the development mailbox, newest first. */
export function createDevMailbox(deps: { database: Database; repository: DevMailboxRepository }) {
  return {
    /** The newest `limit` messages (the page shows the newest thousand). */
    async list(limit = 1000): Promise<DevMailboxRow[]> {
      return deps.repository.newest(deps.database.db, limit);
    },
    async get(id: string): Promise<DevMailboxRow | undefined> {
      return deps.repository.byId(deps.database.db, id);
    },
  };
}

export type DevMailbox = ReturnType<typeof createDevMailbox>;
