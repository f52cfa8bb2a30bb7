import type { Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import type { AccountRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { localeOf, type Locale, type Translator } from '../i18n/translator.js';
import { describeEvent } from '../notifications/event-details.js';
import { UNDO_MIN_ADDRESS_AGE_MS, type Notifier } from '../notifications/notifier.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { RateLimits } from '../security/rate-limits.js';
import type { AuthenticatedSession, ClientInfo, IssuedSession, SessionService } from '../sessions/session-service.js';
import type { VerificationService } from '../verification/verification-service.js';
import type { AccountRepository } from './account-repository.js';
import type { PasswordHasher } from './password-hasher.js';
import { checkNewPassword } from './password-policy.js';
import type { PasswordVerifier } from './password-verifier.js';
import { parseEmail } from './signup-service.js';
import { isTimeZone } from './time-zone.js';


/**
 * Changes to the account by its signed-in owner: password, login e-mail, language and time
 * zone (PRODUCT.md §1). Each change writes a security-log row and the notices it causes in the
 * same transaction.
 */
export function createAccountSettingsService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  hasher: PasswordHasher;
  verifier: PasswordVerifier;
  sessions: SessionService;
  verification: VerificationService;
  notifier: Notifier;
  securityLog: SecurityLog;
  translator: Translator;
  rateLimits: RateLimits;
  /** The recovery e-mail gives way when the login e-mail becomes its address. */
  recoveryEmail: { onLoginEmailChanged(trx: Executor, account: AccountRow, newNormalized: string, client: ClientInfo): Promise<void> };
  config: { readonly appName: string };
}) {
  const { database, clock, accounts } = deps;

  return {
    /**
     * Always needs the current password (SECURITY.md 1.9), even inside the privileged window.
     * Then: every other session ends, this one gets a new id and an open window, the owner is
     * told (SECURITY.md 6.7).
     */
    async changePassword(auth: AuthenticatedSession, input: { currentPassword: string; newPassword: string; client: ClientInfo; deviceToken: string | undefined }): Promise<IssuedSession> {
      const refusal = checkNewPassword(input.newPassword, { email: auth.account.email_normalized, appName: deps.config.appName });
      if (refusal) throw new LifelineError(refusal);
      const right = await deps.verifier.verify({
        account: auth.account,
        identifier: auth.account.email_normalized,
        password: input.currentPassword,
        client: input.client,
        deviceToken: input.deviceToken,
        purpose: 'password-change',
      });
      if (!right) throw new LifelineError('wrong-password');
      const passwordHash = await deps.hasher.hash(input.newPassword);
      return inTransaction(database, async (trx) => {
        const now = clock.now();
        // Two changes at once (two tabs): the second finds the password no longer the one it
        // checked, and is refused like a wrong current password.
        const current = await accounts.findByIdForUpdate(trx, auth.account.id, database.dialect === 'postgres');
        if (!current || current.password_hash !== auth.account.password_hash) throw new LifelineError('wrong-password');
        await accounts.update(trx, auth.account.id, { password_hash: passwordHash, password_changed_at: now }, now);
        const others = await deps.sessions.revokeAll(trx, auth.account.id, auth.session.id);
        const issued = await deps.sessions.rotate(trx, auth.session.id, { privileged: true });
        const locale = localeOf(auth.account);
        const details = describeEvent(deps.translator, { at: now, locale, timeZone: auth.account.time_zone, ip: input.client.ip, userAgent: input.client.userAgent });
        await deps.notifier.notify(trx, { kind: 'account.password-changed', locale, accountId: auth.account.id, params: details, origin: input.client, undo: { restore: {} } });
        await deps.securityLog.record(trx, { accountId: auth.account.id, type: 'sessions.revoked_by_password_change', origin: input.client, details: { count: others } });
        return issued;
      });
    },

    /**
     * Starts a change of the login e-mail (privileged window checked by the caller): a link goes
     * to the new address; the old one stays until it is confirmed. An address that belongs to
     * another account gets the same answer, and its owner a notice instead of a link.
     */
    async requestEmailChange(auth: AuthenticatedSession, input: { newEmail: string; client: ClientInfo }): Promise<void> {
      const { email, normalized } = parseEmail(input.newEmail, 'newEmail');
      if (normalized === auth.account.email_normalized) throw new LifelineError('same-as-current-email');
      // Nobody floods a mailbox through this route (PRODUCT.md §8): per account 429; per address
      // the answer stays the same and no mail goes out (the refusal is logged by the limiter).
      await deps.rateLimits.enforce('email-change-account', auth.account.id);
      if (!(await deps.rateLimits.consume('email-change-address', normalized)).allowed) return;
      await inTransaction(database, async (trx) => {
        const now = clock.now();
        // Only a confirmed account holds an address; an unconfirmed sign-up of it gives way at
        // confirmation (below), or anyone could block an address by signing it up every week.
        const owner = await accounts.findByEmail(trx, normalized);
        if (owner && owner.email_verified_at !== null) {
          const locale = localeOf(owner);
          const { when } = describeEvent(deps.translator, { at: now, locale, timeZone: owner.time_zone });
          await deps.notifier.notify(trx, { kind: 'account.email-change-attempt', locale, to: owner.email, accountId: owner.id, params: { when }, origin: input.client });
          // The requester's own log reads as for any requested change: it is shown to them (and
          // to API clients), and a distinct entry would say that the address has an account.
          await deps.securityLog.record(trx, { accountId: auth.account.id, type: 'login_email.change_requested', origin: input.client });
          return;
        }
        const link = await deps.verification.issue(trx, { purpose: 'login-email-change', accountId: auth.account.id, target: normalized, data: { email } });
        await deps.notifier.notify(trx, {
          kind: 'account.email-change-confirmation',
          locale: localeOf(auth.account),
          to: email,
          accountId: auth.account.id,
          params: { token: link.secret },
          origin: input.client,
        });
      });
    },

    /**
     * Confirms a new login e-mail with the link's token (no session needed: the token proves the
     * new mailbox). The old address is told, with when and from where.
     */
    async confirmEmailChange(token: string, client: ClientInfo): Promise<{ email: string }> {
      // The account first: this writes the account row, and an undo that holds the account
      // retires this very secret (the other order deadlocks on PostgreSQL).
      return deps.verification.redeemLink({ purpose: 'login-email-change', token, lockAccountFirst: true }, async (trx, secret) => {
        const now = clock.now();
        const account = await accounts.findById(trx, secret.accountId);
        const email = typeof secret.data.email === 'string' ? secret.data.email : undefined;
        if (!account || !email || !secret.target) throw new LifelineError('invalid-or-expired');
        const taken = await accounts.findByEmail(trx, secret.target);
        if (taken && taken.id !== account.id) {
          if (taken.email_verified_at !== null) throw new LifelineError('email-unavailable');
          // An unconfirmed sign-up of the address: the person who proved the mailbox now wins.
          await trx.deleteFrom('accounts').where('id', '=', taken.id).execute();
        }
        try {
          await accounts.update(trx, account.id, { email, email_normalized: secret.target }, now);
        } catch (error) {
          // Another account confirmed the same address at the same moment.
          if (isUniqueViolation(error)) throw new LifelineError('email-unavailable');
          throw error;
        }
        await deps.recoveryEmail.onLoginEmailChanged(trx, account, secret.target, client);
        const locale = localeOf(account);
        const details = describeEvent(deps.translator, { at: now, locale, timeZone: account.time_zone, ip: client.ip, userAgent: client.userAgent });
        // The old address gets "Das war ich nicht" (it puts the address back) if it had been the
        // login e-mail for 7 days; a login e-mail that new may itself be an attacker's.
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
          params: { ...details, newEmail: email },
          origin: client,
          // The old address may notice late (a mailbox one rarely reads): its link lives 30 days.
          undo: { restore, validDays: 30, ...(securityEventId ? { eventId: securityEventId } : {}), ...(settled ? { role: 'login' as const } : {}) },
        });
        return { email };
      });
    },

    /** Language and time zone (the UI sends the browser's). */
    async updatePreferences(auth: AuthenticatedSession, input: { locale?: Locale; timeZone?: string; client: ClientInfo }): Promise<AccountRow> {
      if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) throw new LifelineError('invalid-time-zone');
      return inTransaction(database, async (trx) => {
        const now = clock.now();
        await accounts.update(trx, auth.account.id, { ...(input.locale ? { locale: input.locale } : {}), ...(input.timeZone ? { time_zone: input.timeZone } : {}) }, now);
        await deps.securityLog.record(trx, { accountId: auth.account.id, type: 'account.preferences_changed', origin: input.client, details: { locale: input.locale ?? null, timeZone: input.timeZone ?? null } });
        const updated = await accounts.findById(trx, auth.account.id);
        if (!updated) throw new LifelineError('not-found');
        return updated;
      });
    },
  };
}

export type AccountSettingsService = ReturnType<typeof createAccountSettingsService>;
