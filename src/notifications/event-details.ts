import { describeUserAgent } from '../core/user-agent.js';
import { localeOf, type Locale, type Translator } from '../i18n/translator.js';

export interface EventCircumstances {
  /** When it happened (epoch ms). */
  readonly at: number;
  readonly locale: Locale;
  /** The account's IANA time zone: times in notices are the reader's local time, named. */
  readonly timeZone: string;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

/**
 * The "when, from which device, from where" of a security notice, as message params: the
 * time in the account's zone with the zone's name, browser and OS from the user agent, the IP.
 */
export function describeEvent(translator: Translator, event: EventCircumstances): { when: string; device: string; ip: string } {
  const when = formatEventTime(event.at, event.locale, event.timeZone);
  const { browser, os } = describeUserAgent(event.userAgent);
  const device =
    browser && os
      ? translator.text(event.locale, 'mail.event.deviceOn', { browser, os })
      : (browser ?? os ?? translator.text(event.locale, 'mail.event.unknownDevice'));
  // An empty IP is no IP (a change the worker applied on its own).
  return { when, device, ip: event.ip || translator.text(event.locale, 'mail.event.unknownIp') };
}

/**
 * {@link describeEvent} for a change of an account made by a client: in the account's language
 * and time zone, with the client's browser and IP.
 */
export function describeAccountEvent(
  translator: Translator,
  account: { readonly locale: string; readonly time_zone: string },
  client: { readonly ip?: string | null; readonly userAgent?: string | null },
  at: number,
): { when: string; device: string; ip: string } {
  return describeEvent(translator, { at, locale: localeOf(account), timeZone: account.time_zone, ip: client.ip, userAgent: client.userAgent });
}

/** "25. November 2026, 16:05 MEZ": a moment in the account's zone, with the zone's name. */
export function formatEventTime(at: number, locale: Locale, timeZone: string): string {
  try {
    // Components, not dateStyle/timeStyle: those cannot be combined with timeZoneName (a
    // TypeError that would leave every notice with the UTC fallback below).
    return new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    }).format(at);
  } catch {
    return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
}
