import type { Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { normaliseEmail } from '../contract/email-address.js';
import type { Database, Executor } from '../db/database.js';
import type { AccountRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { localeOf } from '../i18n/translator.js';
import { formatEventTime } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { AccountDeletionService } from '../actions/account-deletion-service.js';
import type { ClientInfo, SessionService } from '../sessions/session-service.js';
import type { PasswordResetService } from '../recovery/password-reset/password-reset-service.js';
import type { RecoveryEmailRepository } from '../recovery/email/recovery-email-repository.js';
import type { RecoveryPhoneRepository } from '../recovery/phone/recovery-phone-repository.js';

/** A recovery channel as support sees it: whether there is one, never what it is. */
export type RecoveryChannelState = 'none' | 'pending' | 'active';

/** An account as the back office sees it (docs/integration.md "Admin API"): no secret, no hash, no channel address. */
export interface AdminAccountView {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly createdAt: string;
  readonly disabled: boolean;
  readonly recovery: { readonly email: RecoveryChannelState; readonly phone: RecoveryChannelState };
}

/** Who acts: an API key of the host (`api-key:NAME`) or an operator at the CLI (`cli`), with the request's client. */
export interface SupportActor {
  readonly name: string;
  readonly client: ClientInfo;
}

/**
 * The host's back office (docs/integration.md "Admin API", `lifeline account …`): find and read
 * accounts, disable and enable them, end their sessions, send the owner a reset link, delete.
 * What support can never do is as deliberate: set a password, read a code, link or hash, or add
 * a recovery channel. Support can help a user recover, not take the account over. Every action
 * is in the account's security log (the owner sees "vom Support …") and in a structured log line.
 */
export interface AccountAdminService {
  /**
   * Accounts with this login email (none or one: the normalised address is unique). A malformed
   * address finds none. Reading personal data is logged like every other support action.
   */
  findByEmail(email: string, actor: SupportActor): Promise<AdminAccountView[]>;

  /** One account by its id, or 404 (an unknown id and a malformed one alike); the read is logged. */
  get(accountId: string, actor: SupportActor): Promise<AdminAccountView>;

  /**
   * Disables the account: every session and host grant ends (logout tokens go out), sign-in
   * answers 403 account-disabled, the owner is told. Disabling a disabled account changes
   * nothing and tells no one again (answers false).
   */
  disable(accountId: string, actor: SupportActor): Promise<boolean>;

  /** Enables a disabled account (the owner is told); an enabled one stays as it is (false). */
  enable(accountId: string, actor: SupportActor): Promise<boolean>;

  /** Ends every session and host grant of the account (the owner must sign in again); answers how many sessions ended. */
  revokeSessions(accountId: string, actor: SupportActor): Promise<number>;

  /**
   * Sends the forgot-password code and link to the login email (never to support: the answer
   * holds neither). The password keeps working until the owner sets a new one.
   */
  sendPasswordReset(accountId: string, actor: SupportActor): Promise<void>;

  /** Deletes the account at once (no grace period): sessions and grants end, the addresses are told, `account.deleted` goes to the hosts. */
  delete(accountId: string, actor: SupportActor): Promise<void>;
}

/** Builds the back office (see {@link AccountAdminService}). */
export function createAccountAdminService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  /** Read for the view's channel states only (whether there is one, never what it is). */
  recoveryEmails: Pick<RecoveryEmailRepository, 'rows'>;
  recoveryPhones: Pick<RecoveryPhoneRepository, 'rows'>;
  sessions: Pick<SessionService, 'revokeAll'>;
  notifier: Notifier;
  securityLog: SecurityLog;
  passwordReset: Pick<PasswordResetService, 'requestForSupport'>;
  deletion: Pick<AccountDeletionService, 'deleteNow'>;
  logger: Logger;
}): AccountAdminService {
  const { database, clock, logger, recoveryEmails, recoveryPhones } = deps;
  const lock = database.dialect === 'postgres';

  async function view(db: Executor, account: AccountRow): Promise<AdminAccountView> {
    const [email, phone] = await Promise.all([recoveryEmails.rows(db, account.id), recoveryPhones.rows(db, account.id)]);
    const state = (rows: { active: unknown; pending: unknown; held: unknown }): RecoveryChannelState =>
      rows.active ? 'active' : rows.pending || rows.held ? 'pending' : 'none';
    return {
      id: account.id,
      email: account.email,
      emailVerified: account.email_verified_at !== null,
      createdAt: new Date(account.created_at).toISOString(),
      disabled: account.disabled_at !== null,
      recovery: { email: state(email), phone: state(phone) },
    };
  }

  /** The account under its lock, or 404 (an unknown id and a malformed one alike). */
  async function locked(trx: Executor, accountId: string): Promise<AccountRow> {
    const account = await deps.accounts.findByIdForUpdate(trx, accountId, lock);
    if (!account) throw new LifelineError('not-found');
    return account;
  }

  const audit = (event: string, accountId: string, actor: SupportActor, extra: Record<string, unknown> = {}) =>
    logger.info({ event, accountId, actor: actor.name, ip: actor.client.ip, ...extra }, `support: ${event}`);

  /** The owner's notice about a support action, to the login and the active recovery email. */
  async function tellOwner(
    trx: Executor,
    account: AccountRow,
    kind: 'account.disabled-by-support' | 'account.enabled-by-support',
    actor: SupportActor,
  ): Promise<void> {
    const locale = localeOf(account);
    await deps.notifier.notify(trx, {
      kind,
      locale,
      accountId: account.id,
      params: { when: formatEventTime(clock.now(), locale, account.time_zone), email: account.email },
      origin: { ip: actor.client.ip, userAgent: actor.client.userAgent },
      details: { by: 'support' },
    });
  }

  return {
    async findByEmail(email, actor) {
      const normalised = normaliseEmail(email);
      const account = normalised === undefined ? undefined : await deps.accounts.findByEmail(database.db, normalised);
      logger.info({ event: 'admin.account_searched', found: account?.id ?? null, actor: actor.name, ip: actor.client.ip }, 'support: admin.account_searched');
      return account ? [await view(database.db, account)] : [];
    },

    async get(accountId, actor) {
      const account = await deps.accounts.findById(database.db, accountId);
      if (!account) throw new LifelineError('not-found');
      audit('admin.account_read', accountId, actor);
      return view(database.db, account);
    },

    async disable(accountId, actor) {
      const changed = await inTransaction(database, async (trx) => {
        const account = await locked(trx, accountId);
        if (account.disabled_at !== null) return false;
        await deps.accounts.update(trx, account.id, { disabled_at: clock.now(), disabled_by: actor.name }, clock.now());
        await deps.sessions.revokeAll(trx, account.id);
        await tellOwner(trx, account, 'account.disabled-by-support', actor);
        return true;
      });
      audit(changed ? 'admin.account_disabled' : 'admin.account_disable_repeated', accountId, actor);
      return changed;
    },

    async enable(accountId, actor) {
      const changed = await inTransaction(database, async (trx) => {
        const account = await locked(trx, accountId);
        if (account.disabled_at === null) return false;
        await deps.accounts.update(trx, account.id, { disabled_at: null, disabled_by: null }, clock.now());
        await tellOwner(trx, account, 'account.enabled-by-support', actor);
        return true;
      });
      audit(changed ? 'admin.account_enabled' : 'admin.account_enable_repeated', accountId, actor);
      return changed;
    },

    async revokeSessions(accountId, actor) {
      const ended = await inTransaction(database, async (trx) => {
        const account = await locked(trx, accountId);
        const count = await deps.sessions.revokeAll(trx, account.id);
        await deps.securityLog.record(trx, { accountId: account.id, type: 'sessions.revoked_by_support', origin: actor.client, details: { count } });
        return count;
      });
      audit('admin.sessions_revoked', accountId, actor, { sessions: ended });
      return ended;
    },

    async sendPasswordReset(accountId, actor) {
      const account = await deps.accounts.findById(database.db, accountId);
      if (!account) throw new LifelineError('not-found');
      if (account.email_verified_at === null) throw new LifelineError('email-not-verified');
      await deps.passwordReset.requestForSupport({ email: account.email, locale: localeOf(account), client: actor.client });
      await deps.securityLog.record(database.db, { accountId: account.id, type: 'password_reset.sent_by_support', origin: actor.client });
      audit('admin.password_reset_sent', accountId, actor);
    },

    async delete(accountId, actor) {
      await inTransaction(database, async (trx) => {
        const account = await locked(trx, accountId);
        await deps.sessions.revokeAll(trx, account.id);
        await deps.deletion.deleteNow(trx, account);
      });
      audit('admin.account_deleted', accountId, actor);
    },
  };
}
