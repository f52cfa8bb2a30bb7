import type { AccountRepository } from '../../accounts/account-repository.js';
import { maskEmail } from '../../contract/email-address.js';
import { eventTextKey } from '../../contract/security-log.js';
import type { Clock } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import type { Database, Executor } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import type { Translator } from '../../i18n/translator.js';
import type { Notifier } from '../../notifications/notifier.js';
import type { ClientInfo, SessionService } from '../../sessions/session-service.js';
import type { DeviceRegistry } from '../../sessions/device-registry.js';
import { asDeadLink, type OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import { formatEventTime } from '../../notifications/event-details.js';
import { changeDetails, localeOf } from '../notice-context.js';
import type { ChannelHoldService } from '../hold/channel-hold-service.js';
import type { UndoLinkData } from './undo-links.js';
import type { RecoveryEmailRepository } from '../email/recovery-email-repository.js';
import type { RecoveryPhoneRepository } from '../phone/recovery-phone-repository.js';
import { describeRemoved, type RemovedChannel, type UnsettledChannels } from '../unsettled-channels.js';
import type { PasswordResetFlowRepository } from '../password-reset/password-reset-flow-repository.js';
import type { RecoveryCodeService } from '../codes/recovery-code-service.js';
import { RESET_PURPOSES } from '../password-reset/password-reset-service.js';
import { endWaitingChanges, type OpenActionVerifications } from '../owner-regains-control.js';
import { createChannelRestorer, type UndoStep } from './restore-channels.js';
import type { UndoRepository } from './undo-repository.js';

export type { UndoStep } from './restore-channels.js';

/** What an undo did (the API's answer, the page's list). */
export interface UndoResult {
  readonly done: UndoStep[];
  readonly removed: RemovedChannel[];
}

/** "Das war ich nicht" and the profile's list of what may still be undone. */
export interface SecurityUndoService {
  /**
   * POST /security/undo: the token alone is the proof (it came to an address of the account).
   * Secures the account in one transaction (see createSecurityUndoService); a dead link is 410
   * `link-expired`.
   */
  undo(token: string, client: ClientInfo): Promise<UndoResult>;

  /**
   * What a link would undo, without using it (GET: mail scanners open links): the event's
   * type and time (and a host event's own title), or undefined for a dead or forged link.
   */
  preview(token: string): Promise<{ type: string; createdAt: string; title?: { de: string; en: string } } | undefined>;

  /** The ids of the events the profile may still undo (their login-email link is live). */
  undoableEvents(accountId: string): Promise<ReadonlySet<string>>;

  /**
   * "Das war ich nicht" from the profile's list without the password: the event's link goes
   * (again) to the login email. A link's secret is stored hashed, so the live one is retired
   * and a fresh one with the same data and the same end (not 7 days more) takes its place.
   * Answers the masked address; an event without a live link is 404.
   */
  sendEventLink(accountId: string, eventId: string): Promise<{ sentTo: string }>;
}

export interface SecurityUndoServiceDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly accounts: AccountRepository;
  readonly recoveryEmails: Pick<RecoveryEmailRepository, 'active' | 'remove'>;
  readonly recoveryPhones: Pick<RecoveryPhoneRepository, 'active' | 'remove'>;
  /** The forgot-password flows of the account end too (a verified flow sets a password like a token). */
  readonly resetFlows: Pick<PasswordResetFlowRepository, 'supersedeForAccount'>;
  /** The undo's own SQL: restored channels, the event a link names. */
  readonly undoRows: UndoRepository;
  readonly sessions: SessionService;
  /** Browsers that first signed in since the undone event are forgotten. */
  readonly devices: Pick<DeviceRegistry, 'forget'>;
  readonly verification: OneTimeSecretService;
  readonly notifier: Notifier;
  readonly translator: Translator;
  /** Held changes (the 72-hour hold, recovery/hold/) are pending changes too: an undo cancels them. */
  readonly channelHold?: ChannelHoldService;
  /** Open action verifications end too: a verified one would confirm a host's sensitive action for the intruder. */
  readonly actionVerifications: OpenActionVerifications;
  /** Channels confirmed while the intruder may have been in are removed (recovery/unsettled-channels.ts). */
  readonly unsettledChannels: UnsettledChannels;
  /** A recovery code set made while the intruder may have been in ends, and so does one the undone event made or used. */
  readonly recoveryCodes: Pick<RecoveryCodeService, 'endUnsettled'>;
}

/** Purposes of pending changes that an undo cancels (their links and codes die). */
const PENDING_PURPOSES = ['recovery-email-confirmation', 'recovery-phone-confirmation', 'login-email-change', 'login-email-change-cancel'] as const;

/** The title of a host application's own event (docs/integration.md "Host events"), for the undo page. */
function hostTitleOf(event: { type: string; details: string | null }): { title?: { de: string; en: string } } {
  if (event.type !== 'host.event' || event.details === null) return {};
  try {
    const details = JSON.parse(event.details) as { titleDe?: unknown; titleEn?: unknown };
    return typeof details.titleDe === 'string' && typeof details.titleEn === 'string' ? { title: { de: details.titleDe, en: details.titleEn } } : {};
  } catch {
    return {};
  }
}

