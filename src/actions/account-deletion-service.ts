import { DAY, type Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Database, Executor } from '../db/database.js';
import type { AccountRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { localeOf, type Translator } from '../i18n/translator.js';
import { describeAccountEvent, formatEventTime } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ActionVerificationService } from './action-verification-service.js';
import type { AuthenticatedSession, ClientInfo, SessionService } from '../sessions/session-service.js';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { PasswordVerifier } from '../accounts/password-verifier.js';
import type { RecoveryEmailRepository } from '../recovery/email/recovery-email-repository.js';
import type { WebhookEmitter } from '../webhooks/webhook-delivery.js';

/** Between the request and the deletion: any sign-in in this time cancels it. */
export const DELETION_GRACE_MS = 7 * DAY;
export const DELETE_ACCOUNT_ACTION = 'lifeline.delete-account';

/**
 * "Konto löschen": the password and a verified code (action `lifeline.delete-account`,
 * requested by this session) schedule the deletion 7 days ahead; every session ends, the login
 * and recovery addresses are told. Any sign-in before cancels it (so do a password reset and
 * "Das war ich nicht"); after it the worker deletes the account row and every row with a
 * foreign key to it (cascade) and tells the addresses. What stays for a while: delivered
 * outbox rows (their account id set to null; pruned after their retention) and forgot-password
 * flows naming the id (pruned after a day).
 */
export interface AccountDeletionService {
  /**
   * Schedules the deletion 7 days ahead (an earlier schedule keeps its day): the password, then
   * this session's verified record of the action, used up; every session ends and the account
   * is told. Answers when it will be deleted.
   */
  schedule(input: {
    auth: AuthenticatedSession;
    password: string;
    verificationId: string;
    client: ClientInfo;
    deviceToken: string | undefined;
  }): Promise<{ deleteAt: number }>;

  /**
   * Deletes the account now, in the caller's transaction, with the account row read under its
   * lock: the login and recovery addresses hear of it first (the outbox rows outlive the account),
   * the host's webhooks get `account.deleted`, then the row goes with every row that has a foreign
   * key to it (cascade). The grace period's end and the admin API share it.
   */
  deleteNow(trx: Executor, account: AccountRow): Promise<void>;

  /**
   * Housekeeping: deletes the accounts whose grace period is over. Each in its own
   * transaction, re-checked under the account's lock (a sign-in at the last second wins);
   * the addresses hear of it first (the outbox row outlives the account). Answers how many went.
   */
  purgeDue(): Promise<number>;
}

export function createAccountDeletionService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  recoveryEmails: Pick<RecoveryEmailRepository, 'active'>;
  verifier: PasswordVerifier;
  sessions: SessionService;
  actionVerification: Pick<ActionVerificationService, 'consume'>;
  notifier: Notifier;
  translator: Translator;
  webhooks: WebhookEmitter;
  logger: Logger;
}): AccountDeletionService {
  const { database, clock } = deps;

  async function deleteNow(trx: Executor, account: AccountRow): Promise<void> {
    const recovery = await deps.recoveryEmails.active(trx, account.id);
    const locale = localeOf(account);
    const when = formatEventTime(clock.now(), locale, account.time_zone);
    for (const to of new Set([account.email, ...(recovery ? [recovery.address] : [])])) {
      await deps.notifier.notify(trx, { kind: 'account.deleted', locale, to, accountEmails: [account.email], params: { when, email: account.email } });
    }
    await deps.webhooks.emit(trx, { type: 'account.deleted', accountId: account.id });
    await deps.accounts.delete(trx, account.id);
  }

  return {
    async schedule(input) {
      const { auth, client } = input;
      const right = await deps.verifier.verify({
        account: auth.account,
        identifier: auth.account.email_normalized,
        password: input.password,
        client,
        deviceToken: input.deviceToken,
        purpose: 'account-deletion',
      });
      if (!right) throw new LifelineError('wrong-password');
      // The code: this session's verified record for exactly this action, used up here.
      await deps.actionVerification.consume(
        input.verificationId,
        { kind: 'session', id: auth.session.id, name: '' },
        { action: DELETE_ACCOUNT_ACTION, accountId: auth.account.id },
      );
      return inTransaction(database, async (trx) => {
        const now = clock.now();
        const account = await deps.accounts.findByIdForUpdate(trx, auth.account.id, database.dialect === 'postgres');
        if (!account) throw new LifelineError('authentication-required');
        const deleteAt = account.deletion_due_at ?? now + DELETION_GRACE_MS;
        await deps.accounts.update(trx, account.id, { deletion_requested_at: account.deletion_requested_at ?? now, deletion_due_at: deleteAt }, now);
        await deps.sessions.revokeAll(trx, account.id);
        const locale = localeOf(account);
        const details = describeAccountEvent(deps.translator, account, client, now);
        await deps.notifier.notify(trx, {
          kind: 'account.deletion-scheduled',
          locale,
          accountId: account.id,
          params: { ...details, deleteAt: formatEventTime(deleteAt, locale, account.time_zone) },
          origin: client,
          details: { deleteAt: new Date(deleteAt).toISOString() },
        });
        return { deleteAt };
      });
    },

    deleteNow,

    async purgeDue() {
      const due = await deps.accounts.idsDue(database.db, 'deletion_due_at', clock.now());
      let deleted = 0;
      for (const id of due) {
        // One account that fails (a database hiccup) must not hold up the others: logged, tried again next round.
        const done = await inTransaction(database, async (trx) => {
          const account = await deps.accounts.findByIdForUpdate(trx, id, database.dialect === 'postgres');
          if (!account || account.deletion_due_at === null || account.deletion_due_at > clock.now()) return false;
          await deleteNow(trx, account);
          return true;
        }).catch((error: unknown) => {
          deps.logger.warn(
            { event: 'account.deletion_failed', accountId: id, err: (error as Error).message },
            'deleting an account failed; next round tries again',
          );
          return false;
        });
        if (done) {
          deleted++;
          deps.logger.info({ event: 'account.deleted', accountId: id }, 'account deleted after its grace period');
        }
      }
      return deleted;
    },
  };
}
