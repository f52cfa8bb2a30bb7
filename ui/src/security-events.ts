export { eventTextKey } from '../../src/contract/security-event-types.js';

/** The time of day ("16:05") in the page's language and the browser's zone: until when a code is good, from when it can be sent again. */
export function formatClockTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { timeStyle: 'short' }).format(new Date(iso));
}

/**
 * "25. November 2026 um 16:05 MEZ" (with `month: 'short'` "25. Nov. 2026, 16:05 MEZ", for lists
 * on a phone's width): components rather than dateStyle/timeStyle, which cannot be
 * combined with timeZoneName (as in the notices, src/notifications/event-details.ts). A zone the
 * browser does not know falls back to UTC, named.
 */
export function formatEventTime(iso: string, locale: string, timeZone: string, month: 'long' | 'short' = 'long'): string {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month, year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  const language = locale === 'de' ? 'de-DE' : 'en-GB';
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language, { ...options, timeZone: 'UTC' }).format(new Date(iso));
  }
}

/**
 * The time of day with its zone ("16:05 MEZ"), in `timeZone`: the profile names one zone, the
 * account's, wherever it shows a time (docs/ui.md "Times"). A zone the browser does not know
 * falls back to UTC, named.
 */
export function formatZonedClock(iso: string, locale: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  const language = locale === 'de' ? 'de-DE' : 'en-GB';
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language, { ...options, timeZone: 'UTC' }).format(new Date(iso));
  }
}
