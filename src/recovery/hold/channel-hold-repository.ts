import { storedUserAgent } from '../../core/user-agent.js';
import type { Executor } from '../../db/database.js';
import type { HeldChangeKind, HeldChangeRow } from '../../db/tables.js';
import type { ClientInfo } from '../../sessions/session-service.js';

/** A held change that is due: what applying it needs. */
export interface DueHeldChange {
  readonly id: string;
  readonly account_id: string;
  readonly requested_ip: string | null;
  readonly requested_user_agent: string | null;
}

/**
 * The SQL of `held_changes` (recovery/hold/channel-hold-service.ts): a change waits until it is applied
 * (`applied_at`) or cancelled (`cancelled_at`); both stay a while, then are pruned.
 */
export function createChannelHoldRepository() {
  /** The account's changes of these kinds that still wait. */
  const waitingOf = (db: Executor, accountId: string, kinds: readonly HeldChangeKind[]) =>
    db
      .selectFrom('held_changes')
      .where('account_id', '=', accountId)
      .where('kind', 'in', kinds)
      .where('cancelled_at', 'is', null)
      .where('applied_at', 'is', null);

  return {
    /** When the account's waiting change of `kind` takes effect, if one waits. */
    async waitingUntil(db: Executor, accountId: string, kind: HeldChangeKind): Promise<number | undefined> {
      return (await waitingOf(db, accountId, [kind]).select('effective_at').executeTakeFirst())?.effective_at;
    },

    /** The account's waiting changes of these kinds, with when each takes effect. */
    waiting(db: Executor, accountId: string, kinds: readonly HeldChangeKind[]): Promise<{ kind: HeldChangeKind; effective_at: number }[]> {
      return waitingOf(db, accountId, kinds).select(['kind', 'effective_at']).execute();
    },

    /** Every waiting change of these kinds ends (cancelled at `now`); answers the kinds that ended. */
    async endWaiting(trx: Executor, accountId: string, kinds: readonly HeldChangeKind[], now: number): Promise<HeldChangeKind[]> {
      const ended = await trx
        .updateTable('held_changes')
        .set({ cancelled_at: now })
        .where('account_id', '=', accountId)
        .where('kind', 'in', kinds)
        .where('cancelled_at', 'is', null)
        .where('applied_at', 'is', null)
        .returning('kind')
        .execute();
      return ended.map((row) => row.kind);
    },

    /** A new waiting change, asked by `client` (its notices and the worker's name who asked). */
    async insert(
      trx: Executor,
      change: { id: string; accountId: string; kind: HeldChangeKind; now: number; effectiveAt: number; client: ClientInfo },
    ): Promise<void> {
      await trx
        .insertInto('held_changes')
        .values({
          id: change.id,
          account_id: change.accountId,
          kind: change.kind,
          created_at: change.now,
          effective_at: change.effectiveAt,
          cancelled_at: null,
          applied_at: null,
          requested_ip: change.client.ip,
          requested_user_agent: storedUserAgent(change.client.userAgent),
        })
        .execute();
    },

    /** Cancels the change `id` if it still waits; answers its kind, or undefined when it was applied or cancelled already. */
    async cancel(trx: Executor, id: string, now: number): Promise<HeldChangeKind | undefined> {
      const cancelled = await trx
        .updateTable('held_changes')
        .set({ cancelled_at: now })
        .where('id', '=', id)
        .where('cancelled_at', 'is', null)
        .where('applied_at', 'is', null)
        .returning('kind')
        .executeTakeFirst();
      return cancelled?.kind;
    },

    /** One change of the account, whatever became of it (a link's page names it), until it is pruned. */
    find(db: Executor, accountId: string, id: string): Promise<Pick<HeldChangeRow, 'kind' | 'effective_at' | 'cancelled_at' | 'applied_at'> | undefined> {
      return db
        .selectFrom('held_changes')
        .select(['kind', 'effective_at', 'cancelled_at', 'applied_at'])
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
    },

    /** The waiting changes of `kind` whose time has come at `now`. */
    due(db: Executor, kind: HeldChangeKind, now: number): Promise<DueHeldChange[]> {
      return db
        .selectFrom('held_changes')
        .select(['id', 'account_id', 'requested_ip', 'requested_user_agent'])
        .where('kind', '=', kind)
        .where('effective_at', '<=', now)
        .where('cancelled_at', 'is', null)
        .where('applied_at', 'is', null)
        .execute();
    },

    /** Marks a due change applied if it still waits (one conditional UPDATE: two workers never both apply it); answers whether this caller got it. */
    async claim(trx: Executor, id: string, now: number): Promise<boolean> {
      const claimed = await trx
        .updateTable('held_changes')
        .set({ applied_at: now })
        .where('id', '=', id)
        .where('cancelled_at', 'is', null)
        .where('applied_at', 'is', null)
        .executeTakeFirst();
      return Number(claimed.numUpdatedRows) === 1;
    },

    /** Deletes the changes applied or cancelled before `before`; answers how many. */
    async prune(db: Executor, before: number): Promise<number> {
      const result = await db
        .deleteFrom('held_changes')
        .where((eb) => eb.or([eb('applied_at', '<', before), eb('cancelled_at', '<', before)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type ChannelHoldRepository = ReturnType<typeof createChannelHoldRepository>;
