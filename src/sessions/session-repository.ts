import type { CompiledQuery, QueryResult } from 'kysely';
import type { Executor } from '../db/database.js';
import type { SessionRow } from '../db/tables.js';

/** The session look-up: the session's row and its account's columns (`created_at` as `account_created_at`). */
function buildLookup(db: Executor, keyCount: number) {
  return db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .selectAll('sessions')
    .select([
      'accounts.email',
      'accounts.email_normalized',
      'accounts.locale',
      'accounts.time_zone',
      'accounts.created_at as account_created_at',
      'accounts.password_hash',
      'accounts.email_verified_at',
      'accounts.password_changed_at',
      'accounts.password_reset_required',
      'accounts.signup_notice_at',
      'accounts.throttle_notice_at',
      'accounts.deletion_requested_at',
      'accounts.deletion_due_at',
      'accounts.pending_email',
      'accounts.pending_email_normalized',
      'accounts.email_change_due_at',
      'accounts.email_change_requested_ip',
      'accounts.email_change_requested_user_agent',
      'accounts.disabled_at',
      'accounts.disabled_by',
      'accounts.updated_at',
    ])
    .where(
      'sessions.token_hash',
      'in',
      Array.from({ length: keyCount }, () => ''),
    )
    .compile();
}

/** The compiled session look-up ({@link SessionRepository.compileLookup}). */
export type SessionLookup = ReturnType<typeof buildLookup>;
/** One row of the session look-up. */
export type SessionLookupRow = SessionLookup extends CompiledQuery<infer Row> ? Row : never;

/** The SQL of sessions (`sessions`): the look-up every signed-in request makes, and the writes of the session service. */
export function createSessionRepository() {
  return {
    /**
     * The look-up every signed-in request makes, compiled once: building and compiling a Kysely
     * query costs more than running it (measured: ~35 µs per request down to ~13 µs on SQLite).
     * Its only parameters are the token's hashes under each of the `keyCount` keys, so only
     * their values change.
     */
    compileLookup: buildLookup,

    /**
     * Runs the compiled look-up with the token's hashes (one per key). Not `async`: the session
     * check awaits this one read and nothing more (docs/performance.md).
     */
    lookup(db: Executor, lookup: SessionLookup, tokenHashes: string[]): Promise<QueryResult<SessionLookupRow>> {
      const query: CompiledQuery<SessionLookupRow> = { ...lookup, parameters: tokenHashes };
      return db.executeQuery(query);
    },

    async insert(trx: Executor, session: SessionRow): Promise<void> {
      await trx.insertInto('sessions').values(session).execute();
    },

    /** Deletes one session (an expired or idle one found by the look-up). Not `async`, like {@link lookup}. */
    deleteById(db: Executor, id: string): Promise<unknown> {
      return db.deleteFrom('sessions').where('id', '=', id).execute();
    },

    /** Writes `last_seen_at` (at most once a minute per session). Not `async`, like {@link lookup}. */
    touch(db: Executor, id: string, now: number): Promise<unknown> {
      return db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
    },

    /** Sets a new token hash (and what else changes with it); undefined when the session is gone. */
    rotate(
      trx: Executor,
      id: string,
      changes: Pick<SessionRow, 'token_hash' | 'key_id' | 'last_seen_at'> & Partial<Pick<SessionRow, 'privileged_until'>>,
    ): Promise<SessionRow | undefined> {
      return trx.updateTable('sessions').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
    },

    /** The account's sessions that are neither past their end nor idle, the most recently seen first. */
    listLive(db: Executor, accountId: string, now: number, idleMs: number): Promise<SessionRow[]> {
      return db
        .selectFrom('sessions')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('expires_at', '>', now)
        .where('last_seen_at', '>', now - idleMs)
        .orderBy('last_seen_at', 'desc')
        .execute();
    },

    /** Deletes one session of the account; whether there was one. */
    async deleteOfAccount(trx: Executor, accountId: string, id: string): Promise<boolean> {
      const result = await trx.deleteFrom('sessions').where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /** Deletes every session of the account but `keepId` (if given); how many. */
    async deleteAllOfAccount(trx: Executor, accountId: string, keepId: string | undefined): Promise<number> {
      let query = trx.deleteFrom('sessions').where('account_id', '=', accountId);
      if (keepId !== undefined) query = query.where('id', '!=', keepId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Deletes the account's sessions on one device but `keepId` (if given); their ids. */
    async deleteOfDevice(trx: Executor, accountId: string, deviceId: string, keepId: string | undefined): Promise<string[]> {
      let query = trx.deleteFrom('sessions').where('account_id', '=', accountId).where('device_id', '=', deviceId);
      if (keepId !== undefined) query = query.where('id', '!=', keepId);
      return (await query.returning('id').execute()).map((row) => row.id);
    },

    /** Housekeeping: deletes sessions past their absolute end or idle limit; how many. */
    async deleteExpired(db: Executor, now: number, idleMs: number): Promise<number> {
      const result = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
