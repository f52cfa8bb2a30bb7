import type { Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import type { SecurityEventsTable } from '../db/tables.js';

export type SecurityEventRow = Selectable<SecurityEventsTable>;

/** The SQL of the account's security log (`security_events`). */
export function createSecurityLogRepository() {
  return {
    async insert(trx: Executor, row: SecurityEventRow): Promise<void> {
      await trx.insertInto('security_events').values(row).execute();
    },

    /**
     * Up to `limit` rows of the account since `since`, newest first, after the keyset `after`
     * (created_at, id) when given: stable while new rows arrive, and a forged cursor can only
     * move within the account's own rows.
     */
    page(
      db: Executor,
      query: { accountId: string; since: number; after: { createdAt: number; id: string } | undefined; limit: number; hiddenTypes: readonly string[] },
    ): Promise<SecurityEventRow[]> {
      const { after } = query;
      let select = db.selectFrom('security_events').selectAll().where('account_id', '=', query.accountId).where('created_at', '>=', query.since);
      if (query.hiddenTypes.length > 0) select = select.where('type', 'not in', query.hiddenTypes);
      if (after)
        select = select.where((eb) =>
          eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
        );
      return select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    },

    /** When the account's latest event of `type` was recorded, or undefined if never (e.g. the last change of the login email). */
    async latestAt(db: Executor, accountId: string, type: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('security_events')
        .select('created_at')
        .where('account_id', '=', accountId)
        .where('type', '=', type)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.created_at;
    },

    /** Deletes the rows older than `before`; answers how many went. */
    async deleteOlderThan(db: Executor, before: number): Promise<number> {
      const result = await db.deleteFrom('security_events').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SecurityLogRepository = ReturnType<typeof createSecurityLogRepository>;
