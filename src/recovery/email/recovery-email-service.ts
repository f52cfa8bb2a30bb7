import type { Clock } from '../../core/clock.js';
import { DAY, MINUTE } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import { newId } from '../../core/random.js';
import type { Database, Executor } from '../../db/database.js';
import type { AccountRow, RecoveryEmailRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import type { Translator } from '../../i18n/translator.js';
import { parseEmail } from '../../accounts/signup-service.js';
import { comparableEmail } from '../../contract/email-address.js';
import { UNDO_MIN_ADDRESS_AGE_MS, type Notifier, type UndoRestore } from '../../notifications/notifier.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import { clientBucketKey } from '../../security/client-address.js';
import type { RateLimits } from '../../security/rate-limits.js';
import type { AuthenticatedSession, ClientInfo, SessionService } from '../../sessions/session-service.js';
import type { DeviceStanding } from '../../sessions/device-registry.js';
import { isSettledAt, settledAtFor } from '../channel-trust.js';
import { endSessionsOfAddingDevice } from '../owner-repair.js';
import type { OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import type { ChannelHold } from '../hold/channel-hold.js';
import { createRecoveryEmailRepository } from './recovery-email-repository.js';
import { enforceCooldown, loadForEvent, type RecoveryChannelEvent } from '../channel-state.js';
import { changeDetails, localeOf } from '../notice-context.js';

/** "erneut senden" at most once a minute. */
export const RESEND_COOLDOWN_MS = MINUTE;
/** The link lives as long as the purpose allows (24 h: people set this up and read the mail later). */
const LINK_LIFETIME_MS = DAY;
const PURPOSE = 'recovery-email-confirmation' as const;

export interface RecoveryEmailView {
  readonly status: 'none' | 'pending' | 'active';
  readonly address?: string;
  readonly pending?: { readonly address: string; readonly expiresAt: string; readonly resendAvailableAt: string };
  /** A removal held for 72 hours: when it takes effect. */
  readonly removalAt?: string;
  /** A confirmed replacement held for 72 hours: the new address and when it becomes the active one. */
  readonly replacement?: { readonly address: string; readonly effectiveAt: string };
  /** A confirmed first address held for 72 hours (set up from a new device): when it becomes the active one. */
  readonly addition?: { readonly address: string; readonly effectiveAt: string };
  /** The active address is not settled yet (recovery/channel-trust.ts): from when "Passwort vergessen?" reaches it. */
  readonly usableFrom?: string;
}

/**
 * The recovery e-mail (docs/reference/product.md §2 and the seed's first part): set up with the password (or in
 * the privileged window, checked by the route), confirmed by a link that only the new address
 * gets, changed with the old address active until the new one is confirmed, removed with the
 * removed address and the login e-mail told. Transitions follow state.ts; every change writes
 * its security-log row and notices in the transaction that makes it.
 */
export function createRecoveryEmailService(deps: {
  database: Database;
  clock: Clock;
  verification: OneTimeSecretService;
  notifier: Notifier;
  securityLog: SecurityLog;
  translator: Translator;
  rateLimits: RateLimits;
  /** Ends the sessions of a device whose channel the owner removed (recovery/owner-repair.ts). */
  sessions: Pick<SessionService, 'revokeDevice'>;
  /** The 72-hour hold (absent: every change is at once). */
  hold?: ChannelHold;
}) {
  const { database, clock } = deps;
  const repository = createRecoveryEmailRepository();

  /** Reads the rows (locking the account on PostgreSQL) and checks that `event` is allowed. */
  const load = (trx: Executor, accountId: string, event: RecoveryChannelEvent) =>
    loadForEvent(trx, { dialect: database.dialect, accountId, event, rows: (db, id) => repository.rows(db, id) });

  /** Sends are capped per account, per recipient and per client: 5 an hour each (429). */
  async function limitSends(accountId: string, normalized: string, ip: string): Promise<void> {
    await deps.rateLimits.enforce('recovery-email-account', accountId);
    await deps.rateLimits.enforce('recovery-email-address', normalized);
    await deps.rateLimits.enforce('recovery-email-client', clientBucketKey(ip));
  }

  /**
   * A fresh link (the previous one dies) to the pending address, and only there. `held`: a
   * session on a new device sent it, so the confirmed address will wait 72 hours; the
   * mark is on the row, since whoever opens the link has no session.
   */
  async function sendLink(
    trx: Executor,
    account: AccountRow,
    pending: Pick<RecoveryEmailRow, 'id' | 'address' | 'address_normalized'>,
    origin: ClientInfo,
    by: Asker,
  ): Promise<void> {
    const link = await deps.verification.issue(trx, {
      purpose: PURPOSE,
      accountId: account.id,
      target: pending.address_normalized,
      data: { recoveryEmailId: pending.id },
    });
    await deps.notifier.notify(trx, {
      kind: 'recovery.email-confirmation',
      locale: localeOf(account),
      to: pending.address,
      accountId: account.id,
      params: { token: link.secret },
      origin,
    });
    await repository.markSent(trx, pending.id, clock.now(), by.standing === 'new', origin, by.deviceId);
  }

  /** "erneut senden" at most once a minute: a time on the row, so it follows the clock and restarts. */
  const cooldown = (pending: Pick<RecoveryEmailRow, 'last_sent_at'>) => enforceCooldown(pending.last_sent_at, RESEND_COOLDOWN_MS, clock.now());

  const details = (account: AccountRow, client: ClientInfo, at: number) => changeDetails(deps.translator, account, client, at);

  /**
   * The session's device and how the account knows it: a `new` device's changes wait 72 hours,
   * a `first` device's channels count as the owner's at once. Reads outside any transaction.
   */
  const askerOf = async (auth: AuthenticatedSession): Promise<Asker> => ({
    deviceId: auth.session.device_id,
    standing: deps.hold ? await deps.hold.standingOf(database.db, auth.session) : 'known',
  });

  /** When a row becoming active now counts as the owner's (the hold knows the devices; without it, 7 days after). */
  const settledAtOf = async (trx: Executor, accountId: string, row: RecoveryEmailRow, now: number): Promise<number> =>
    deps.hold ? deps.hold.settledAt(trx, { accountId, row, now }) : settledAtFor(now, undefined);

  /**
   * The new address becomes the active one, the old one (if any) goes and is told; the login
   * e-mail (and the new address) hear of it with "Das war ich nicht". A change held for the
   * channel ends: this one replaces it.
   */
  async function activate(
    trx: Executor,
    account: AccountRow,
    input: { row: RecoveryEmailRow; active: RecoveryEmailRow | undefined; from: 'pending' | 'held'; client: ClientInfo },
  ): Promise<RecoveryEmailRow> {
    const { active, client } = input;
    const now = clock.now();
    if (active) await repository.remove(trx, account.id, 'active');
    const activated = await repository.activate(trx, input.row.id, now, input.from, await settledAtOf(trx, account.id, input.row, now));
    if (!activated) throw new LifelineError('invalid-or-expired');
    if (input.from === 'pending') await deps.hold?.supersede(trx, account.id, 'email');
    // "Das war ich nicht" puts the address before this change back (or none) and drops this one.
    const undo = { restore: restoreOf(active) };
    const { securityEventId } = await deps.notifier.notify(trx, {
      // The event's time is the confirmation's: its undo counts this address as the event's own.
      at: now,
      kind: active ? 'recovery.email-changed' : 'recovery.email-added',
      locale: localeOf(account),
      accountId: account.id,
      params: { ...details(account, client, now), address: activated.address },
      origin: client,
      details: { address: activated.address, ...(active ? { previousAddress: active.address } : {}) },
      undo,
    });
    if (active) {
      await deps.notifier.notify(trx, {
        at: now,
        kind: 'recovery.email-replaced',
        locale: localeOf(account),
        to: active.address,
        accountId: account.id,
        params: { ...details(account, client, now), newAddress: activated.address },
        origin: client,
        undo: { ...undo, ...(securityEventId ? { eventId: securityEventId } : {}), ...(settled(active, now) ? { role: 'recovery' as const } : {}) },
      });
    }
    return activated;
  }

  /** Removes the active address (and a pending one, and any change waiting for it) and tells both; answers the removed row, if there was one. */
  async function removeActive(trx: Executor, account: AccountRow, client: ClientInfo): Promise<RecoveryEmailRow | undefined> {
    const now = clock.now();
    await deps.verification.invalidate(trx, account.id, [PURPOSE]); // secrets before rows (see cancel)
    const removed = await repository.remove(trx, account.id, 'active');
    await repository.remove(trx, account.id, 'pending');
    await deps.hold?.supersede(trx, account.id, 'email');
    if (!removed) return undefined;
    const params = { ...details(account, client, now), address: removed.address };
    const undo = { restore: restoreOf(removed) };
    const { securityEventId } = await deps.notifier.notify(trx, {
      kind: 'recovery.email-removed',
      locale: localeOf(account),
      accountId: account.id,
      params,
      origin: client,
      details: { address: removed.address },
      undo,
    });
    // The removed address gets the link only if it had been active 7 days: an attacker's freshly added one must not undo its removal.
    await deps.notifier.notify(trx, {
      kind: 'recovery.email-removed-notice',
      locale: localeOf(account),
      to: removed.address,
      accountId: account.id,
      params,
      origin: client,
      undo: { ...undo, ...(securityEventId ? { eventId: securityEventId } : {}), ...(settled(removed, now) ? { role: 'recovery' as const } : {}) },
    });
    return removed;
  }

  return {
    async view(accountId: string): Promise<RecoveryEmailView> {
      const { active, pending, held } = await repository.rows(database.db, accountId);
      const { removalAt, activationAt } = deps.hold ? await deps.hold.when(database.db, accountId, 'email') : {};
      const heldRow = held && activationAt ? { address: held.address, effectiveAt: activationAt } : undefined;
      const heldViews = {
        ...(active && removalAt ? { removalAt } : {}),
        ...(heldRow ? (active ? { replacement: heldRow } : { addition: heldRow }) : {}),
      };
      const pendingView = pending
        ? {
            address: pending.address,
            expiresAt: new Date((pending.last_sent_at ?? pending.created_at) + LINK_LIFETIME_MS).toISOString(),
            resendAvailableAt: new Date((pending.last_sent_at ?? pending.created_at) + RESEND_COOLDOWN_MS).toISOString(),
          }
        : undefined;
      const usableFrom = active?.settled_at != null && active.settled_at > clock.now() ? { usableFrom: new Date(active.settled_at).toISOString() } : {};
      if (active) return { status: 'active', address: active.address, ...usableFrom, ...(pendingView ? { pending: pendingView } : {}), ...heldViews };
      if (pendingView) return { status: 'pending', pending: pendingView, ...heldViews };
      return { status: 'none', ...heldViews };
    },

    /**
     * Set up or change: the address is validated and normalised like the login e-mail and must
     * differ from it (422 `same-as-login-email`: access to both may be lost together). A
     * pending setup is replaced, its link dies.
     */
    async setUp(auth: AuthenticatedSession, input: { address: string; client: ClientInfo }): Promise<void> {
      const { email, normalized } = parseEmail(input.address, 'address');
      const account = auth.account;
      if (account.email_verified_at === null) throw new LifelineError('email-not-verified');
      if (comparableEmail(normalized) === comparableEmail(account.email_normalized)) throw new LifelineError('same-as-login-email');
      await limitSends(account.id, normalized, input.client.ip);
      const asker = await askerOf(auth);
      await inTransaction(database, async (trx) => {
        const now = clock.now();
        const { active } = await load(trx, account.id, 'set-up');
        if (active?.address_normalized === normalized) throw new LifelineError('already-recovery-email');
        await deps.verification.invalidate(trx, account.id, [PURPOSE]); // secrets before rows (see cancel)
        await repository.remove(trx, account.id, 'pending');
        const pending = {
          id: newId(),
          account_id: account.id,
          address: email,
          address_normalized: normalized,
          created_at: now,
          last_sent_at: now,
          requested_device_id: asker.deviceId,
        };
        await repository.insertPending(trx, pending);
        await sendLink(trx, account, pending, input.client, asker);
        await deps.securityLog.record(trx, {
          accountId: account.id,
          type: 'recovery_email.setup_requested',
          origin: input.client,
          details: { change: active !== undefined, ...(asker.standing === 'new' ? { held: true } : {}) },
        });
      });
    },

    /** "erneut senden": at most once a minute, within the hourly caps. */
    async resend(auth: AuthenticatedSession, client: ClientInfo): Promise<void> {
      const { pending } = await repository.rows(database.db, auth.account.id);
      if (!pending) throw new LifelineError('not-found');
      cooldown(pending);
      await limitSends(auth.account.id, pending.address_normalized, client.ip);
      const asker = await askerOf(auth);
      await inTransaction(database, async (trx) => {
        const rows = await load(trx, auth.account.id, 'resend');
        if (!rows.pending) throw new LifelineError('not-found');
        // Again under the account's lock: of two parallel clicks only one sends.
        cooldown(rows.pending);
        // A held setup stays held whoever sends again (the mark is on the row); a new device's session marks it now.
        await sendLink(trx, auth.account, rows.pending, client, asker);
      });
    },

    /**
     * The link's POST (no session needed: the link may be opened on another device; the token is
     * the proof). The pending address becomes active; an old active one is replaced and told.
     * An address set up from a new device (an addition or a replacement) is confirmed but waits
     * 72 hours: the answer says when; every channel got a link that cancels it.
     */
    async confirm(token: string, client: ClientInfo): Promise<{ address: string; effectiveAt?: number }> {
      // The account first (PostgreSQL lock order): the hold's rows are written under it everywhere.
      return deps.verification.redeemLink({ purpose: PURPOSE, token, lockAccountFirst: true }, async (trx, secret) => {
        const account = await trx.selectFrom('accounts').selectAll().where('id', '=', secret.accountId).executeTakeFirst();
        const { active, pending } = await repository.rows(trx, secret.accountId);
        // The link belongs to exactly this pending address: a replaced or cancelled setup's link is dead.
        if (!account || !pending || pending.id !== secret.data.recoveryEmailId || pending.address_normalized !== secret.target) {
          throw new LifelineError('invalid-or-expired');
        }
        // An addition is held too: an address an intruder adds must not work for a reset before the owner has read the notice.
        if (pending.hold_requested === 1 && deps.hold) {
          // The hold's notices name who asked for the change, not whoever opened the link.
          const requester = pending.requested_ip === null ? client : { ip: pending.requested_ip, userAgent: pending.requested_user_agent };
          const effectiveAt = await deps.hold.hold(trx, {
            account,
            kind: active ? 'recovery-email-replace' : 'recovery-email-add',
            what: pending.address,
            client: requester,
          });
          if (!(await repository.markHeld(trx, pending.id))) throw new LifelineError('invalid-or-expired');
          return { address: pending.address, effectiveAt };
        }
        const activated = await activate(trx, account, { row: pending, active, from: 'pending', client });
        return { address: activated.address };
      });
    },

    /** "abbrechen": the pending address and its link go; an active address is untouched. */
    async cancel(auth: AuthenticatedSession, client: ClientInfo): Promise<void> {
      await inTransaction(database, async (trx) => {
        await load(trx, auth.account.id, 'cancel');
        // Lock order on PostgreSQL: account, secrets, rows (confirm holds the link's secret, then writes rows).
        await deps.verification.invalidate(trx, auth.account.id, [PURPOSE]);
        await repository.remove(trx, auth.account.id, 'pending');
        await deps.securityLog.record(trx, { accountId: auth.account.id, type: 'recovery_email.setup_cancelled', origin: client });
      });
    },

    /**
     * "Verwalten → entfernen" (privileged window, checked by the route). From a session on a new
     * device it is held for 72 hours: the answer names when, every channel can cancel it, the
     * worker applies it. Made at once, it also ends the sessions of the device that had set the
     * address up, if that was another one (recovery/owner-repair.ts).
     */
    async remove(auth: AuthenticatedSession, client: ClientInfo): Promise<{ effectiveAt?: number }> {
      const asker = await askerOf(auth);
      return inTransaction(database, async (trx) => {
        const { active } = await load(trx, auth.account.id, 'remove');
        if (!active) throw new LifelineError('not-found');
        // Only a settled address is held: one that is not settled is no way in yet (forgot
        // password takes settled channels only), so removing it at once strips the owner of
        // nothing — and an intruder cannot cancel the owner's removal of his address.
        if (asker.standing === 'new' && deps.hold && isSettledAt(active, clock.now())) {
          return { effectiveAt: await deps.hold.hold(trx, { account: auth.account, kind: 'recovery-email-remove', what: active.address, client }) };
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
            channel: 'email',
          });
        }
        return {};
      });
    },

    /** Housekeeping: the held removals and replacements whose 72 hours are over. */
    async applyHeldChanges(): Promise<number> {
      if (!deps.hold) return 0;
      // Already removed meanwhile: nothing to do (removeActive answers false).
      const removed = await deps.hold.applyDue('recovery-email-remove', async (trx, account, requestedBy) => {
        await removeActive(trx, account, requestedBy);
      });
      // The held address becomes the active one, told as a confirmation is; gone meanwhile: nothing.
      const activateHeld = async (trx: Executor, account: AccountRow, requestedBy: ClientInfo) => {
        const { active, held } = await repository.rows(trx, account.id);
        if (held) await activate(trx, account, { row: held, active, from: 'held', client: requestedBy });
      };
      const replaced = await deps.hold.applyDue('recovery-email-replace', activateHeld);
      const added = await deps.hold.applyDue('recovery-email-add', activateHeld);
      return removed + replaced + added;
    },

    /**
     * The login e-mail was changed to an address that is also the recovery address (or is being
     * set up as one): the recovery address goes, and is told, since access to both would be lost
     * together. Runs in the login-e-mail change's transaction.
     */
    async onLoginEmailChanged(trx: Executor, account: AccountRow, newNormalized: string, client: ClientInfo): Promise<void> {
      const { active, pending, held } = await repository.rows(trx, account.id);
      if (pending?.address_normalized === newNormalized) {
        await repository.remove(trx, account.id, 'pending');
        await deps.verification.invalidate(trx, account.id, [PURPOSE]);
      }
      // A held replacement by this address would make it both: it ends.
      if (held?.address_normalized === newNormalized) await deps.hold?.supersede(trx, account.id, 'email');
      if (active?.address_normalized === newNormalized) {
        await repository.remove(trx, account.id, 'active');
        // What waited for the removed address (a removal, a replacement) ends with it: no address
        // appears 72 hours later that the profile no longer shows.
        await deps.hold?.supersede(trx, account.id, 'email');
        const params = { ...details(account, client, clock.now()), address: active.address };
        await deps.notifier.notify(trx, {
          kind: 'recovery.email-removed-notice',
          locale: localeOf(account),
          to: active.address,
          accountId: account.id,
          params,
          origin: client,
        });
        await deps.securityLog.record(trx, {
          accountId: account.id,
          type: 'recovery_email.removed',
          origin: client,
          details: { reason: 'became-login-email' },
        });
      }
    },
  };
}

/** Who asks for a change: the session's device and how the account knows it. */
interface Asker {
  readonly deviceId: string | null;
  readonly standing: DeviceStanding;
}

/** What an undo of a change needs: the address active before it (or none). */
function restoreOf(previous: RecoveryEmailRow | undefined): UndoRestore {
  return previous
    ? { previousAddress: previous.address, previousConfirmedAt: previous.confirmed_at, previousSettledAt: previous.settled_at }
    : { previousAddress: null, previousConfirmedAt: null, previousSettledAt: null };
}

/**
 * Whether an address had been active long enough before `at` to be trusted with an undo link
 * (docs/security.md: 7 days, from the first device too; a restored address counts from its restoration).
 */
function settled(row: Pick<RecoveryEmailRow, 'confirmed_at'>, at: number): boolean {
  return row.confirmed_at !== null && row.confirmed_at <= at - UNDO_MIN_ADDRESS_AGE_MS;
}

export type RecoveryEmailService = ReturnType<typeof createRecoveryEmailService>;
