import type { Database, Executor } from '../../db/database.js';
import type { MessageChannelName, OutboxMessageRow, OutboxStatus } from '../../db/tables.js';

/** What the worker needs of a claimed row. */
export type ClaimedMessage = OutboxMessageRow;

export interface OutboxStats {
  readonly byStatus: Readonly<Record<OutboxStatus, number>>;
  /** Age in ms of the oldest message still waiting (queued or processing); 0 when none. */
  readonly oldestWaitingAgeMs: number;
}

/**
 * The outbox's SQL. Claiming differs by dialect (docs/reference/pitfalls.md): PostgreSQL selects due rows
 * `FOR UPDATE SKIP LOCKED`, so several workers never take the same row; SQLite has one
 * writer, so a single `UPDATE … WHERE id IN (SELECT …) RETURNING` under its write lock is
 * already exclusive.
 */
export function createOutboxRepository(database: Database) {
  const { db } = database;

  return {
    async insert(trx: Executor, row: OutboxMessageRow): Promise<void> {
      await trx.insertInto('outbox_messages').values(row).execute();
    },

    /**
     * Takes up to `limit` due rows of `channels` for `workerId` until `leaseUntil`: queued rows
     * whose time has come, and rows whose lease ran out (their worker died mid-send).
     */
    async claimDue(args: {
      workerId: string;
      now: number;
      leaseUntil: number;
      limit: number;
      channels: readonly MessageChannelName[];
    }): Promise<ClaimedMessage[]> {
      const due = (executor: Executor) => {
        const query = executor
          .selectFrom('outbox_messages')
          .select('id')
          .where('channel', 'in', args.channels)
          .where((eb) =>
            eb.or([
              eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', args.now)]),
              eb.and([eb('status', '=', 'processing'), eb('lease_expires_at', '<=', args.now)]),
            ]),
          )
          .orderBy('next_attempt_at')
          .limit(args.limit);
        return database.dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
      };
      return db
        .updateTable('outbox_messages')
        .set((eb) => ({
          status: 'processing',
          claimed_by: args.workerId,
          lease_expires_at: args.leaseUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: args.now,
        }))
        .where('id', 'in', due(db))
        .returningAll()
        .execute();
    },

    /** Marks a claimed row sent and purges its payload; only if this worker still holds it. */
    async markSent(id: string, workerId: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('outbox_messages')
        .set({ status: 'sent', sent_at: now, updated_at: now, payload: null, purged_at: now, lease_expires_at: null, last_error: null })
        .where('id', '=', id)
        .where('claimed_by', '=', workerId)
        .where('status', '=', 'processing')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async scheduleRetry(id: string, workerId: string, now: number, nextAttemptAt: number, error: string): Promise<void> {
      await db
        .updateTable('outbox_messages')
        .set({ status: 'queued', next_attempt_at: nextAttemptAt, lease_expires_at: null, claimed_by: null, last_error: error, updated_at: now })
        .where('id', '=', id)
        .where('claimed_by', '=', workerId)
        .where('status', '=', 'processing')
        .execute();
    },

    /** Gives up: the row stays visible as failed, its secrets purged. */
    async markFailed(id: string, workerId: string, now: number, error: string): Promise<void> {
      await db
        .updateTable('outbox_messages')
        .set({ status: 'failed', lease_expires_at: null, last_error: error, updated_at: now, payload: null, purged_at: now })
        .where('id', '=', id)
        .where('claimed_by', '=', workerId)
        .where('status', '=', 'processing')
        .execute();
    },

    async list(filter: { statuses: readonly OutboxStatus[]; limit: number }): Promise<OutboxMessageRow[]> {
      return db.selectFrom('outbox_messages').selectAll().where('status', 'in', filter.statuses).orderBy('created_at', 'desc').limit(filter.limit).execute();
    },

    async stats(now: number): Promise<OutboxStats> {
      const counts = await db
        .selectFrom('outbox_messages')
        .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('status')
        .execute();
      const oldest = await db
        .selectFrom('outbox_messages')
        .select((eb) => eb.fn.min<number | null>('created_at').as('created_at'))
        .where('status', 'in', ['queued', 'processing'])
        .executeTakeFirst();
      const byStatus: Record<OutboxStatus, number> = { queued: 0, processing: 0, sent: 0, failed: 0 };
      for (const row of counts) byStatus[row.status] = Number(row.count);
      const oldestCreated = oldest?.created_at;
      return { byStatus, oldestWaitingAgeMs: oldestCreated == null ? 0 : Math.max(0, now - Number(oldestCreated)) };
    },

    /** Housekeeping: sent rows (already purged) after `sentBefore`, failed ones after `failedBefore`. */
    async prune(sentBefore: number, failedBefore: number): Promise<number> {
      const result = await db
        .deleteFrom('outbox_messages')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'sent'), eb('updated_at', '<', sentBefore)]),
            eb.and([eb('status', '=', 'failed'), eb('updated_at', '<', failedBefore)]),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
