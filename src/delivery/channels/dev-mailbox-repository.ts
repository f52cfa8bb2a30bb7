import type { Executor } from '../../db/database.js';
import type { DevMailboxRow } from '../../db/tables.js';

/** The SQL of the development mailbox (`dev_mailbox`). */
export function createDevMailboxRepository() {
  return {
    async insert(db: Executor, row: DevMailboxRow): Promise<void> {
      await db.insertInto('dev_mailbox').values(row).execute();
    },

    /** The newest `limit` messages, newest first. */
    newest(db: Executor, limit: number): Promise<DevMailboxRow[]> {
      return db.selectFrom('dev_mailbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    byId(db: Executor, id: string): Promise<DevMailboxRow | undefined> {
      return db.selectFrom('dev_mailbox').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}

export type DevMailboxRepository = ReturnType<typeof createDevMailboxRepository>;
