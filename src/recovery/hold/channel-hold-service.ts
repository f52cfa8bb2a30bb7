import { HOUR } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { LifelineError } from '../../core/errors.js';
import { newId } from '../../core/random.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow, HeldChangeKind, RecoveryEmailRow, SessionRow } from '../../db/tables.js';
import { settledAtFor } from '../channel-trust.js';
import { heldChangeOfLink, type HeldChangeOfLink } from './held-change-link.js';
import { inTransaction } from '../../db/transaction.js';
import { formatEventTime } from '../../notifications/event-details.js';
import type { SmsSendGuard } from '../../security/sms-send-guard.js';
import type { DeviceStanding } from '../../sessions/device-registry.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { endSessionsOfAddingDevice } from '../owner-repair.js';
import { asDeadLink } from '../../one-time-secrets/one-time-secret-service.js';
import type { ChannelDeps } from '../channel-deps.js';
import { changeDetails, localeOf } from '../notice-context.js';
import type { RecoveryEmailRepository } from '../email/recovery-email-repository.js';
import type { RecoveryPhoneRepository } from '../phone/recovery-phone-repository.js';
import type { ChannelHoldRepository } from './channel-hold-repository.js';

/** How long a held change waits (Google and Microsoft use this grace period). */
export const HOLD_MS = 72 * HOUR;
/** Applied or cancelled held changes are kept this long (the profile's history is the security log's). */
const HELD_RETENTION_MS = 30 * 24 * HOUR;

/** The recovery channel a held change is about. */
export type HeldChannel = 'email' | 'phone';

const KINDS_OF: Readonly<Record<HeldChannel, readonly HeldChangeKind[]>> = {
  email: ['recovery-email-add', 'recovery-email-remove', 'recovery-email-replace'],
  phone: ['recovery-phone-add', 'recovery-phone-remove', 'recovery-phone-replace'],
};

export const channelOf = (kind: HeldChangeKind): HeldChannel => (KINDS_OF.email.includes(kind) ? 'email' : 'phone');
/** An addition or a replacement: a confirmed address or number waits as a `held` row; a removal has none. */
const hasHeldRow = (kind: HeldChangeKind): boolean => !kind.endsWith('-remove');

/**
 * The 72-hour hold (docs/security.md "The owner wins"): adding, removing or replacing a recovery
 * channel from a device the account first saw less than HOLD_NEW_DEVICE_DAYS (7) ago — not the
 * owner's first device, the browser that confirmed the sign-up — does not happen at once. Every
 * channel hears of it with a link of its own that cancels it; the worker applies it after 72
 * hours. An intruder with a stolen password cannot quietly strip the owner's ways back in, swap
 * them for his own, or add one of his own that works before the owner has read the notice; and
 * waiting a day on the same device does not lift it. A new address or number is confirmed
 * first and waits as a `held` row.
 */
export interface ChannelHoldService {
  /**
   * How the account knows the session's device: a change it asks for is held when it is `new`
   * (first seen less than HOLD_NEW_DEVICE_DAYS ago, not the first device). The device's age
   * counts, not the session's: signing in again on the same new device does not lift the hold.
   */
  standingOf(db: Executor, session: Pick<SessionRow, 'account_id' | 'device_id'>): Promise<DeviceStanding>;

  /**
   * The `settled_at` of a recovery row becoming active now (recovery/channel-trust.ts): at once
   * only if the owner's first device alone asked for it — it set the row up and sent every code
   * or link (`requested_device_id`, never `hold_requested`), and `confirming`, the session that
   * typed a phone's code if any, is that device too; else 7 days after.
   */
  settledAt(
    trx: Executor,
    input: { accountId: string; row: Pick<RecoveryEmailRow, 'hold_requested' | 'requested_device_id'>; now: number; confirming?: DeviceStanding },
  ): Promise<number>;

  /**
   * Holds `kind` for the account (in the caller's transaction) and tells every channel, each
   * address with its own cancel link (the login email, the active recovery email), the active
   * recovery phone by an SMS without a link that names the profile. A second request while one is held answers the first one's end. Answers when
   * the change takes effect. `what` names the address or (masked) number in the notices.
   */
  hold(trx: Executor, input: { account: AccountRow; kind: HeldChangeKind; what: string; client: ClientInfo }): Promise<number>;