/**
 * "Das war ich nicht": the one-time link in a security notice secures the account in
 * one step, in one transaction:
 * 1. puts back what the event changed (the recovery email or phone it replaced or removed, the
 *    login email it changed; an added channel goes; restore-channels.ts),
 * 2. cancels every pending change (their links and codes die),
 * 3. signs out every session,
 * 4. kills the undo links of later events (an undo from a recovery address keeps the login
 *    email's links: the login email wins),
 * 5. blocks sign-in with the current password (403 `password-reset-required`) until it is set
 *    anew through a verified channel ("Passwort vergessen?"),
 * 6. writes the log and tells the account's addresses what was done.
 */
export function createSecurityUndoService(deps: SecurityUndoServiceDeps): SecurityUndoService {
  const { database, clock } = deps;
  const restore = createChannelRestorer(deps);

  /** Step 4: the links of this event and of every later one die; a recovery address's undo keeps the login email's links. */
  async function invalidateLaterLinks(trx: Executor, accountId: string, used: UndoLinkData): Promise<boolean> {
    const live = await deps.verification.live(trx, accountId, 'security-undo');
    const doomed = live.filter((secret) => {
      const data = secret.data as Partial<UndoLinkData>;
      if (typeof data.eventAt !== 'number' || data.eventAt < used.eventAt) return false;
      return used.role === 'login' || data.role !== 'login';
    });
    await deps.verification.retire(
      trx,
      doomed.map((secret) => secret.id),
    );
    return doomed.length > 0;
  }

  /**
   * Every way an intruder could still be on his way in ends: open reset codes, links and flows
   * of the account (verified ones too: a verified flow sets a password like a token) and open
   * action verifications (a verified one would confirm a host's sensitive action).
   */
  async function endOpenFlows(trx: Executor, accountId: string, now: number): Promise<number> {
    const secrets = await deps.verification.invalidate(trx, accountId, RESET_PURPOSES);
    const flows = await deps.resetFlows.supersedeForAccount(trx, accountId, undefined, now);
    const verifications = await deps.actionVerifications.failOpen(trx, accountId, now);
    return secrets + flows + verifications;
  }

  /** Steps 1–6 for one redeemed link's data, in the caller's transaction. */
  async function secure(trx: Executor, accountId: string, data: UndoLinkData, client: ClientInfo): Promise<UndoResult> {
    const now = clock.now();
    const account = await deps.accounts.findByIdForUpdate(trx, accountId, database.dialect === 'postgres');
    if (!account) throw new LifelineError('link-expired');
    const done: UndoStep[] = [];
    // The trouble began with the undone event at the latest: what was not settled by then goes.
    const since = data.eventAt;
    // Pending changes first (their secrets before any rows: the lock order of the recovery flows).
    // What an undo from the login email would put back, should this undo come from a recovery address.
    const before = data.role === 'login' ? undefined : await restore.snapshot(trx, account);
    const channels = await deps.unsettledChannels.rowsOf(trx, account.id);
    const cancelledSecrets = await deps.verification.invalidate(trx, account.id, PENDING_PURPOSES);
    const pendingEmail = await deps.recoveryEmails.remove(trx, account.id, 'pending');
    const pendingPhone = await deps.recoveryPhones.remove(trx, account.id, 'pending');
    // Held changes end (their cancel links, and the held rows: listed below as removed), and so
    // do a login-email change waiting out its 7 days and a scheduled deletion.
    const waitingEnded = await endWaitingChanges(trx, deps, account, client);
    const removed = await deps.unsettledChannels.remove(trx, account.id, since, channels);
    if (removed.some((channel) => channel.channel === 'recovery-email')) done.push('recovery-email-removed');
    if (removed.some((channel) => channel.channel === 'recovery-phone')) done.push('recovery-phone-removed');
    // Recovery codes like channels: a set not settled before the event goes, and so does the set
    // the event names (its making, a use, a reset through one: whoever did it has the codes).
    const namedSet = typeof data.restore.recoveryCodeSet === 'string' ? data.restore.recoveryCodeSet : undefined;
    if (await deps.recoveryCodes.endUnsettled(trx, account.id, since, namedSet)) done.push('recovery-codes-ended');
    if (data.handler === 'recovery-email') done.push(...(await restore.recoveryEmail(trx, account, data.restore, since, now)));
    if (data.handler === 'recovery-phone') done.push(...(await restore.recoveryPhone(trx, account, data.restore, since, now)));
    if (data.handler === 'login-email') done.push(...(await restore.loginEmail(trx, account, data.restore, now)));
    // The login email undoes an undo made from a recovery address: the channels as they were before it.
    if (data.handler === 'channels-before-undo') done.push(...(await restore.snapshotted(trx, account, data.restore, since, now)));
    if (cancelledSecrets + Number(pendingEmail !== undefined) + Number(pendingPhone !== undefined) + waitingEnded > 0) done.push('pending-changes-cancelled');
    if ((await endOpenFlows(trx, account.id, now)) > 0) done.push('open-flows-ended');
    await deps.sessions.revokeAll(trx, account.id);
    // Browsers that first signed in since the trouble began are forgotten: signing in there
    // again is a new device (notified, its recovery changes held).
    await deps.devices.forget(trx, account.id, { seenSince: since });
    done.push('signed-out-everywhere');
    if (await invalidateLaterLinks(trx, account.id, data)) done.push('later-links-invalidated');
    await deps.accounts.update(trx, account.id, { password_reset_required: 1 }, now);
    done.push('sign-in-blocked');
    const current = (await deps.accounts.findById(trx, account.id)) ?? account;
    const locale = localeOf(current);
    const steps = done.map((step) => deps.translator.text(locale, `mail.account-secured.steps.${step}`, {}));
    if (removed.length > 0) steps.push(deps.translator.text(locale, 'mail.account-secured.removed', { list: removed.map(describeRemoved).join(', ') }));
    await deps.notifier.notify(trx, {
      kind: 'account.secured',
      locale,
      accountId: account.id,
      params: { ...changeDetails(deps.translator, current, client, now), what: steps.join(' ') },
      origin: client,
      // A host's own event undone: its id goes to the host's webhooks (account.secured), so the host can revert its change.
      // What changed besides the sessions also goes to the hosts (account.secured): the login email put back, recovery channels put back or removed.
      details: {
        eventId: data.eventId,
        via: data.role,
        handler: data.handler,
        ...(data.handler === 'host-event' ? { hostEventId: data.eventId } : {}),
        ...(done.includes('login-email-restored') ? { loginEmailRestored: true } : {}),
        ...(done.some((step) => step.startsWith('recovery-')) ? { recoveryChanged: true } : {}),
        ...(removed.length > 0 ? { removed: removed.map(describeRemoved).join(', ') } : {}),
      },
      ...(before ? { undo: { restore: before, onlyToLogin: true } } : {}),
    });
    return { done, removed };
  }

  /** The login email's live link of each event: what the profile's list may still undo. */
  async function loginLinks(db: Executor, accountId: string) {
    const live = await deps.verification.live(db, accountId, 'security-undo');
    return live.filter((secret) => (secret.data as Partial<UndoLinkData>).role === 'login');
  }

  return {
    async undo(token, client) {
      try {
        return await deps.verification.redeemLink({ purpose: 'security-undo', token, lockAccountFirst: true }, (trx, secret) =>
          secure(trx, secret.accountId, secret.data as unknown as UndoLinkData, client),
        );
      } catch (error) {
        throw asDeadLink(error);
      }
    },

    async preview(token) {
      const secret = await deps.verification.peekLink({ purpose: 'security-undo', token });
      const eventId = (secret?.data as Partial<UndoLinkData> | undefined)?.eventId;
      if (!secret || typeof eventId !== 'string') return undefined;
      const event = await deps.undoRows.eventOf(database.db, secret.accountId, eventId);
      if (!event) return undefined;
      return { type: event.type, createdAt: new Date(event.created_at).toISOString(), ...hostTitleOf(event) };
    },

    async undoableEvents(accountId) {
      const links = await loginLinks(database.db, accountId);
      return new Set(links.map((secret) => String((secret.data as Partial<UndoLinkData>).eventId)));
    },

    async sendEventLink(accountId, eventId) {
      return inTransaction(database, async (trx) => {
        const account = await deps.accounts.findByIdForUpdate(trx, accountId, database.dialect === 'postgres');
        const link = (await loginLinks(trx, accountId)).find((secret) => (secret.data as Partial<UndoLinkData>).eventId === eventId);
        // Two parallel clicks: one retires the live link and sends; the other finds none (404).
        if (!link || !account || (await deps.verification.retire(trx, [link.id])) !== 1) throw new LifelineError('not-found');
        const event = await deps.undoRows.eventOf(trx, accountId, eventId);
        const now = clock.now();
        const issued = await deps.verification.issue(trx, {
          purpose: 'security-undo',
          accountId,
          target: account.email,
          data: { ...link.data },
          coexist: true,
          ttlMs: link.expiresAt - now,
        });
        const locale = localeOf(account);
        await deps.notifier.notify(trx, {
          kind: 'account.undo-link',
          locale,
          to: account.email,
          accountId,
          expiresAt: issued.expiresAt,
          params: {
            token: issued.secret,
            event: deps.translator.text(locale, `ui.profile.securityActivity.events.${eventTextKey(event?.type ?? '')}`, {}),
            when: formatEventTime(event?.created_at ?? link.createdAt, locale, account.time_zone),
            until: formatEventTime(issued.expiresAt, locale, account.time_zone),
          },
        });
        return { sentTo: maskEmail(account.email) };
      });
    },
  };
}
