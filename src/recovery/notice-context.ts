import type { AccountRow } from '../db/tables.js';
import type { Translator } from '../i18n/translator.js';
import { describeAccountEvent } from '../notifications/event-details.js';
import type { ClientInfo } from '../sessions/session-service.js';

export { localeOf } from '../i18n/translator.js';

/** "When, from which device, from where" of a recovery change, in the account's language and time zone. */
export function changeDetails(translator: Translator, account: Pick<AccountRow, 'locale' | 'time_zone'>, client: ClientInfo, at: number) {
  return describeAccountEvent(translator, account, client, at);
}