  /**
   * When the channel's waiting removal takes effect and when its held row (an addition or a
   * replacement) becomes the active one (ISO 8601), for the profile's view.
   */
  when(db: Executor, accountId: string, channel: HeldChannel): Promise<{ removalAt?: string; activationAt?: string }>;

  /**
   * Every waiting change of the channel ends, and a held replacement's row goes: a later
   * change of the channel (made at once, or held anew) replaces what waited. Answers the kinds
   * of the changes that ended. Runs in the caller's transaction, under the account's lock.
   */
  supersede(trx: Executor, accountId: string, channel: HeldChannel): Promise<HeldChangeKind[]>;

  /**
   * A channel's link: the held change does not happen. A change cancelled before (another link,
   * the profile, an undo) answers `already-cancelled`, naming it; an applied one, or a dead or
   * forged link, 410 `link-expired`.
   */
  cancel(token: string, client: ClientInfo): Promise<{ status: 'cancelled' | 'already-cancelled'; kind: HeldChangeKind }>;

  /** What the cancel link's page names before its button: the change and what became of it (undefined: a dead or forged link). */
  preview(token: string): Promise<HeldChangeOfLink | undefined>;

  /**
   * "Abbrechen" in the profile (session + CSRF; any session of the account may: cancelling
   * only keeps things as they are): the channel's waiting change ends; 404 when none waits.
   * A held address or number that another device set up goes like a removal made at once: from
   * a session whose device is not new, that device's sessions end (recovery/owner-repair.ts).
   */
  cancelFromProfile(session: Pick<SessionRow, 'id' | 'account_id' | 'device_id'>, channel: HeldChannel, client: ClientInfo): Promise<void>;

  /**
   * Housekeeping: applied or cancelled changes are kept 30 days, or the security log's
   * retention if shorter (they hold an IP and a user agent), then go. Waiting ones stay.
   */
  prune(): Promise<number>;

  /** Every held change of the account ends ("Das war ich nicht", a password reset): the owner is back. */
  cancelAll(trx: Executor, accountId: string): Promise<number>;

  /**
   * Housekeeping: applies each due change of `kind` with `apply`, in a transaction that first
   * claims the row (one conditional UPDATE: two workers never both apply it). A change that
   * fails is logged and tried again next round; the others go on. Answers how many were applied.
   */
  applyDue(kind: HeldChangeKind, apply: (trx: Executor, account: AccountRow, requestedBy: ClientInfo) => Promise<void>): Promise<number>;
}

