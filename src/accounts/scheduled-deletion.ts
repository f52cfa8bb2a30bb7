import type { Clock } from '../core/clock.js';
import type { Executor } from '../db/database.js';
import type { AccountRow } from '../db/tables.js';
import { localeOf, type Translator } from '../i18n/translator.js';
import { describeAccountEvent } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import type { ClientInfo } from '../sessions/session-service.js';
import type { AccountRepository } from './account-repository.js';

/**
 * Cancels a scheduled deletion ("Konto löschen" waits 7 days, docs/reference/product.md) because the
 * owner showed up: a sign-in, a password reset, or "Das war ich nicht" (each calls this in its
 * transaction). The account stays, and its addresses are told. Answers whether one was cancelled.
 */
export async function cancelScheduledDeletion(
  trx: Executor,
  deps: { accounts: AccountRepository; notifier: Notifier; translator: Translator; clock: Clock },
  account: AccountRow,
  client: ClientInfo,
): Promise<boolean> {
  if (account.deletion_due_at === null) return false;
  if (!(await deps.accounts.cancelDeletion(trx, account.id))) return false;
  const locale = localeOf(account);
  const details = describeAccountEvent(deps.translator, account, client, deps.clock.now());
  await deps.notifier.notify(trx, { kind: 'account.deletion-cancelled', locale, accountId: account.id, params: details, origin: client });
  return true;
}
