import { LifelineError } from '../core/errors.js';
import { newId } from '../core/random.js';
import type { Executor } from '../db/database.js';
import type { AccountRow, HeldChangeKind, RecoveryEmailRow, RecoveryPhoneRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { UNDO_MIN_ADDRESS_AGE_MS, type UndoRequest, type UndoRestore } from '../notifications/notifier.js';
import type { MessageParams } from '../notifications/render-message.js';
import type { DeviceStanding } from '../sessions/device-registry.js';
import type { AuthenticatedSession, ClientInfo } from '../sessions/session-service.js';
import type { ChannelDeps } from './channel-deps.js';
import type { ChannelRepository, ChannelRowSet, NewPendingRow } from './channel-repository.js';
import { requireEvent, type RecoveryChannelEvent } from './channel-state.js';
import { isSettledAt, settledAtFor } from './channel-trust.js';
import type { ChannelHoldService, HeldChannel } from './hold/channel-hold-service.js';
import { changeDetails, localeOf } from './notice-context.js';
import { endSessionsOfAddingDevice } from './owner-repair.js';

/** A row of either channel table. */
type ChannelRow = RecoveryEmailRow | RecoveryPhoneRow;

/** Who asks for a change: the session's device and how the account knows it. */
export interface Asker {
  readonly deviceId: string | null;
  readonly standing: DeviceStanding;
}

/** What the address or number that stops being the channel (removed or replaced) is told with. */
export interface OldChannelNotice<Row> {
  readonly account: AccountRow;
  /** The row that stops being the channel. */
  readonly old: Row;
  /** When, from which device, from where: in the account's language and time zone. */
  readonly details: ReturnType<typeof changeDetails>;
  readonly client: ClientInfo;
  readonly now: number;
}

/** The same, once the change has its event: "Das war ich nicht" for a message to the old row. */
export interface OldChannelEventNotice<Row> extends OldChannelNotice<Row> {
  readonly undo: UndoRequest;
}

/** What makes the recovery email and the recovery phone differ in the steps they share. */
export interface ChannelSpec<Row extends ChannelRow, Shown> {
  /** The channel of its held changes (recovery/hold/channel-hold-service.ts) and of the owner's repair. */
  readonly channel: HeldChannel;
  /** The one-time secret (link or code) that confirms a pending row. */
  readonly purpose: 'recovery-email-confirmation' | 'recovery-phone-confirmation';
  readonly repository: Omit<ChannelRepository<Row>, 'markSent'>;
  /** The answer when the link or code no longer matches its row. */
  readonly deadSecret: 'invalid-or-expired' | 'code-expired';
  /** The security-log prefix of the setup's own events (`.setup_requested`, `.setup_cancelled`). */
  readonly log: 'recovery_email' | 'recovery_phone';
  /** The catalogue's notices of an addition, a change and a removal (the `account` audience). */
  readonly notices: { readonly added: string; readonly changed: string; readonly removed: string };
  /** How long a link or code lives, and the resend cooldown: the profile's view of a pending row. */
  readonly secretLifetimeMs: number;
  readonly resendCooldownMs: number;
  /** The row as people see it: the address, or the masked number. */
  describe(row: Row): string;
  /** The row as the profile's view shows it. */
  shown(row: Row): Shown;
  /** The row's params in a change notice, and the row it replaced (if any). */
  noticeParams(row: Row, previous: Row | undefined): MessageParams;
  /** The same for the security log (never a secret; a number masked). */
  logDetails(row: Row, previous: Row | undefined): Readonly<Record<string, string>>;
  /** What an undo of a change needs: the row active before it (or none). */
  restoreOf(previous: Row | undefined): UndoRestore;
  /** How the row that stops being the channel is told (each at its own moment, in the change's transaction). */
  readonly tellOld: {
    /** Replaced: right after the old row is removed, before the new one is active (an SMS without a link needs no event). */
    replacedBeforeActivation?(trx: Executor, notice: OldChannelNotice<Row>): Promise<unknown>;
    /** Replaced by `replacement`: after the change's notice, with its "Das war ich nicht". */
    replaced?(trx: Executor, notice: OldChannelEventNotice<Row> & { readonly replacement: Row }): Promise<unknown>;
    /** Removed: after the removal's notice, with its params and "Das war ich nicht". */
    removed(trx: Executor, notice: OldChannelEventNotice<Row> & { readonly params: MessageParams }): Promise<unknown>;
  };
}

/** The profile's view of a channel; `Shown` names a row (`{address}` or `{masked}`). */
export type ChannelView<Shown> = Partial<Shown> & {
  readonly status: 'none' | 'pending' | 'active';
  readonly pending?: Shown & { readonly expiresAt: string; readonly resendAvailableAt: string };
  /** A removal held for 72 hours: when it takes effect. */
  readonly removalAt?: string;
  /** A confirmed replacement held for 72 hours: the new one and when it becomes the active one. */
  readonly replacement?: Shown & { readonly effectiveAt: string };
  /** A confirmed first address or number held for 72 hours (set up from a new device): when it becomes the active one. */
  readonly addition?: Shown & { readonly effectiveAt: string };
  /** The active one is not settled yet (recovery/channel-trust.ts): from when "Passwort vergessen?" reaches it. */
  readonly usableFrom?: string;
};

/**
 * The steps the recovery email and the recovery phone take alike (docs/architecture.md
 * "Recovery email", "The 72-hour hold"): reading the rows for an event under the account's lock
 * (recovery/channel-state.ts), a new pending row, confirming at once or holding it, activating,
 * removing (at once or held), cancelling a setup, applying due held changes, and the profile's
 * view. Every change writes its security-log row and notices in the transaction that makes it;
 * `spec` says what is the channel's own.
 */
export function createChannelChange<Row extends ChannelRow, Shown>(deps: ChannelDeps & { readonly hold?: ChannelHoldService }, spec: ChannelSpec<Row, Shown>) {
  const { database, clock, hold } = deps;
  const { repository } = spec;
  const kindOf = (change: 'add' | 'remove' | 'replace'): HeldChangeKind => `recovery-${spec.channel}-${change}`;

  /**
   * Reads the rows for `event` inside the caller's transaction: on PostgreSQL the account row is
   * locked first (FOR NO KEY UPDATE: a confirm that holds its code's row and inserts rows
   * referencing the account needs KEY SHARE on it, which FOR UPDATE would block into a
   * deadlock), so two requests of one account (a double-clicked "erneut senden") change the
   * channel one after the other; then the event must be allowed in the state the rows are in,
   * or the answer is 404 and nothing is written.
   */
  async function load(trx: Executor, accountId: string, event: RecoveryChannelEvent): Promise<ChannelRowSet<Row>> {
    if (database.dialect === 'postgres') await deps.accounts.findByIdForUpdate(trx, accountId, true);
    const rows = await repository.rows(trx, accountId);
    requireEvent(rows, event);
    return rows;
  }

  /**
   * The session's device and how the account knows it: a `new` device's changes wait 72 hours,
   * a `first` device's channels count as the owner's at once. Reads outside any transaction.
   */
  const askerOf = async (auth: AuthenticatedSession): Promise<Asker> => ({
    deviceId: auth.session.device_id,
    standing: hold ? await hold.standingOf(database.db, auth.session) : 'known',
  });

  /**
   * When a row becoming active now counts as the owner's (the hold knows the devices; without
   * it, 7 days after). `confirming`: the session that typed a phone's code, if any.
   */
  async function settledAtOf(trx: Executor, accountId: string, row: Row, now: number, confirming: DeviceStanding | undefined): Promise<number> {
    return hold ? hold.settledAt(trx, { accountId, row, now, ...(confirming ? { confirming } : {}) }) : settledAtFor(now, undefined);
  }

  /**
   * The new row becomes the active one, the old one (if any) goes and is told; the emails hear
   * of it with "Das war ich nicht". A change held for the channel ends: this one replaces it.
   */
  async function activate(
    trx: Executor,
    account: AccountRow,
    input: { row: Row; active: Row | undefined; from: 'pending' | 'held'; client: ClientInfo; confirming?: DeviceStanding },
  ): Promise<Row> {
    const { active, client } = input;
    const now = clock.now();
    const details = changeDetails(deps.translator, account, client, now);
    if (active) {
      await repository.remove(trx, account.id, 'active');
      await spec.tellOld.replacedBeforeActivation?.(trx, { account, old: active, details, client, now });
    }
    const activated = await repository.activate(trx, input.row.id, now, input.from, await settledAtOf(trx, account.id, input.row, now, input.confirming));
    if (!activated) throw new LifelineError(spec.deadSecret);
    if (input.from === 'pending') await hold?.supersede(trx, account.id, spec.channel);
    // "Das war ich nicht" puts the row before this change back (or none) and drops this one.
    const undo = { restore: spec.restoreOf(active) };
    const params = { ...details, ...spec.noticeParams(activated, active) };
    const { securityEventId } = await deps.notifier.notify(trx, {
      // The event's time is the confirmation's: its undo counts this row as the event's own.
      at: now,
      kind: active ? spec.notices.changed : spec.notices.added,
      locale: localeOf(account),
      accountId: account.id,
      params,
      origin: client,
      details: spec.logDetails(activated, active),
      undo,
    });
    if (active) {
      const oldUndo = undoForOld(undo, securityEventId, active, now);
      await spec.tellOld.replaced?.(trx, { account, old: active, replacement: activated, details, client, now, undo: oldUndo });
    }
    return activated;
  }

  /** Removes the active row (and a pending one, and any change waiting for it) and tells both; answers the removed row, if there was one. */
  async function removeActive(trx: Executor, account: AccountRow, client: ClientInfo): Promise<Row | undefined> {
    const now = clock.now();
    await deps.verification.invalidate(trx, account.id, [spec.purpose]); // secrets before rows (see replacePending)
    const removed = await repository.remove(trx, account.id, 'active');
    await repository.remove(trx, account.id, 'pending');
    await hold?.supersede(trx, account.id, spec.channel);
    if (!removed) return undefined;
    const details = changeDetails(deps.translator, account, client, now);
    const params = { ...details, ...spec.noticeParams(removed, undefined) };
    const undo = { restore: spec.restoreOf(removed) };
    const { securityEventId } = await deps.notifier.notify(trx, {
      kind: spec.notices.removed,
      locale: localeOf(account),
      accountId: account.id,
      params,
      origin: client,
      details: spec.logDetails(removed, undefined),
      undo,
    });
    await spec.tellOld.removed(trx, { account, old: removed, details, params, client, now, undo: undoForOld(undo, securityEventId, removed, now) });
    return removed;
  }

  /** Housekeeping: the held row becomes the active one, told as a confirmation is; gone meanwhile: nothing. */
  async function activateHeld(trx: Executor, account: AccountRow, requestedBy: ClientInfo): Promise<void> {
    const { active, held } = await repository.rows(trx, account.id);
    if (held) await activate(trx, account, { row: held, active, from: 'held', client: requestedBy });
  }

  return {
    load,
    askerOf,

    /**
     * A new pending row for `own` (the address or number) replaces the old one (whose link or
     * code dies), `send` sends its link or code, and the security log records the request
     * (`details` first, then whether it is held). Runs under the account's lock (`load(…, 'set-up')`).
     */
    async replacePending(
      trx: Executor,
      account: AccountRow,
      own: Omit<NewPendingRow<Row>, 'id' | 'account_id' | 'created_at' | 'last_sent_at' | 'requested_device_id'>,
      input: {
        client: ClientInfo;
        asker: Asker;
        details: Readonly<Record<string, string | boolean>>;
        send: (trx: Executor, pending: NewPendingRow<Row>) => Promise<void>;
      },
    ): Promise<void> {
      const now = clock.now();
      const row = { id: newId(), account_id: account.id, ...own, created_at: now, last_sent_at: now, requested_device_id: input.asker.deviceId };
      // What `own` leaves out is exactly what is added here (TypeScript cannot see it through the generic row).
      const pending = row as unknown as NewPendingRow<Row>;
      // Lock order on PostgreSQL: account, then secrets, then the channel's rows (confirm holds a
      // secret and then writes rows; the other order would deadlock with it).
      await deps.verification.invalidate(trx, account.id, [spec.purpose]);
      await repository.remove(trx, account.id, 'pending');
      await repository.insertPending(trx, pending);
      await input.send(trx, pending);
      await deps.securityLog.record(trx, {
        accountId: account.id,
        type: `${spec.log}.setup_requested`,
        origin: input.client,
        details: { ...input.details, ...(input.asker.standing === 'new' ? { held: true } : {}) },
      });
    },

    /**
     * The right link or code for `rows.pending` (in its redemption's transaction): the row
     * becomes active, or, set up (for the phone also confirmed) from a new device, it is
     * confirmed but waits 72 hours, and every channel gets a link that cancels it. The hold's
     * notices name `requester`, who asked for the change; the activation's, `client`.
     */
    async confirmPending(
      trx: Executor,
      account: AccountRow,
      rows: { readonly active: Row | undefined; readonly pending: Row },
      input: { client: ClientInfo; requester: ClientInfo; confirming?: DeviceStanding },
    ): Promise<{ row: Row; effectiveAt?: number }> {
      const { active, pending } = rows;
      // An addition is held too: an address or number an intruder adds must not work for a reset before the owner has read the notice.
      if ((pending.hold_requested === 1 || input.confirming === 'new') && hold) {
        const effectiveAt = await hold.hold(trx, { account, kind: kindOf(active ? 'replace' : 'add'), what: spec.describe(pending), client: input.requester });
        const held = await repository.markHeld(trx, pending.id);
        if (!held) throw new LifelineError(spec.deadSecret);
        return { row: held, effectiveAt };
      }
      const confirming = input.confirming ? { confirming: input.confirming } : {};
      return { row: await activate(trx, account, { row: pending, active, from: 'pending', client: input.client, ...confirming }) };
    },

    /** The operations both services offer as they are (their interfaces say what each does). */
    operations: {
      /** "abbrechen": the pending row and its link or code go; an active row is untouched. */
      cancel: async (auth: AuthenticatedSession, client: ClientInfo): Promise<void> => {
        await inTransaction(database, async (trx) => {
          await load(trx, auth.account.id, 'cancel');
          // Lock order on PostgreSQL: account, secrets, rows (confirm holds the link's secret, then writes rows).
          await deps.verification.invalidate(trx, auth.account.id, [spec.purpose]);
          await repository.remove(trx, auth.account.id, 'pending');
          await deps.securityLog.record(trx, { accountId: auth.account.id, type: `${spec.log}.setup_cancelled`, origin: client });
        });
      },

      /**
       * Removes the active row. From a session on a new device it is held for 72 hours: the answer
       * names when, every channel can cancel it, the worker applies it. Made at once, it also ends
       * the sessions of the device that had set the row up, if that was another one
       * (recovery/owner-repair.ts).
       */
      remove: async (auth: AuthenticatedSession, client: ClientInfo): Promise<{ effectiveAt?: number }> => {
        const asker = await askerOf(auth);
        return inTransaction(database, async (trx) => {
          const { active } = await load(trx, auth.account.id, 'remove');
          if (!active) throw new LifelineError('not-found');
          // Only a settled row is held: one that is not settled is no way in yet (forgot
          // password takes settled channels only), so removing it at once strips the owner of
          // nothing — and an intruder cannot cancel the owner's removal of his address or number.
          if (asker.standing === 'new' && hold && isSettledAt(active, clock.now())) {
            return { effectiveAt: await hold.hold(trx, { account: auth.account, kind: kindOf('remove'), what: spec.describe(active), client }) };
          }
          const removed = await removeActive(trx, auth.account, client);
          if (!removed) throw new LifelineError('not-found');
          // The owner's repair sticks, unless the remover is new here itself (then it may be the intruder).
          if (asker.standing !== 'new') {
            await endSessionsOfAddingDevice(trx, deps, {
              accountId: auth.account.id,
              addedByDevice: removed.requested_device_id,
              remover: auth.session,
              client,
              channel: spec.channel,
            });
          }
          return {};
        });
      },

      /** Housekeeping: the held removals, replacements and additions whose 72 hours are over. */
      applyHeldChanges: async (): Promise<number> => {
        if (!hold) return 0;
        // Already removed meanwhile: nothing to do (removeActive answers undefined).
        const removed = await hold.applyDue(kindOf('remove'), async (trx, account, requestedBy) => {
          await removeActive(trx, account, requestedBy);
        });
        const replaced = await hold.applyDue(kindOf('replace'), activateHeld);
        const added = await hold.applyDue(kindOf('add'), activateHeld);
        return removed + replaced + added;
      },

      /** The profile's view: the active row, a pending one, and what waits out a hold. */
      view: async (accountId: string): Promise<ChannelView<Shown>> => {
        const { active, pending, held } = await repository.rows(database.db, accountId);
        const { removalAt, activationAt } = hold ? await hold.when(database.db, accountId, spec.channel) : {};
        const heldRow = held && activationAt ? { ...spec.shown(held), effectiveAt: activationAt } : undefined;
        const heldViews = {
          ...(active && removalAt ? { removalAt } : {}),
          ...(heldRow ? (active ? { replacement: heldRow } : { addition: heldRow }) : {}),
        };
        const sentAt = pending ? (pending.last_sent_at ?? pending.created_at) : 0;
        const pendingView = pending
          ? {
              ...spec.shown(pending),
              expiresAt: new Date(sentAt + spec.secretLifetimeMs).toISOString(),
              resendAvailableAt: new Date(sentAt + spec.resendCooldownMs).toISOString(),
            }
          : undefined;
        const usableFrom = active?.settled_at != null && active.settled_at > clock.now() ? { usableFrom: new Date(active.settled_at).toISOString() } : {};
        if (active) return { status: 'active', ...spec.shown(active), ...usableFrom, ...(pendingView ? { pending: pendingView } : {}), ...heldViews };
        // Without an active row the view names none (TypeScript cannot see `{}` as a Partial of the generic Shown).
        if (pendingView) return { status: 'pending', pending: pendingView, ...heldViews } as ChannelView<Shown>;
        return { status: 'none', ...heldViews } as ChannelView<Shown>;
      },
    },
  };
}

/**
 * "Das war ich nicht" in a message to the row that stops being the channel: it undoes the
 * change's event, and carries the recovery role only if that row had been active long enough
 * before `at` (docs/security.md: 7 days, from the first device too; a restored address counts
 * from its restoration) — an attacker's freshly added one must not undo its removal.
 */
function undoForOld(undo: UndoRequest, eventId: string | null, old: Pick<ChannelRow, 'confirmed_at'>, at: number): UndoRequest {
  const settled = old.confirmed_at !== null && old.confirmed_at <= at - UNDO_MIN_ADDRESS_AGE_MS;
  return { ...undo, ...(eventId ? { eventId } : {}), ...(settled ? { role: 'recovery' as const } : {}) };
}
