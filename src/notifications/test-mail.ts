import type { Database } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import type { Locale } from '../i18n/translator.js';
import type { Notifier } from './notifier.js';

/**
 * Queues the operator's test mail (`lifeline mail-test --to ADDRESS`) through the outbox, the
 * same way as every other message, so it proves the whole path: outbox, worker, transport.
 */
export async function queueTestMail(deps: { database: Database; notifier: Notifier }, input: { to: string; locale: Locale }): Promise<string> {
  const result = await inTransaction(deps.database, (trx) => deps.notifier.notify(trx, { kind: 'operator.test-mail', to: input.to, locale: input.locale }));
  const [id] = result.messageIds;
  if (id === undefined) throw new Error('the test mail was not queued');
  return id;
}
