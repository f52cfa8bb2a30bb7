import type { ActionVerificationService } from './action-verification-service.js';
import { DAY, type Clock } from '../core/clock.js';
import { LifelineError, isLifelineError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import type { AccountRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { localeOf, type Translator } from '../i18n/translator.js';
import { describeAccountEvent, describeEvent, formatEventTime } from '../notifications/event-details.js';
import { UNDO_MIN_ADDRESS_AGE_MS, type Notifier } from '../notifications/notifier.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { RateLimits } from '../security/rate-limits.js';
import type { AuthenticatedSession, ClientInfo } from '../sessions/session-service.js';
import { asDeadLink, type OneTimeSecretService } from '../one-time-secrets/one-time-secret-service.js';
import type { AccountRepository } from '../accounts/account-repository.js';
import { parseEmail } from '../accounts/signup-service.js';
import { storedUserAgent } from '../core/user-agent.js';

export const CHANGE_LOGIN_EMAIL_ACTION = 'lifeline.change-login-email';
/** Without a settled channel to verify it, a change waits this long from the request; the old address can cancel it. */
export const EMAIL_CHANGE_DELAY_MS = 7 * DAY;

/** The columns of a waiting login-email change, cleared. */
const NO_WAITING_CHANGE = {
  pending_email: null,
  pending_email_normalized: null,
  email_change_due_at: null,
  email_change_requested_ip: null,
  email_change_requested_user_agent: null,
} as const;

/**
 * Changing the login email under the policy table (actions/action-policy.ts):
 * - with a channel confirmed at least 7 days ago: the password (or the window, checked by the
 *   route) and a verified code of this session (`verificationId`), else 403
 *   `verification-required`; then a link to the new address, which applies the change;
 * - with no such channel: the password, a link to the new address and a notice with a cancel
 *   link to the old one; once the new address confirms, the change waits until 7 days after
 *   the request, and the old address can cancel it until then. The worker applies it.
 * Either way the old address is told when it happens, with a 30-day undo link.
 */
export interface LoginEmailChangeService {
  /**
   * Starts a change (privileged window checked by the caller). An address that belongs to
   * another account gets the same answer, and its owner a notice instead of a link. Answers
   * `effectiveAt` when the change will wait (no channel to verify it).
   */
  request(auth: AuthenticatedSession, input: { newEmail: string; verificationId?: string | undefined; client: ClientInfo }): Promise<{ effectiveAt?: number }>;

  /**
   * Confirms the new address with the link's token (no session: the token proves the new
   * mailbox). A verified change applies now; a waiting one is scheduled for 7 days after its
   * request (`effectiveAt`).
   */
  confirm(token: string, client: ClientInfo): Promise<{ email: string; effectiveAt?: number }>;

  /** The old address's link: the waiting change (and its unconfirmed link) is dropped. */
  cancel(token: string, client: ClientInfo): Promise<void>;

  /** Housekeeping: applies the waiting changes whose 7 days are over (each under the account's lock); answers how many. */
  applyDue(): Promise<number>;
}

export function createLoginEmailChangeService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  verification: OneTimeSecretService;
  actionVerification: Pick<ActionVerificationService, 'consume' | 'hasAllowedChannel'>;
  notifier: Notifier;
  securityLog: SecurityLog;
  translator: Translator;
  rateLimits: RateLimits;
  logger: Logger;
  /** The recovery email gives way when the login email becomes its address. */
  recoveryEmail: { onLoginEmailChanged(trx: Executor, account: AccountRow, newNormalized: string, client: ClientInfo): Promise<void> };
}): LoginEmailChangeService {
  const { database, clock, accounts } = deps;

  /** Makes `email` the login email now and tells the old and the new address (shared by the link and the worker). */
  async function apply(trx: Executor, account: AccountRow, email: string, normalized: string, client: ClientInfo): Promise<void> {
    const now = clock.now();
    const taken = await accounts.findByEmail(trx, normalized);
    if (taken && taken.id !== account.id) {
      if (taken.email_verified_at !== null) throw new LifelineError('email-unavailable');
      // An unconfirmed sign-up of the address: the person who proved the mailbox now wins.
      await accounts.delete(trx, taken.id);
    }
    try {
      await accounts.update(trx, account.id, { email, email_normalized: normalized, ...NO_WAITING_CHANGE }, now);
    } catch (error) {
      // Another account confirmed the same address at the same moment.
      if (isUniqueViolation(error)) throw new LifelineError('email-unavailable');
      throw error;
    }
    await deps.recoveryEmail.onLoginEmailChanged(trx, account, normalized, client);
    const locale = localeOf(account);
    const details = describeAccountEvent(deps.translator, account, client, now);
    // The old address gets "Das war ich nicht" (it puts the address back) if it had been the
    // login email for 7 days; a login email that new may itself be an attacker's.
    const settled = account.email_verified_at !== null && account.email_verified_at <= now - UNDO_MIN_ADDRESS_AGE_MS;
    const restore = { previousEmail: account.email, previousEmailNormalized: account.email_normalized };
    const { securityEventId } = await deps.notifier.notify(trx, {
      kind: 'account.login-email-changed-notice',
      locale,
      accountId: account.id,
      params: { ...details, newEmail: email, oldEmail: account.email },
      origin: client,
      details: { email, previousEmail: account.email },
      undo: { restore, notToLogin: true },
    });
    await deps.notifier.notify(trx, {
      kind: 'account.login-email-changed',
      locale,
      to: account.email,
      accountId: account.id,
      // The old address knows the account by itself, not by the new address.
      accountEmails: [account.email],
      params: { ...details, newEmail: email },
      origin: client,
      // The old address may notice late (a mailbox one rarely reads): its link lives 30 days.
      undo: { restore, validDays: 30, ...(securityEventId ? { eventId: securityEventId } : {}), ...(settled ? { role: 'login' as const } : {}) },
    });
  }

  /**
   * A change that waits: the old address hears of it at once, with a link that cancels it
   * (whether the new address is free must not show in the old mailbox either).
   */
  async function tellOldAddressItWaits(trx: Executor, account: AccountRow, email: string, client: ClientInfo, now: number): Promise<void> {
    const locale = localeOf(account);
    const cancel = await deps.verification.issue(trx, { purpose: 'login-email-change-cancel', accountId: account.id, target: account.email_normalized });
    const details = describeAccountEvent(deps.translator, account, client, now);
    await deps.notifier.notify(trx, {
      kind: 'account.email-change-waiting',
      locale,
      to: account.email,
      accountId: account.id,
      params: { ...details, token: cancel.secret, newEmail: email, effectiveAt: formatEventTime(now + EMAIL_CHANGE_DELAY_MS, locale, account.time_zone) },
      origin: client,
      expiresAt: cancel.expiresAt,
    });
  }

  return {
    async request(auth, input) {
      const { email, normalized } = parseEmail(input.newEmail, 'newEmail');
      if (normalized === auth.account.email_normalized) throw new LifelineError('same-as-current-email');
      // Nobody floods a mailbox through this route (docs/reference/product.md §8): per account 429.
      await deps.rateLimits.enforce('email-change-account', auth.account.id);
      let waits = false;
      if (input.verificationId !== undefined) {
        // This session's verified record of exactly this action, used up here.
        await deps.actionVerification.consume(
          input.verificationId,
          { kind: 'session', id: auth.session.id, name: '' },
          { action: CHANGE_LOGIN_EMAIL_ACTION, accountId: auth.account.id },
        );
      } else if (await deps.actionVerification.hasAllowedChannel(auth.account.id, CHANGE_LOGIN_EMAIL_ACTION)) {
        throw new LifelineError('verification-required');
      } else {
        waits = true;
      }
      const requestedAt = clock.now();
      // What the requester learns depends on its own account only, never on the new address.
      const answer = waits ? { effectiveAt: requestedAt + EMAIL_CHANGE_DELAY_MS } : {};
      // Per address the answer stays the same and no mail goes out (the refusal is logged by the limiter).
      if (!(await deps.rateLimits.consume('email-change-address', normalized)).allowed) return answer;
      await inTransaction(database, async (trx) => {
        const now = requestedAt;
        const locale = localeOf(auth.account);
        // In both branches below: the old address hears of a waiting change whoever holds the new one.
        if (waits) await tellOldAddressItWaits(trx, auth.account, email, input.client, now);
        // Only a confirmed account holds an address; an unconfirmed sign-up of it gives way at
        // confirmation, or anyone could block an address by signing it up every week.
        const owner = await accounts.findByEmail(trx, normalized);
        if (owner && owner.email_verified_at !== null) {
          const ownerLocale = localeOf(owner);
          const { when } = describeEvent(deps.translator, { at: now, locale: ownerLocale, timeZone: owner.time_zone });
          await deps.notifier.notify(trx, {
            kind: 'account.email-change-attempt',
            locale: ownerLocale,
            to: owner.email,
            accountId: owner.id,
            params: { when },
            origin: input.client,
          });
          // The requester's own log reads as for any requested change: a distinct entry would say that the address has an account.
          await deps.securityLog.record(trx, {
            accountId: auth.account.id,
            type: 'login_email.change_requested',
            origin: input.client,
            ...(waits ? { details: { waits: true } } : {}),
          });
          return;
        }
        // A waiting change keeps who asked: the notices when the worker applies it name that device.
        const requester = { requestedIp: input.client.ip, requestedUserAgent: storedUserAgent(input.client.userAgent) };
        const link = await deps.verification.issue(trx, {
          purpose: 'login-email-change',
          accountId: auth.account.id,
          target: normalized,
          data: { email, ...(waits ? { waitsFrom: now, ...requester } : {}) },
        });
        await deps.notifier.notify(trx, {
          kind: 'account.email-change-confirmation',
          locale,
          to: email,
          accountId: auth.account.id,
          params: { token: link.secret },
          origin: input.client,
          ...(waits ? { details: { waits: true } } : {}),
        });
      });
      return answer;
    },

    async confirm(token, client) {
      // The account first: this writes the account row, and an undo that holds the account
      // retires this very secret (the other order deadlocks on PostgreSQL).
      return deps.verification.redeemLink({ purpose: 'login-email-change', token, lockAccountFirst: true }, async (trx, secret) => {
        const account = await accounts.findById(trx, secret.accountId);
        const email = typeof secret.data.email === 'string' ? secret.data.email : undefined;
        if (!account || !email || !secret.target) throw new LifelineError('invalid-or-expired');
        const waitsFrom = typeof secret.data.waitsFrom === 'number' ? secret.data.waitsFrom : undefined;
        if (waitsFrom === undefined) {
          await apply(trx, account, email, secret.target, client);
          return { email };
        }
        const taken = await accounts.findByEmail(trx, secret.target);
        if (taken && taken.id !== account.id && taken.email_verified_at !== null) throw new LifelineError('email-unavailable');
        const effectiveAt = waitsFrom + EMAIL_CHANGE_DELAY_MS;
        const requestedIp = typeof secret.data.requestedIp === 'string' ? secret.data.requestedIp : null;
        const requestedUserAgent = typeof secret.data.requestedUserAgent === 'string' ? secret.data.requestedUserAgent : null;
        await accounts.update(
          trx,
          account.id,
          {
            pending_email: email,
            pending_email_normalized: secret.target,
            email_change_due_at: effectiveAt,
            email_change_requested_ip: requestedIp,
            email_change_requested_user_agent: requestedUserAgent,
          },
          clock.now(),
        );
        await deps.securityLog.record(trx, {
          accountId: account.id,
          type: 'login_email.change_scheduled',
          origin: client,
          details: { email, effectiveAt: new Date(effectiveAt).toISOString() },
        });
        return { email: account.email, effectiveAt };
      });
    },

    async cancel(token, client) {
      try {
        await deps.verification.redeemLink({ purpose: 'login-email-change-cancel', token, lockAccountFirst: true }, async (trx, secret) => {
          await accounts.dropWaitingEmailChange(trx, secret.accountId);
          await deps.verification.invalidate(trx, secret.accountId, ['login-email-change', 'login-email-change-cancel']);
          await deps.securityLog.record(trx, { accountId: secret.accountId, type: 'login_email.change_cancelled', origin: client });
        });
      } catch (error) {
        throw asDeadLink(error);
      }
    },

    async applyDue() {
      const due = await accounts.idsDue(database.db, 'email_change_due_at', clock.now());
      let applied = 0;
      for (const id of due) {
        try {
          const done = await inTransaction(database, async (trx) => {
            const account = await accounts.findByIdForUpdate(trx, id, database.dialect === 'postgres');
            if (
              !account?.pending_email ||
              !account.pending_email_normalized ||
              account.email_change_due_at === null ||
              account.email_change_due_at > clock.now()
            )
              return false;
            // Sign-in is blocked until a reset ("Das war ich nicht"): nothing changes meanwhile (the reset drops the change).
            if (account.password_reset_required === 1) return false;
            // The notices name the device that asked (the worker has none of its own).
            const requestedBy = { ip: account.email_change_requested_ip ?? '', userAgent: account.email_change_requested_user_agent };
            await apply(trx, account, account.pending_email, account.pending_email_normalized, requestedBy);
            return true;
          });
          if (done) applied++;
        } catch (error) {
          if (!isLifelineError(error) || error.code !== 'email-unavailable') {
            // Anything else: logged, the others go on, the next round tries again.
            deps.logger.warn(
              { event: 'login_email.change_apply_failed', accountId: id, err: (error as Error).message },
              'applying a waiting login-email change failed',
            );
            continue;
          }
          // The address went to another account meanwhile: the change cannot happen; it is dropped.
          await accounts.dropWaitingEmailChange(database.db, id);
          deps.logger.warn({ event: 'login_email.change_dropped', accountId: id }, 'a waiting login-email change was dropped: the address is taken');
        }
      }
      return applied;
    },
  };
}