/** Builds the hold (see {@link ChannelHoldService}). */
export function createChannelHoldService(
  deps: ChannelDeps & {
    readonly smsGuard: SmsSendGuard | undefined;
    readonly config: {
      readonly securityLog: { readonly retentionDays: number };
      readonly hold: { readonly newDeviceMs: number };
    };
    readonly logger: Logger;
    readonly rateLimits: RateLimits;
    readonly repository: ChannelHoldRepository;
    readonly emails: RecoveryEmailRepository;
    readonly phones: RecoveryPhoneRepository;
  },
): ChannelHoldService {
  const { database, clock, accounts, emails, phones, repository } = deps;

  /** A replacement's confirmed but not yet active row (status `held`) goes. */
  async function dropHeldRow(trx: Executor, accountId: string, channel: HeldChannel): Promise<void> {
    await (channel === 'email' ? emails : phones).remove(trx, accountId, 'held');
  }

  async function supersede(trx: Executor, accountId: string, channel: HeldChannel): Promise<HeldChangeKind[]> {
    const ended = await repository.endWaiting(trx, accountId, KINDS_OF[channel], clock.now());
    await dropHeldRow(trx, accountId, channel);
    return ended;
  }

  /**
   * A held change was cancelled (a channel's link, or the profile): the login and recovery
   * email hear of it, and the security log has it. An owner whose own change was cancelled by
   * someone else learns so; an intruder's cancelled change is the owner's confirmation.
   */
  async function tellCancelled(
    trx: Executor,
    accountId: string,
    kinds: readonly HeldChangeKind[],
    client: ClientInfo,
    via: 'link' | 'profile',
    heldId?: string,
  ): Promise<void> {
    const account = await accounts.findById(trx, accountId);
    if (!account || kinds.length === 0) return;
    const locale = localeOf(account);
    const details = changeDetails(deps.translator, account, client, clock.now());
    const what = kinds.map((kind) => deps.translator.text(locale, `mail.heldCancelledWhat.${kind}`)).join(', ');
    await deps.notifier.notify(trx, {
      kind: 'recovery.change-hold-cancelled',
      locale,
      accountId,
      params: { ...details, what },
      origin: client,
      details: { kinds: kinds.join(','), via, ...(heldId ? { heldId } : {}) },
    });
  }

  /** Each email hears of a new held change with a cancel link of its own; the phone by SMS without one, within the confirmed-number budget. */
  async function tellHeld(
    trx: Executor,
    input: { account: AccountRow; kind: HeldChangeKind; what: string; client: ClientInfo },
    id: string,
    now: number,
    effectiveAt: number,
  ) {
    const locale = localeOf(input.account);
    const params = {
      ...changeDetails(deps.translator, input.account, input.client, now),
      what: deps.translator.text(locale, `mail.heldWhat.${input.kind}`, { target: input.what }),
      effectiveAt: formatEventTime(effectiveAt, locale, input.account.time_zone),
    };
    const email = await emails.active(trx, input.account.id);
    const phone = await phones.active(trx, input.account.id);
    const cancelLink = async (target: string) =>
      (await deps.verification.issue(trx, { purpose: 'held-change-cancel', accountId: input.account.id, target, data: { heldId: id }, coexist: true })).secret;
    for (const to of new Set([input.account.email, ...(email ? [email.address] : [])])) {
      const token = await cancelLink(to.toLowerCase());
      await deps.notifier.notify(trx, {
        kind: 'recovery.change-held',
        locale,
        to,
        accountId: input.account.id,
        params: { ...params, token },
        origin: input.client,
      });
    }
    // The phone hears of it without a link (a link by SMS is the pattern of SMS phishing,
    // docs/architecture.md "Messages: one answer each"): it names the profile, where
    // "Änderung abbrechen" does what the mails' links do.
    if (phone && deps.smsGuard && (await deps.smsGuard.allowConfirmedSend({ country: phone.country, accountId: input.account.id }))) {
      await deps.notifier.notify(trx, {
        kind: 'recovery.change-held-sms',
        locale,
        to: phone.number_e164,
        accountId: input.account.id,
        params: { effectiveAt: params.effectiveAt },
        origin: input.client,
      });
    }
  }

  const standingOf = (db: Executor, session: Pick<SessionRow, 'account_id' | 'device_id'>): Promise<DeviceStanding> =>
    deps.devices.standing(db, { accountId: session.account_id, deviceId: session.device_id, now: clock.now(), newDeviceMs: deps.config.hold.newDeviceMs });

  return {
    standingOf,

    async settledAt(trx, input) {
      const requested =
        input.row.hold_requested === 1 ? undefined : await standingOf(trx, { account_id: input.accountId, device_id: input.row.requested_device_id });
      return settledAtFor(input.now, input.confirming === undefined || input.confirming === 'first' ? requested : undefined);
    },

    async hold(trx, input) {
      const now = clock.now();
      if (!hasHeldRow(input.kind)) {
        const existing = await repository.waitingUntil(trx, input.account.id, input.kind);
        if (existing !== undefined) return existing;
      }
      // The latest request for the channel wins: a waiting removal or replacement of it ends
      // (and a replacement's held row goes). The caller marks its own held row after this.
      await supersede(trx, input.account.id, channelOf(input.kind));
      const id = newId();
      const effectiveAt = now + HOLD_MS;
      await repository.insert(trx, { id, accountId: input.account.id, kind: input.kind, now, effectiveAt, client: input.client });
      await tellHeld(trx, input, id, now, effectiveAt);
      await deps.securityLog.record(trx, {
        accountId: input.account.id,
        type: 'recovery.change_held',
        origin: input.client,
        details: { kind: input.kind, effectiveAt: new Date(effectiveAt).toISOString() },
      });
      return effectiveAt;
    },

    async when(db, accountId, channel) {
      const rows = await repository.waiting(db, accountId, KINDS_OF[channel]);
      const at = (withRow: boolean) => {
        const row = rows.find((change) => hasHeldRow(change.kind) === withRow);
        return row ? new Date(row.effective_at).toISOString() : undefined;
      };
      const removalAt = at(false);
      const activationAt = at(true);
      return { ...(removalAt ? { removalAt } : {}), ...(activationAt ? { activationAt } : {}) };
    },

    supersede,

    async cancel(token, client) {
      try {
        // The account first (PostgreSQL lock order): as applyDue, a confirmation and an undo take it.
        return await deps.verification.redeemLink({ purpose: 'held-change-cancel', token, lockAccountFirst: true }, async (trx, secret) => {
          const heldId = typeof secret.data.heldId === 'string' ? secret.data.heldId : '';
          const cancelled = await repository.cancel(trx, heldId, clock.now());
          // Applied or cancelled already (through another channel's link): this link is as dead.
          if (!cancelled) throw new LifelineError('link-expired');
          // An addition's or a replacement's new address or number goes: it never becomes the channel.
          if (hasHeldRow(cancelled)) await dropHeldRow(trx, secret.accountId, channelOf(cancelled));
          await tellCancelled(trx, secret.accountId, [cancelled], client, 'link', heldId);
          return { status: 'cancelled' as const, kind: cancelled };
        });
      } catch (error) {
        const before = await heldChangeOfLink({ database, verification: deps.verification, repository }, token);
        if (before?.status === 'cancelled') return { status: 'already-cancelled', kind: before.kind };
        throw asDeadLink(error);
      }
    },

    preview: (token) => heldChangeOfLink({ database, verification: deps.verification, repository }, token),

    async cancelFromProfile(session, channel, client) {
      const accountId = session.account_id;
      await deps.rateLimits.enforce('held-cancel-account', accountId);
      const standing = await standingOf(database.db, session);
      await inTransaction(database, async (trx) => {
        // The account first (PostgreSQL lock order), as everywhere the hold's rows are written.
        await accounts.findByIdForUpdate(trx, accountId, database.dialect === 'postgres');
        const heldRow = (await (channel === 'email' ? emails : phones).rows(trx, accountId)).held;
        const kinds = await supersede(trx, accountId, channel);
        if (kinds.length === 0) throw new LifelineError('not-found');
        await tellCancelled(trx, accountId, kinds, client, 'profile');
        if (heldRow && standing !== 'new') {
          await endSessionsOfAddingDevice(
            trx,
            { sessions: deps.sessions, securityLog: deps.securityLog, devices: deps.devices },
            { accountId, addedByDevice: heldRow.requested_device_id, remover: session, client, channel },
          );
        }
      });
    },

    async prune() {
      const before = clock.now() - Math.min(HELD_RETENTION_MS, deps.config.securityLog.retentionDays * 24 * HOUR);
      return repository.prune(database.db, before);
    },

    async cancelAll(trx, accountId) {
      await deps.verification.invalidate(trx, accountId, ['held-change-cancel']);
      const email = await supersede(trx, accountId, 'email');
      const phone = await supersede(trx, accountId, 'phone');
      return email.length + phone.length;
    },

    async applyDue(kind, apply) {
      const due = await repository.due(database.db, kind, clock.now());
      let applied = 0;
      for (const row of due) {
        try {
          const done = await inTransaction(database, async (trx) => {
            // Lock order on PostgreSQL: the account, then the held row (as an undo's cancelAll takes them).
            const account = await accounts.findByIdForUpdate(trx, row.account_id, database.dialect === 'postgres');
            if (!(await repository.claim(trx, row.id, clock.now()))) return false;
            if (!account) return false;
            // The notices name the device that asked (the worker has none of its own).
            await apply(trx, account, { ip: row.requested_ip ?? '', userAgent: row.requested_user_agent });
            return true;
          });
          if (done) applied++;
        } catch (error) {
          // One account's failure must not hold up the others' changes: its row stays due (the
          // claim rolled back with the transaction) and the next round tries again.
          deps.logger.warn(
            { event: 'held_change.apply_failed', heldId: row.id, kind, accountId: row.account_id, err: (error as Error).message },
            'applying a held change failed; next round tries again',
          );
        }
      }
      return applied;
    },
  };
}
