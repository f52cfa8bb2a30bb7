import type { Logger } from 'pino';
import { MINUTE } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow, RecoveryPhoneRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import type { UndoRestore } from '../../notifications/notifier.js';
import type { SendPermit, SetupSend, SmsSendGuard } from '../../security/sms-send-guard.js';
import type { AuthenticatedSession, ClientInfo } from '../../sessions/session-service.js';
import { purposePolicies } from '../../one-time-secrets/purposes.js';
import { createChannelChange, type Asker, type ChannelView } from '../channel-change.js';
import type { ChannelDeps } from '../channel-deps.js';
import { cooldownSeconds } from '../channel-state.js';
import { localeOf } from '../notice-context.js';
import { maskNumber, parseRecoveryNumber, type NumberPolicy, type RecoveryNumber } from './phone-number.js';
import type { ChannelHoldService } from '../hold/channel-hold-service.js';
import type { RecoveryPhoneRepository } from './recovery-phone-repository.js';

/** "Code erneut senden" after 60 s. */
export const PHONE_RESEND_COOLDOWN_MS = MINUTE;
const PURPOSE = 'recovery-phone-confirmation' as const;
/** Metrics label of the codes this flow sends. */
const METRIC_PURPOSE = 'recovery-phone-setup';

/** The profile's view of the recovery phone: the number masked (maskNumber), never in full. */
export type RecoveryPhoneView = ChannelView<{ readonly masked: string }>;

/**
 * The recovery phone (docs/reference/product.md §3, the seed's second part): set up with the
 * password (or in the privileged window, checked by the route), confirmed by a 6-digit code that
 * only the new number gets, changed with the old number active until the new one is confirmed,
 * deactivated with the login and recovery email and the old number told. Same states as the
 * recovery email (recovery/channel-state.ts, phone/state.mmd); every send passes the caps
 * against SMS pumping.
 */
export interface RecoveryPhoneService {
  /** The profile's view: the active number, a pending one, and what waits out a 72-hour hold (masked). */
  view(accountId: string): Promise<RecoveryPhoneView>;

  /**
   * Set up or change: the number is parsed to E.164 and must be a mobile number of an allowed
   * country. A pending setup is replaced and its code dies. The code goes out only past the
   * caps against SMS pumping, the cooldown per number and the hourly failure lock.
   */
  setUp(auth: AuthenticatedSession, input: { number: string; country: string | undefined; client: ClientInfo }): Promise<{ masked: string }>;

  /** "Code erneut senden": after the cooldown, within the caps; the new code has its own tries, the hourly failures stay. */
  resend(auth: AuthenticatedSession, client: ClientInfo): Promise<void>;

  /**
   * "Bestätigen" with the code from the SMS (session + CSRF: the code is bound to this account
   * and number). The pending number becomes active; an old active one is replaced and told.
   * A number set up (or confirmed) from a new device — an addition or a replacement — is
   * confirmed but waits 72 hours: the answer says when; every channel got a link that cancels it.
   * A wrong code answers `wrong-code` with the tries left, a dead one 410 `code-expired`.
   */
  confirm(auth: AuthenticatedSession, code: string, client: ClientInfo): Promise<{ masked: string; effectiveAt?: number }>;

  /** "Abbrechen": the pending number and its code go; an active number is untouched. */
  cancel(auth: AuthenticatedSession, client: ClientInfo): Promise<void>;

  /**
   * "Verwalten → Deaktivieren" (privileged window, checked by the route). From a session on a
   * new device it is held for 72 hours. Made at once, it also ends the sessions of the device
   * that had set the number up, if that was another one (recovery/owner-repair.ts).
   */
  remove(auth: AuthenticatedSession, client: ClientInfo): Promise<{ effectiveAt?: number }>;

  /** Housekeeping: the held deactivations, replacements and additions whose 72 hours are over; answers how many. */
  applyHeldChanges(): Promise<number>;
}

