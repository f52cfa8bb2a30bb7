import type { AccountRepository } from '../../accounts/account-repository.js';
import { maskEmail, normaliseEmail } from '../../contract/email-address.js';
import { eventTextKey } from '../../contract/security-log.js';
import type { Clock } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import { newId } from '../../core/random.js';
import type { Database, Executor } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import type { AccountRow } from '../../db/tables.js';
import type { Translator } from '../../i18n/translator.js';
import type { Notifier } from '../../notifications/notifier.js';
import type { ClientInfo, SessionService } from '../../sessions/session-service.js';
import { forgetDevices } from '../../sessions/device-registry.js';
import { asDeadLink, type OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import { formatEventTime } from '../../notifications/event-details.js';
import { changeDetails, localeOf } from '../notice-context.js';
import type { ChannelHold } from '../hold/channel-hold.js';
import type { UndoLinkData } from './undo-links.js';
import { createRecoveryEmailRepository } from '../email/recovery-email-repository.js';
import { createRecoveryPhoneRepository } from '../phone/recovery-phone-repository.js';
import { channelRowsOf, describeRemoved, removeUnsettledChannels, type RemovedChannel } from '../unsettled-channels.js';
import { SETTLE_MS, wasSettledBefore } from '../channel-trust.js';
import { createPasswordResetFlowRepository } from '../password-reset/password-reset-flow-repository.js';
import { RESET_PURPOSES } from '../password-reset/password-reset-service.js';
import { endWaitingChanges, type OpenActionVerifications } from '../owner-regains-control.js';

/** What an undo did, in the order it did it (the API's `done`, the page's list). */
export type UndoStep =
  | 'recovery-email-restored'
  | 'recovery-email-removed'
  | 'recovery-phone-restored'
  | 'recovery-phone-removed'
  | 'login-email-restored'
  | 'login-email-not-restored'
  | 'pending-changes-cancelled'
  | 'open-flows-ended'
  | 'signed-out-everywhere'
  | 'later-links-invalidated'
  | 'sign-in-blocked';

/** What an undo did (the API's answer, the page's list). */
export interface UndoResult {
  readonly done: UndoStep[];
  readonly removed: RemovedChannel[];
}

/** Purposes of pending changes that an undo cancels (their links and codes die). */
const PENDING_PURPOSES = ['recovery-email-confirmation', 'recovery-phone-confirmation', 'login-email-change', 'login-email-change-cancel'] as const;

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

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
 * 1. puts back what the event changed (the recovery e-mail or phone it replaced or removed, the
 *    login e-mail it changed; an added channel goes),
 * 2. cancels every pending change (their links and codes die),
 * 3. signs out every session,
 * 4. kills the undo links of later events (an undo from a recovery address keeps the login
 *    e-mail's links: the login e-mail wins),
 * 5. blocks sign-in with the current password (403 `password-reset-required`) until it is set
 *    anew through a verified channel ("Passwort vergessen?"),
 * 6. writes the log and tells the account's addresses what was done.
 */
export function createSecurityUndoService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  sessions: SessionService;
  verification: OneTimeSecretService;
  notifier: Notifier;
  translator: Translator;
  /** Held changes (the 72-hour hold, recovery/hold/) are pending changes too: an undo cancels them. */
  channelHold?: ChannelHold;
  /** Open action verifications end too: a verified one would confirm a host's sensitive action for the intruder. */
  actionVerifications: OpenActionVerifications;
}) {
  const { database, clock } = deps;
  const recoveryEmails = createRecoveryEmailRepository();
  const recoveryPhones = createRecoveryPhoneRepository();
  const resetFlows = createPasswordResetFlowRepository();

  /**
   * Whether a channel the event replaced or removed may come back: only if it was settled before
   * the event (an intruder's address that the owner replaced or removed never returns). Data of
   * links from before settled times were kept: 7 days after the confirmation.
   */
  function wasSettled(settledAt: unknown, confirmedAt: unknown, since: number): boolean {
    const confirmed = num(confirmedAt);
    return wasSettledBefore(num(settledAt) ?? (confirmed === null ? null : confirmed + SETTLE_MS), since);
  }

  /**
   * Puts back the recovery address the event replaced or removed, if it was settled before the
   * event and no settled address took its place since. It comes back as new (confirmed now, not
   * settled): a channel restored by an undo has to earn its standing again.
   */
  async function restoreRecoveryEmail(trx: Executor, account: AccountRow, restore: UndoLinkData['restore'], since: number, now: number): Promise<UndoStep[]> {
    const address = str(restore.previousAddress);
    const normalized = address ? normaliseEmail(address) : undefined;
    // The login e-mail cannot be its own recovery address (it may have become it since).
    if (!address || !normalized || normalized === account.email_normalized || !wasSettled(restore.previousSettledAt, restore.previousConfirmedAt, since))
      return [];
    if (await recoveryEmails.active(trx, account.id)) return [];
    await trx
      .insertInto('recovery_emails')
      .values({
        id: newId(),
        account_id: account.id,
        address,
        address_normalized: normalized,
        status: 'active',
        created_at: now,
        confirmed_at: now,
        settled_at: now + SETTLE_MS,
        restored_at: now,
        last_sent_at: null,
      })
      .execute();
    return ['recovery-email-restored'];
  }

  /** As {@link restoreRecoveryEmail}, for the recovery phone. */
  async function restoreRecoveryPhone(trx: Executor, account: AccountRow, restore: UndoLinkData['restore'], since: number, now: number): Promise<UndoStep[]> {
    const number = str(restore.previousNumber);
    if (!number || !wasSettled(restore.previousSettledAt, restore.previousConfirmedAt, since)) return [];
    if (await recoveryPhones.active(trx, account.id)) return [];
    await trx
      .insertInto('recovery_phones')
      .values({
        id: newId(),
        account_id: account.id,
        number_e164: number,
        country: str(restore.previousCountry) ?? 'ZZ',
        status: 'active',
        created_at: now,
        confirmed_at: now,
        settled_at: now + SETTLE_MS,
        restored_at: now,
        last_sent_at: null,
      })
      .execute();
    return ['recovery-phone-restored'];
  }

  async function restoreLoginEmail(trx: Executor, account: AccountRow, restore: UndoLinkData['restore'], now: number): Promise<UndoStep[]> {
    const email = str(restore.previousEmail);
    const normalized = str(restore.previousEmailNormalized);
    if (!email || !normalized) return [];
    if (normalized === account.email_normalized) return ['login-email-restored'];
    // Another account may hold the address by now: then it stays where it is (said on the page).
    const holder = await deps.accounts.findByEmail(trx, normalized);
    if (holder && holder.id !== account.id) return ['login-email-not-restored'];
    await deps.accounts.update(trx, account.id, { email, email_normalized: normalized }, now);
    // The restored login e-mail cannot stay a recovery address too.
    await trx.deleteFrom('recovery_emails').where('account_id', '=', account.id).where('address_normalized', '=', normalized).execute();
    return ['login-email-restored'];
  }

  /** The recovery channels and the login e-mail as they are now (server-side only, kept with a link). */
  async function snapshot(trx: Executor, account: AccountRow): Promise<UndoLinkData['restore']> {
    const email = await recoveryEmails.active(trx, account.id);
    const phone = await recoveryPhones.active(trx, account.id);
    return {
      emailAddress: email?.address ?? null,
      emailConfirmedAt: email?.confirmed_at ?? null,
      emailSettledAt: email?.settled_at ?? null,
      phoneNumber: phone?.number_e164 ?? null,
      phoneCountry: phone?.country ?? null,
      phoneConfirmedAt: phone?.confirmed_at ?? null,
      phoneSettledAt: phone?.settled_at ?? null,
      loginEmail: account.email,
      loginEmailNormalized: account.email_normalized,
    };
  }

  /** Step 4: the links of this event and of every later one die; a recovery address's undo keeps the login e-mail's links. */
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
    const flows = await resetFlows.supersedeForAccount(trx, accountId, undefined, now);
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
    // What an undo from the login e-mail would put back, should this undo come from a recovery address.
    const before = data.role === 'login' ? undefined : await snapshot(trx, account);
    const channels = await channelRowsOf(trx, account.id);
    const cancelledSecrets = await deps.verification.invalidate(trx, account.id, PENDING_PURPOSES);
    const pendingEmails = await trx
      .deleteFrom('recovery_emails')
      .where('account_id', '=', account.id)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    const pendingPhones = await trx
      .deleteFrom('recovery_phones')
      .where('account_id', '=', account.id)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    // Held changes end (their cancel links, and the held rows: listed below as removed), and so
    // do a login-e-mail change waiting out its 7 days and a scheduled deletion.
    const waitingEnded = await endWaitingChanges(trx, deps, account, client);
    const removed = await removeUnsettledChannels(trx, account.id, since, channels);
    if (removed.some((channel) => channel.channel === 'recovery-email')) done.push('recovery-email-removed');
    if (removed.some((channel) => channel.channel === 'recovery-phone')) done.push('recovery-phone-removed');
    if (data.handler === 'recovery-email') done.push(...(await restoreRecoveryEmail(trx, account, data.restore, since, now)));
    if (data.handler === 'recovery-phone') done.push(...(await restoreRecoveryPhone(trx, account, data.restore, since, now)));
    if (data.handler === 'login-email') done.push(...(await restoreLoginEmail(trx, account, data.restore, now)));
    if (data.handler === 'channels-before-undo') {
      // The login e-mail undoes an undo made from a recovery address: the channels as they were before it.
      const r = data.restore;
      done.push(
        ...(await restoreRecoveryEmail(
          trx,
          account,
          { previousAddress: r.emailAddress ?? null, previousConfirmedAt: r.emailConfirmedAt ?? null, previousSettledAt: r.emailSettledAt ?? null },
          since,
          now,
        )),
      );
      done.push(
        ...(await restoreRecoveryPhone(
          trx,
          account,
          {
            previousNumber: r.phoneNumber ?? null,
            previousCountry: r.phoneCountry ?? null,
            previousConfirmedAt: r.phoneConfirmedAt ?? null,
            previousSettledAt: r.phoneSettledAt ?? null,
          },
          since,
          now,
        )),
      );
      if (r.loginEmailNormalized !== account.email_normalized) {
        done.push(
          ...(await restoreLoginEmail(trx, account, { previousEmail: r.loginEmail ?? null, previousEmailNormalized: r.loginEmailNormalized ?? null }, now)),
        );
      }
    }
    if (cancelledSecrets + pendingEmails.length + pendingPhones.length + waitingEnded > 0) done.push('pending-changes-cancelled');
    if ((await endOpenFlows(trx, account.id, now)) > 0) done.push('open-flows-ended');
    await deps.sessions.revokeAll(trx, account.id);
    // Browsers that first signed in since the trouble began are forgotten: signing in there
    // again is a new device (notified, its recovery changes held).
    await forgetDevices(trx, account.id, { seenSince: since });
    done.push('signed-out-everywhere');
    if (await invalidateLaterLinks(trx, account.id, data)) done.push('later-links-invalidated');
    await trx.updateTable('accounts').set({ password_reset_required: 1, updated_at: now }).where('id', '=', account.id).execute();
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
      // What changed besides the sessions also goes to the hosts (account.secured): the login e-mail put back, recovery channels put back or removed.
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

  /** The login e-mail's live link of each event: what the profile's list may still undo. */
  async function loginLinks(db: Executor, accountId: string) {
    const live = await deps.verification.live(db, accountId, 'security-undo');
    return live.filter((secret) => (secret.data as Partial<UndoLinkData>).role === 'login');
  }

  return {
    /** POST /security/undo: the token alone is the proof (it came to an address of the account). */
    async undo(token: string, client: ClientInfo): Promise<UndoResult> {
      try {
        return await deps.verification.redeemLink({ purpose: 'security-undo', token, lockAccountFirst: true }, (trx, secret) =>
          secure(trx, secret.accountId, secret.data as unknown as UndoLinkData, client),
        );
      } catch (error) {
        throw asDeadLink(error);
      }
    },

    /**
     * What a link would undo, without using it (GET: mail scanners open links): the event's
     * type and time, or undefined for a dead or forged link.
     */
    async preview(token: string): Promise<{ type: string; createdAt: string; title?: { de: string; en: string } } | undefined> {
      const secret = await deps.verification.peekLink({ purpose: 'security-undo', token });
      const eventId = (secret?.data as Partial<UndoLinkData> | undefined)?.eventId;
      if (!secret || typeof eventId !== 'string') return undefined;
      const event = await database.db
        .selectFrom('security_events')
        .select(['type', 'created_at', 'details'])
        .where('id', '=', eventId)
        .where('account_id', '=', secret.accountId)
        .executeTakeFirst();
      if (!event) return undefined;
      return { type: event.type, createdAt: new Date(event.created_at).toISOString(), ...hostTitleOf(event) };
    },

    /** The ids of the events the profile may still undo (their login-e-mail link is live). */
    async undoableEvents(accountId: string): Promise<ReadonlySet<string>> {
      const links = await loginLinks(database.db, accountId);
      return new Set(links.map((secret) => String((secret.data as Partial<UndoLinkData>).eventId)));
    },

    /**
     * "Das war ich nicht" from the profile's list without the password: the event's link goes
     * (again) to the login e-mail. A link's secret is stored hashed, so the live one is retired
     * and a fresh one with the same data and the same end (not 7 days more) takes its place.
     * Answers the masked address; an event without a live link is 404.
     */
    async sendEventLink(accountId: string, eventId: string): Promise<{ sentTo: string }> {
      return inTransaction(database, async (trx) => {
        const account = await deps.accounts.findByIdForUpdate(trx, accountId, database.dialect === 'postgres');
        const link = (await loginLinks(trx, accountId)).find((secret) => (secret.data as Partial<UndoLinkData>).eventId === eventId);
        // Two parallel clicks: one retires the live link and sends; the other finds none (404).
        if (!link || !account || (await deps.verification.retire(trx, [link.id])) !== 1) throw new LifelineError('not-found');
        const event = await trx
          .selectFrom('security_events')
          .select(['type', 'created_at'])
          .where('id', '=', eventId)
          .where('account_id', '=', accountId)
          .executeTakeFirst();
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

export type SecurityUndoService = ReturnType<typeof createSecurityUndoService>;
