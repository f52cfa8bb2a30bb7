import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { MINUTE } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import { newId } from '../../core/random.js';
import type { Database, Executor } from '../../db/database.js';
import type { AccountRow, RecoveryPhoneRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import type { Translator } from '../../i18n/translator.js';
import type { Notifier, UndoRestore } from '../../notifications/notifier.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import type { SendPermit, SetupSend, SmsSendGuard } from '../../security/sms-send-guard.js';
import type { AuthenticatedSession, ClientInfo, SessionService } from '../../sessions/session-service.js';
import type { DeviceStanding } from '../../sessions/device-registry.js';
import { isSettledAt, settledAtFor } from '../channel-trust.js';
import { endSessionsOfAddingDevice } from '../owner-repair.js';
import { purposePolicies } from '../../one-time-secrets/purposes.js';
import type { OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import { cooldownSeconds, loadForEvent, type RecoveryChannelEvent } from '../channel-state.js';
import { changeDetails, localeOf } from '../notice-context.js';
import { maskNumber, parseRecoveryNumber, type NumberPolicy, type RecoveryNumber } from './phone-number.js';
import type { ChannelHold } from '../hold/channel-hold.js';
import { createRecoveryPhoneRepository } from './recovery-phone-repository.js';
import { createAccountRepository } from '../../accounts/account-repository.js';

/** "Code erneut senden" after 60 s. */
export const PHONE_RESEND_COOLDOWN_MS = MINUTE;
const PURPOSE = 'recovery-phone-confirmation' as const;
/** Metrics label of the codes this flow sends. */
const METRIC_PURPOSE = 'recovery-phone-setup';

export interface RecoveryPhoneView {
  readonly status: 'none' | 'pending' | 'active';
  readonly masked?: string;
  readonly pending?: { readonly masked: string; readonly expiresAt: string; readonly resendAvailableAt: string };
  /** A deactivation held for 72 hours: when it takes effect. */
  readonly removalAt?: string;
  /** A confirmed replacement held for 72 hours: the new number (masked) and when it becomes the active one. */
  readonly replacement?: { readonly masked: string; readonly effectiveAt: string };
  /** A confirmed first number held for 72 hours (set up from a new device): when it becomes the active one. */
  readonly addition?: { readonly masked: string; readonly effectiveAt: string };
  /** The active number is not settled yet (recovery/channel-trust.ts): from when "Passwort vergessen?" reaches it. */
  readonly usableFrom?: string;
}

/**
 * The recovery phone (docs/reference/product.md §3, the seed's second part): set up with the password (or in
 * the privileged window, checked by the route), confirmed by a 6-digit code that only the new
 * number gets, changed with the old number active until the new one is confirmed, deactivated
 * with the login and recovery e-mail and the old number told. Same states as the recovery
 * e-mail (channel-state.ts, phone/state.mmd); every send passes the caps against SMS pumping.
 */
export function createRecoveryPhoneService(deps: {
  database: Database;
  clock: Clock;
  verification: OneTimeSecretService;
  notifier: Notifier;
  securityLog: SecurityLog;
  translator: Translator;
  smsGuard: SmsSendGuard;
  metrics: Metrics;
  logger: Logger;
  config: { readonly sms: NumberPolicy };
  /** Ends the sessions of a device whose number the owner removed (recovery/owner-repair.ts). */
  sessions: Pick<SessionService, 'revokeDevice'>;
  /** The 72-hour hold (absent: every change is at once). */
  hold?: ChannelHold;
}) {
  const { database, clock } = deps;
  const repository = createRecoveryPhoneRepository();
  const accounts = createAccountRepository();
  const codeLifetimeMs = purposePolicies[PURPOSE].ttlMs;

  /** Reads the rows (locking the account on PostgreSQL) and checks that `event` is allowed. */
  const load = (trx: Executor, accountId: string, event: RecoveryChannelEvent) =>
    loadForEvent(trx, { dialect: database.dialect, accountId, event, rows: (db, id) => repository.rows(db, id) });

  /**
   * One code a minute per number, whichever path asks ("Code erneut senden", the same number
   * set up again, A-B-A, cancel and set up again) and whichever account: the time of the last
   * code to the number comes from the verification secrets, so it follows the injected clock and
   * holds across instances. Refusals are counted like every cap's.
   */
  async function cooldown(trx: Executor, accountId: string, target: { readonly e164: string; readonly country: string }): Promise<void> {
    const wait = cooldownSeconds((await deps.verification.lastIssuedTo(trx, PURPOSE, target.e164)) ?? null, PHONE_RESEND_COOLDOWN_MS, clock.now());
    if (wait !== undefined) throw deps.smsGuard.refusal('cooldown', target.country, accountId, wait);
  }

  /**
   * 10 wrong codes in an hour lock the phone setup for an hour: no new code is sent (it would
   * only cost an SMS), and a new code never restores tries.
   */
  async function enforceNotLocked(accountId: string, country: string): Promise<void> {
    const retryAfterSeconds = await deps.verification.lockedFor(accountId, PURPOSE);
    if (retryAfterSeconds !== undefined) throw deps.smsGuard.refusal('locked', country, accountId, retryAfterSeconds, 'too-many-attempts');
  }

  /**
   * Runs a send in a transaction: `prepare` reads and checks under the account's lock, then the
   * caps are taken (only now, so that a request refused by the checks, e.g. the second of two
   * parallel clicks, costs no cap), then `send` writes. If anything after the caps fails, their
   * points are given back.
   */
  async function sendInTransaction<T>(
    target: SetupSend,
    prepare: (trx: Executor) => Promise<T>,
    send: (trx: Executor, prepared: T) => Promise<void>,
  ): Promise<void> {
    let permit: SendPermit | undefined;
    try {
      await inTransaction(database, async (trx) => {
        const prepared = await prepare(trx);
        permit = await deps.smsGuard.allowSetupSend(target);
        await send(trx, prepared);
      });
    } catch (error) {
      await permit?.refund();
      throw error;
    }
    deps.metrics.smsCodesSent.inc({ country: target.country, purpose: METRIC_PURPOSE });
  }

  /**
   * How the account knows the session's device: a `new` device's changes wait 72 hours, a
   * `first` device's numbers count as the owner's at once. Reads outside any transaction.
   */
  const standingOf = async (auth: AuthenticatedSession): Promise<DeviceStanding> => (deps.hold ? deps.hold.standingOf(database.db, auth.session) : 'known');

  /**
   * When a number becoming active now counts as the owner's: at once only if the owner's first
   * device set it up and sent every code, and `confirming` (the session that typed the code, if
   * any) is that device too.
   */
  async function settledAtOf(trx: Executor, accountId: string, row: RecoveryPhoneRow, now: number, confirming: DeviceStanding | undefined): Promise<number> {
    return deps.hold ? deps.hold.settledAt(trx, { accountId, row, now, ...(confirming ? { confirming } : {}) }) : settledAtFor(now, undefined);
  }

  /**
   * A fresh code (the previous one dies) to the pending number, and only there. `held`: a
   * session on a new device sent it, so the confirmation waits 72 hours whichever session types
   * the code; the mark is on the row and stays when another session sends again.
   */
  async function sendCode(
    trx: Executor,
    account: AccountRow,
    pending: Pick<RecoveryPhoneRow, 'id' | 'number_e164'>,
    client: ClientInfo,
    by: { readonly deviceId: string | null; readonly standing: DeviceStanding },
  ): Promise<void> {
    const code = await deps.verification.issue(trx, {
      purpose: PURPOSE,
      accountId: account.id,
      target: pending.number_e164,
      data: { recoveryPhoneId: pending.id },
    });
    await deps.notifier.notify(trx, {
      kind: 'recovery.phone-code',
      locale: localeOf(account),
      to: pending.number_e164,
      accountId: account.id,
      params: { code: code.secret },
      origin: client,
      expiresAt: code.expiresAt,
    });
    await repository.markSent(trx, pending.id, clock.now(), by.standing === 'new', by.deviceId);
  }

  /** A short SMS without a link to a number that stops being the recovery phone, within the confirmed-number budget. */
  async function tellOldNumber(
    trx: Executor,
    account: AccountRow,
    old: RecoveryPhoneRow,
    kind: 'recovery.phone-replaced-sms' | 'recovery.phone-removed-sms',
    when: string,
  ): Promise<void> {
    if (!(await deps.smsGuard.allowConfirmedSend({ country: old.country, accountId: account.id }))) return;
    await deps.notifier.notify(trx, { kind, locale: localeOf(account), to: old.number_e164, accountId: account.id, params: { when } });
  }

  /**
   * The new number becomes the active one, the old one (if any) goes and is told by SMS; the
   * e-mails hear of it with "Das war ich nicht". A change held for the channel ends: this one
   * replaces it.
   */
  async function activate(
    trx: Executor,
    account: AccountRow,
    input: { row: RecoveryPhoneRow; active: RecoveryPhoneRow | undefined; from: 'pending' | 'held'; client: ClientInfo; confirming?: DeviceStanding },
  ): Promise<RecoveryPhoneRow> {
    const { active, client } = input;
    const now = clock.now();
    const details = changeDetails(deps.translator, account, client, now);
    if (active) {
      await repository.remove(trx, account.id, 'active');
      await tellOldNumber(trx, account, active, 'recovery.phone-replaced-sms', details.when);
    }
    const activated = await repository.activate(trx, input.row.id, now, input.from, await settledAtOf(trx, account.id, input.row, now, input.confirming));
    if (!activated) throw new LifelineError('code-expired');
    if (input.from === 'pending') await deps.hold?.supersede(trx, account.id, 'phone');
    await deps.notifier.notify(trx, {
      // The event's time is the confirmation's: its undo counts this number as the event's own.
      at: now,
      kind: active ? 'recovery.phone-changed' : 'recovery.phone-added',
      locale: localeOf(account),
      accountId: account.id,
      params: { ...details, number: maskNumber(activated.number_e164), ...(active ? { oldNumber: maskNumber(active.number_e164) } : {}) },
      origin: client,
      details: { number: maskNumber(activated.number_e164), ...(active ? { previousNumber: maskNumber(active.number_e164) } : {}) },
      // "Das war ich nicht" puts the number before this change back (or none).
      undo: { restore: phoneRestoreOf(active) },
    });
    return activated;
  }

  /** Deactivates the active number (and a pending one, and any change waiting for it), tells the e-mails and the old number; answers the removed row, if any. */
  async function removeActive(trx: Executor, account: AccountRow, client: ClientInfo): Promise<RecoveryPhoneRow | undefined> {
    const now = clock.now();
    await deps.verification.invalidate(trx, account.id, [PURPOSE]); // secrets before rows (see setUp)
    const removed = await repository.remove(trx, account.id, 'active');
    await repository.remove(trx, account.id, 'pending');
    await deps.hold?.supersede(trx, account.id, 'phone');
    if (!removed) return undefined;
    const details = changeDetails(deps.translator, account, client, now);
    await deps.notifier.notify(trx, {
      kind: 'recovery.phone-removed',
      locale: localeOf(account),
      accountId: account.id,
      params: { ...details, number: maskNumber(removed.number_e164) },
      origin: client,
      details: { number: maskNumber(removed.number_e164) },
      undo: { restore: phoneRestoreOf(removed) },
    });
    await tellOldNumber(trx, account, removed, 'recovery.phone-removed-sms', details.when);
    return removed;
  }

  return {
    async view(accountId: string): Promise<RecoveryPhoneView> {
      const { active, pending, held } = await repository.rows(database.db, accountId);
      const { removalAt, activationAt } = deps.hold ? await deps.hold.when(database.db, accountId, 'phone') : {};
      const heldRow = held && activationAt ? { masked: maskNumber(held.number_e164), effectiveAt: activationAt } : undefined;
      const heldViews = {
        ...(active && removalAt ? { removalAt } : {}),
        ...(heldRow ? (active ? { replacement: heldRow } : { addition: heldRow }) : {}),
      };
      const sentAt = pending ? (pending.last_sent_at ?? pending.created_at) : 0;
      const pendingView = pending
        ? {
            masked: maskNumber(pending.number_e164),
            expiresAt: new Date(sentAt + codeLifetimeMs).toISOString(),
            resendAvailableAt: new Date(sentAt + PHONE_RESEND_COOLDOWN_MS).toISOString(),
          }
        : undefined;
      const usableFrom = active?.settled_at != null && active.settled_at > clock.now() ? { usableFrom: new Date(active.settled_at).toISOString() } : {};
      if (active)
        return { status: 'active', masked: maskNumber(active.number_e164), ...usableFrom, ...(pendingView ? { pending: pendingView } : {}), ...heldViews };
      if (pendingView) return { status: 'pending', pending: pendingView, ...heldViews };
      return { status: 'none', ...heldViews };
    },

    /**
     * Set up or change: the number is parsed to E.164 and must be a mobile number of an allowed
     * country. A pending setup is replaced and its code dies. The code goes out only past the
     * caps against SMS pumping.
     */
    async setUp(auth: AuthenticatedSession, input: { number: string; country: string | undefined; client: ClientInfo }): Promise<{ masked: string }> {
      const account = auth.account;
      if (account.email_verified_at === null) throw new LifelineError('email-not-verified');
      const number: RecoveryNumber = parseRecoveryNumber(input.number, input.country, deps.config.sms);
      // Outside the transaction: on SQLite a read through database.db inside it would wait for itself.
      await enforceNotLocked(account.id, number.country);
      const asker = { deviceId: auth.session.device_id, standing: await standingOf(auth) };
      const target = { accountId: account.id, e164: number.e164, prefix: number.prefix, country: number.country, ip: input.client.ip };
      await sendInTransaction(
        target,
        async (trx) => {
          const rows = await load(trx, account.id, 'set-up');
          if (rows.active?.number_e164 === number.e164) throw new LifelineError('already-recovery-phone');
          // The same number again is "send again": the cooldown holds (per number, whichever path).
          await cooldown(trx, account.id, number);
          return rows;
        },
        async (trx, { active }) => {
          const now = clock.now();
          // Lock order on PostgreSQL: account, then secrets, then the channel's rows (confirm holds a
          // secret and then writes rows; the other order would deadlock with it).
          await deps.verification.invalidate(trx, account.id, [PURPOSE]);
          await repository.remove(trx, account.id, 'pending');
          const pending = {
            id: newId(),
            account_id: account.id,
            number_e164: number.e164,
            country: number.country,
            created_at: now,
            last_sent_at: now,
            requested_device_id: asker.deviceId,
          };
          await repository.insertPending(trx, pending);
          await sendCode(trx, account, pending, input.client, asker);
          await deps.securityLog.record(trx, {
            accountId: account.id,
            type: 'recovery_phone.setup_requested',
            origin: input.client,
            details: { change: active !== undefined, country: number.country, ...(asker.standing === 'new' ? { held: true } : {}) },
          });
        },
      );
      return { masked: maskNumber(number.e164) };
    },

    /** "Code erneut senden": after the cooldown, within the caps; the new code has its own tries, the hourly failures stay. */
    async resend(auth: AuthenticatedSession, client: ClientInfo): Promise<void> {
      const accountId = auth.account.id;
      const { pending } = await repository.rows(database.db, accountId);
      if (!pending) throw new LifelineError('not-found');
      const number = { e164: pending.number_e164, country: pending.country };
      await enforceNotLocked(accountId, pending.country);
      const asker = { deviceId: auth.session.device_id, standing: await standingOf(auth) };
      const target = { accountId, e164: pending.number_e164, prefix: pending.number_e164.slice(0, -3), country: pending.country, ip: client.ip };
      await sendInTransaction(
        target,
        async (trx) => {
          const rows = await load(trx, accountId, 'resend');
          // Again under the account's lock: of two parallel clicks only one sends, and only it takes from the caps.
          if (rows.pending?.id !== pending.id) throw new LifelineError('not-found');
          await cooldown(trx, accountId, number);
          return rows.pending;
        },
        // A held setup stays held whoever sends again (the mark is on the row); a new device's session marks it now.
        (trx, current) => sendCode(trx, auth.account, current, client, asker),
      );
    },

    /**
     * "Bestätigen" with the code from the SMS (session + CSRF: the code is bound to this account
     * and number). The pending number becomes active; an old active one is replaced and told.
     * A number set up (or confirmed) from a new device — an addition or a replacement — is
     * confirmed but waits 72 hours: the answer says when; every channel got a link that cancels it.
     */
    async confirm(auth: AuthenticatedSession, code: string, client: ClientInfo): Promise<{ masked: string; effectiveAt?: number }> {
      const account = auth.account;
      const { pending } = await repository.rows(database.db, account.id);
      if (!pending) throw new LifelineError('code-expired');
      const confirming = await standingOf(auth);
      // The account first (PostgreSQL lock order): setUp, cancel, remove, the hold's worker and
      // an undo all take it before secrets and rows. markUsed makes exactly one parallel confirm win.
      const lockAccount = async (trx: Executor) => {
        await accounts.findByIdForUpdate(trx, account.id, database.dialect === 'postgres');
      };
      // A wrong or dead code answers in the phone API's words already (400 wrong-code, 410 code-expired).
      const result = await deps.verification.redeemCode({ purpose: PURPOSE, accountId: account.id, code, lockFirst: lockAccount }, async (trx, secret) => {
        const rows = await repository.rows(trx, account.id);
        // The code belongs to exactly this pending number: a replaced or cancelled setup's code is dead.
        if (!rows.pending || rows.pending.id !== secret.data.recoveryPhoneId || rows.pending.number_e164 !== secret.target)
          throw new LifelineError('code-expired');
        // An addition is held too: a number an intruder adds must not work for a reset before the owner has read the notice.
        if ((rows.pending.hold_requested === 1 || confirming === 'new') && deps.hold) {
          const kind = rows.active ? 'recovery-phone-replace' : 'recovery-phone-add';
          const effectiveAt = await deps.hold.hold(trx, { account, kind, what: maskNumber(rows.pending.number_e164), client });
          const held = await repository.markHeld(trx, rows.pending.id);
          if (!held) throw new LifelineError('code-expired');
          return { row: held, effectiveAt };
        }
        return { row: await activate(trx, account, { row: rows.pending, active: rows.active, from: 'pending', client, confirming }) };
      });
      deps.metrics.smsCodesConfirmed.inc({ country: result.row.country, purpose: METRIC_PURPOSE });
      return { masked: maskNumber(result.row.number_e164), ...(result.effectiveAt === undefined ? {} : { effectiveAt: result.effectiveAt }) };
    },

    /** "Abbrechen": the pending number and its code go; an active number is untouched. */
    async cancel(auth: AuthenticatedSession, client: ClientInfo): Promise<void> {
      await inTransaction(database, async (trx) => {
        await load(trx, auth.account.id, 'cancel');
        await deps.verification.invalidate(trx, auth.account.id, [PURPOSE]); // secrets before rows (see setUp)
        await repository.remove(trx, auth.account.id, 'pending');
        await deps.securityLog.record(trx, { accountId: auth.account.id, type: 'recovery_phone.setup_cancelled', origin: client });
      });
    },

    /**
     * "Verwalten → Deaktivieren" (privileged window, checked by the route). From a session on a
     * new device it is held for 72 hours. Made at once, it also ends the sessions of the device
     * that had set the number up, if that was another one (recovery/owner-repair.ts).
     */
    async remove(auth: AuthenticatedSession, client: ClientInfo): Promise<{ effectiveAt?: number }> {
      const standing = await standingOf(auth);
      return inTransaction(database, async (trx) => {
        const { active } = await load(trx, auth.account.id, 'remove');
        // Only a settled number is held (as for the e-mail: one that is not settled is no way in yet).
        if (standing === 'new' && deps.hold && active && isSettledAt(active, clock.now())) {
          return {
            effectiveAt: await deps.hold.hold(trx, { account: auth.account, kind: 'recovery-phone-remove', what: maskNumber(active.number_e164), client }),
          };
        }
        const removed = await removeActive(trx, auth.account, client);
        if (!removed) throw new LifelineError('not-found');
        // The owner's repair sticks, unless the remover is new here itself (then it may be the intruder).
        if (standing !== 'new') {
          await endSessionsOfAddingDevice(trx, deps, {
            accountId: auth.account.id,
            addedByDevice: removed.requested_device_id,
            remover: auth.session,
            client,
            channel: 'phone',
          });
        }
        return {};
      });
    },

    /** Housekeeping: the held deactivations and replacements whose 72 hours are over. */
    async applyHeldChanges(): Promise<number> {
      if (!deps.hold) return 0;
      // Already deactivated meanwhile: nothing to do (removeActive answers false).
      const removed = await deps.hold.applyDue('recovery-phone-remove', async (trx, account, requestedBy) => {
        await removeActive(trx, account, requestedBy);
      });
      // The held number becomes the active one, told as a confirmation is; gone meanwhile: nothing.
      const activateHeld = async (trx: Executor, account: AccountRow, requestedBy: ClientInfo) => {
        const { active, held } = await repository.rows(trx, account.id);
        if (held) await activate(trx, account, { row: held, active, from: 'held', client: requestedBy });
      };
      const replaced = await deps.hold.applyDue('recovery-phone-replace', activateHeld);
      const added = await deps.hold.applyDue('recovery-phone-add', activateHeld);
      return removed + replaced + added;
    },
  };
}

/** What an undo of a change needs: the number active before it (or none). Server-side only. */
function phoneRestoreOf(previous: RecoveryPhoneRow | undefined): UndoRestore {
  return previous
    ? {
        previousNumber: previous.number_e164,
        previousCountry: previous.country,
        previousConfirmedAt: previous.confirmed_at,
        previousSettledAt: previous.settled_at,
      }
    : { previousNumber: null, previousCountry: null, previousConfirmedAt: null, previousSettledAt: null };
}

export type RecoveryPhoneService = ReturnType<typeof createRecoveryPhoneService>;