/** Builds the recovery phone (see {@link RecoveryPhoneService}); only with an SMS provider. */
export function createRecoveryPhoneService(
  deps: ChannelDeps & {
    readonly smsGuard: SmsSendGuard;
    readonly metrics: Metrics;
    readonly logger: Logger;
    readonly config: { readonly sms: NumberPolicy };
    readonly repository: RecoveryPhoneRepository;
    /** The 72-hour hold (absent: every change is at once). */
    readonly hold?: ChannelHoldService;
  },
): RecoveryPhoneService {
  const { database, clock, repository, accounts } = deps;
  const codeLifetimeMs = purposePolicies[PURPOSE].ttlMs;
  const change = createChannelChange(deps, {
    repository,
    channel: 'phone',
    purpose: PURPOSE,
    deadSecret: 'code-expired',
    log: 'recovery_phone',
    notices: { added: 'recovery.phone-added', changed: 'recovery.phone-changed', removed: 'recovery.phone-removed' },
    secretLifetimeMs: codeLifetimeMs,
    resendCooldownMs: PHONE_RESEND_COOLDOWN_MS,
    describe: (row) => maskNumber(row.number_e164),
    shown: (row) => ({ masked: maskNumber(row.number_e164) }),
    noticeParams: (row, previous) => ({ number: maskNumber(row.number_e164), ...(previous ? { oldNumber: maskNumber(previous.number_e164) } : {}) }),
    logDetails: (row, previous) => ({ number: maskNumber(row.number_e164), ...(previous ? { previousNumber: maskNumber(previous.number_e164) } : {}) }),
    restoreOf: phoneRestoreOf,
    tellOld: {
      // A short SMS without a link: it needs no event, so the old number hears of it first.
      replacedBeforeActivation: (trx, { account, old, details }) => tellOldNumber(trx, account, old, 'recovery.phone-replaced-sms', details.when),
      removed: (trx, { account, old, details }) => tellOldNumber(trx, account, old, 'recovery.phone-removed-sms', details.when),
    },
  });

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
   * A fresh code (the previous one dies) to the pending number, and only there. `held`: a
   * session on a new device sent it, so the confirmation waits 72 hours whichever session types
   * the code; the mark is on the row and stays when another session sends again.
   */
  async function sendCode(
    trx: Executor,
    account: AccountRow,
    pending: Pick<RecoveryPhoneRow, 'id' | 'number_e164'>,
    client: ClientInfo,
    by: Asker,
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

  return {
    ...change.operations,

    async setUp(auth, input) {
      const account = auth.account;
      if (account.email_verified_at === null) throw new LifelineError('email-not-verified');
      const number: RecoveryNumber = parseRecoveryNumber(input.number, input.country, deps.config.sms);
      // Outside the transaction: on SQLite a read through database.db inside it would wait for itself.
      await enforceNotLocked(account.id, number.country);
      const asker = await change.askerOf(auth);
      const target = { accountId: account.id, e164: number.e164, prefix: number.prefix, country: number.country, ip: input.client.ip };
      await sendInTransaction(
        target,
        async (trx) => {
          const rows = await change.load(trx, account.id, 'set-up');
          if (rows.active?.number_e164 === number.e164) throw new LifelineError('already-recovery-phone');
          // The same number again is "send again": the cooldown holds (per number, whichever path).
          await cooldown(trx, account.id, number);
          return rows;
        },
        async (trx, { active }) => {
          const own = { number_e164: number.e164, country: number.country };
          const details = { change: active !== undefined, country: number.country };
          await change.replacePending(trx, account, own, {
            client: input.client,
            asker,
            details,
            send: (trx, pending) => sendCode(trx, account, pending, input.client, asker),
          });
        },
      );
      return { masked: maskNumber(number.e164) };
    },

    async resend(auth, client) {
      const accountId = auth.account.id;
      const { pending } = await repository.rows(database.db, accountId);
      if (!pending) throw new LifelineError('not-found');
      const number = { e164: pending.number_e164, country: pending.country };
      await enforceNotLocked(accountId, pending.country);
      const asker = await change.askerOf(auth);
      const target = { accountId, e164: pending.number_e164, prefix: pending.number_e164.slice(0, -3), country: pending.country, ip: client.ip };
      await sendInTransaction(
        target,
        async (trx) => {
          const rows = await change.load(trx, accountId, 'resend');
          // Again under the account's lock: of two parallel clicks only one sends, and only it takes from the caps.
          if (rows.pending?.id !== pending.id) throw new LifelineError('not-found');
          await cooldown(trx, accountId, number);
          return rows.pending;
        },
        // A held setup stays held whoever sends again (the mark is on the row); a new device's session marks it now.
        (trx, current) => sendCode(trx, auth.account, current, client, asker),
      );
    },

    async confirm(auth, code, client) {
      const account = auth.account;
      const { pending } = await repository.rows(database.db, account.id);
      if (!pending) throw new LifelineError('code-expired');
      const confirming = (await change.askerOf(auth)).standing;
      // The account first (PostgreSQL lock order): setUp, cancel, remove, the hold's worker and
      // an undo all take it before secrets and rows. markUsed makes exactly one parallel confirm win.
      const lockAccount = async (trx: Executor) => {
        await accounts.findByIdForUpdate(trx, account.id, database.dialect === 'postgres');
      };
      // The secret service answers a wrong or dead code in the API's words (wrong-code, code-expired).
      const result = await deps.verification.redeemCode({ purpose: PURPOSE, accountId: account.id, code, lockFirst: lockAccount }, async (trx, secret) => {
        const rows = await repository.rows(trx, account.id);
        // The code belongs to exactly this pending number: a replaced or cancelled setup's code is dead.
        if (!rows.pending || rows.pending.id !== secret.data.recoveryPhoneId || rows.pending.number_e164 !== secret.target)
          throw new LifelineError('code-expired');
        // Held also when the session that types the code is on a new device.
        return change.confirmPending(trx, account, { active: rows.active, pending: rows.pending }, { client, requester: client, confirming });
      });
      deps.metrics.smsCodesConfirmed.inc({ country: result.row.country, purpose: METRIC_PURPOSE });
      return { masked: maskNumber(result.row.number_e164), ...(result.effectiveAt === undefined ? {} : { effectiveAt: result.effectiveAt }) };
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
