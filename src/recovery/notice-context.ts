import type { AccountRow } from '../db/tables.js';
import { isLocale, type Locale, type Translator } from '../i18n/translator.js';
import { describeEvent } from '../notifications/event-details.js';
import type { ClientInfo } from '../sessions/session-service.js';

/** The language an account's messages are written in (German when the stored value is unknown). */
export function localeOf(account: Pick<AccountRow, 'locale'>): Locale {
  return isLocale(account.locale) ? account.locale : 'de';
}

/** "When, from which device, from where" of a recovery change, in the account's language and time zone. */
export function changeDetails(translator: Translator, account: Pick<AccountRow, 'locale' | 'time_zone'>, client: ClientInfo, at: number) {
  return describeEvent(translator, { at, locale: localeOf(account), timeZone: account.time_zone, ip: client.ip, userAgent: client.userAgent });
}
