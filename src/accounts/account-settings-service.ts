import type { Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import type { Database, Executor } from '../db/database.js';
import type { AccountRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { localeOf, type Locale, type Translator } from '../i18n/translator.js';
import { describeAccountEvent } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { RateLimits } from '../security/rate-limits.js';
import type { AuthenticatedSession, ClientInfo, IssuedSession, SessionService } from '../sessions/session-service.js';
import type { OneTimeSecretService } from '../one-time-secrets/one-time-secret-service.js';
import type { AccountRepository } from './account-repository.js';
import type { PasswordHasher } from './password-hasher.js';
import { checkNewPassword } from './password-policy.js';
import type { PasswordVerifier } from './password-verifier.js';
import { isTimeZone } from './time-zone.js';

/** A password change: the current password (always asked) and the new one, from this browser. */
export interface PasswordChangeInput {
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly client: ClientInfo;
  readonly deviceToken: string | undefined;
}

/** New preferences; what is left out stays as it is. */
export interface PreferencesInput {
  readonly locale?: Locale;
  readonly timeZone?: string;
  readonly client: ClientInfo;
}

/**
 * Changes to the account by its signed-in owner: password, login email, language and time
 * zone (docs/reference/product.md §1). Each change writes a security-log row and the notices it causes in the
 * same transaction.
 */
export interface AccountSettingsService {
  /**
   * Always needs the current password (docs/reference/security-requirements.md 1.9), even inside the privileged window.
   * Then: every other session ends, this one gets a new id and an open window (the returned
   * session is the new cookie), the owner is told (docs/reference/security-requirements.md 6.7).
   */
  changePassword(auth: AuthenticatedSession, input: PasswordChangeInput): Promise<IssuedSession>;

  /** Language and time zone (the UI sends the browser's); an unknown time zone is refused. Answers the account as it now is. */
  updatePreferences(auth: AuthenticatedSession, input: PreferencesInput): Promise<AccountRow>;
}

/** Builds the account settings (see {@link AccountSettingsService}). */
export function createAccountSettingsService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  hasher: PasswordHasher;
  verifier: PasswordVerifier;
  sessions: SessionService;
  verification: OneTimeSecretService;
  notifier: Notifier;
  securityLog: SecurityLog;
  translator: Translator;
  rateLimits: RateLimits;
  /** The recovery email gives way when the login email becomes its address. */
  recoveryEmail: { onLoginEmailChanged(trx: Executor, account: AccountRow, newNormalized: string, client: ClientInfo): Promise<void> };
  config: { readonly appName: string };
}): AccountSettingsService {
  const { database, clock, accounts } = deps;

  return {
    async changePassword(auth, input) {
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
        const details = describeAccountEvent(deps.translator, auth.account, input.client, now);
        await deps.notifier.notify(trx, {
          kind: 'account.password-changed',
          locale,
          accountId: auth.account.id,
          params: details,
          origin: input.client,
          undo: { restore: {} },
        });
        await deps.securityLog.record(trx, {
          accountId: auth.account.id,
          type: 'sessions.revoked_by_password_change',
          origin: input.client,
          details: { count: others },
        });
        return issued;
      });
    },

    async updatePreferences(auth, input) {
      if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) throw new LifelineError('invalid-time-zone');
      return inTransaction(database, async (trx) => {
        const now = clock.now();
        await accounts.update(
          trx,
          auth.account.id,
          { ...(input.locale ? { locale: input.locale } : {}), ...(input.timeZone ? { time_zone: input.timeZone } : {}) },
          now,
        );
        await deps.securityLog.record(trx, {
          accountId: auth.account.id,
          type: 'account.preferences_changed',
          origin: input.client,
          details: { locale: input.locale ?? null, timeZone: input.timeZone ?? null },
        });
        const updated = await accounts.findById(trx, auth.account.id);
        if (!updated) throw new LifelineError('not-found');
        return updated;
      });
    },
  };
}
