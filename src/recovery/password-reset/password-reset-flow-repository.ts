import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { PasswordResetFlowRow, PasswordResetFlowsTable } from '../../db/tables.js';
import type { Insertable } from 'kysely';

/** The SQL of forgot-password flows (migration 0010). Every state change is one conditional UPDATE. */
export function createPasswordResetFlowRepository() {
  return {
    /** A new flow: a request's (unprocessed), or a link's (verified at once). */
    async insert(trx: Executor, row: Insertable<PasswordResetFlowsTable>): Promise<void> {
      await trx.insertInto('password_reset_flows').values(row).execute();
    },

    /** The flow of a cookie (its id is the cookie's SHA-256), in whatever state. */
    async find(db: Executor, id: string): Promise<PasswordResetFlowRow | undefined> {
      return db.selectFrom('password_reset_flows').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Takes the flow for processing: of two processors (the request's and the worker's) one wins. */
    async claim(trx: Executor, id: string, now: number): Promise<PasswordResetFlowRow | undefined> {
      return trx
        .updateTable('password_reset_flows')
        .set({ processed_at: now })
        .where('id', '=', id)
        .where('processed_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
    },

    /** Flows whose processing after the answer did not happen (the instance stopped): the worker takes them. */
    async unprocessedBefore(db: Executor, before: number, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('password_reset_flows')
        .select('id')
        .where('processed_at', 'is', null)
        .where('created_at', '<', before)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /** What processing decided: the channel, the accounts and the secret sent, or nothing (the identifier is then dropped). */
    async recordOutcome(
      trx: Executor,
      id: string,
      outcome: Pick<PasswordResetFlowRow, 'channel' | 'account_ids' | 'secret_purpose' | 'secret_account_id' | 'identifier'>,
    ): Promise<void> {
      await trx.updateTable('password_reset_flows').set(outcome).where('id', '=', id).execute();
    },

    /**
     * A browser's new request replaces its own earlier flow (the cookie it still sent), unless
     * that flow was verified: flows of other browsers are never touched, so a stranger's request
     * for the owner's address cannot end the owner's flow.
     */
    async supersedeUnverified(db: Executor, id: string, now: number): Promise<void> {
      await db
        .updateTable('password_reset_flows')
        .set({ superseded_at: now })
        .where('id', '=', id)
        .where('verified_at', 'is', null)
        .where('superseded_at', 'is', null)
        .where('used_at', 'is', null)
        .execute();
    },

    /**
     * After a reset (or "Das war ich nicht"), every other open flow of the account dies, verified
     * ones included (a verified flow can set a password, like a token). `account_ids` is a JSON array of random
     * ids, so a LIKE on the quoted id matches exactly that account on both dialects.
     */
    async supersedeForAccount(trx: Executor, accountId: string, except: string | undefined, now: number): Promise<number> {
      let query = trx
        .updateTable('password_reset_flows')
        .set({ superseded_at: now })
        .where('account_ids', 'like', `%"${accountId}"%`)
        .where('superseded_at', 'is', null)
        .where('used_at', 'is', null);
      if (except !== undefined) query = query.where('id', '!=', except);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** One try of a flow without a code; undefined when none was left (also under parallel guesses). */
    async takeAttempt(trx: Executor, id: string, now: number): Promise<number | undefined> {
      const row = await trx
        .updateTable('password_reset_flows')
        .set({ attempts_left: sql<number>`attempts_left - 1`, failures: sql<number>`failures + 1`, last_failure_at: now })
        .where('id', '=', id)
        .where('attempts_left', '>', 0)
        .returning('attempts_left')
        .executeTakeFirst();
      return row?.attempts_left;
    },

    /** A wrong guess in a flow with a code (its tries are the secret's): counted for the identifier's hourly failures. */
    async recordFailure(db: Executor, id: string, now: number): Promise<void> {
      await db
        .updateTable('password_reset_flows')
        .set({ failures: sql<number>`failures + 1`, last_failure_at: now })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Wrong guesses in the flows of this identifier from this client (with a code or without)
     * since `since`, and the latest of them: a stranger's guesses lock only the stranger.
     */
    async failuresSince(db: Executor, identifierHash: string, clientKey: string | null, since: number): Promise<{ count: number; last: number | null }> {
      const row = await db
        .selectFrom('password_reset_flows')
        .select((eb) => [eb.fn.sum<number | string | null>('failures').as('count'), eb.fn.max('last_failure_at').as('last')])
        .where('identifier_hash', '=', identifierHash)
        .where((eb) => (clientKey === null ? eb('client_key', 'is', null) : eb('client_key', '=', clientKey)))
        .where('last_failure_at', '>=', since)
        .executeTakeFirst();
      return { count: Number(row?.count ?? 0), last: row?.last === null || row?.last === undefined ? null : Number(row.last) };
    },

    /** The accounts a verified flow may still choose from: those its channel still reaches. */
    async narrowAccounts(trx: Executor, id: string, accountIds: readonly string[]): Promise<void> {
      await trx
        .updateTable('password_reset_flows')
        .set({ account_ids: JSON.stringify(accountIds) })
        .where('id', '=', id)
        .execute();
    },

    /**
     * The code (or link) was right: the flow may now set a password, once. A recovery code names
     * its set: the flow's channel becomes 'recovery-code', and the reset checks the set is still current.
     */
    async markVerified(trx: Executor, id: string, now: number, recoveryCodeSet?: string): Promise<boolean> {
      const result = await trx
        .updateTable('password_reset_flows')
        .set({ verified_at: now, ...(recoveryCodeSet === undefined ? {} : { channel: 'recovery-code' as const, recovery_code_set_id: recoveryCodeSet }) })
        .where('id', '=', id)
        .where('verified_at', 'is', null)
        .where('used_at', 'is', null)
        .where('superseded_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The password was set: exactly one of parallel resets wins. */
    async markUsed(trx: Executor, id: string, now: number): Promise<boolean> {
      const result = await trx
        .updateTable('password_reset_flows')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('superseded_at', 'is', null)
        .where('verified_at', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Housekeeping: flows that ended before `before` go; answers how many. */
    async prune(trx: Executor, before: number): Promise<number> {
      const result = await trx.deleteFrom('password_reset_flows').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type PasswordResetFlowRepository = ReturnType<typeof createPasswordResetFlowRepository>;
