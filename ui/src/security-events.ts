export { eventTextKey } from '../../src/contract/security-event-types.js';

/**
 * "25. November 2026, 16:05 MEZ": components rather than dateStyle/timeStyle, which cannot be
 * combined with timeZoneName (as in the notices, src/notifications/event-details.ts). A zone the
 * browser does not know falls back to UTC, named.
 */
export function formatEventTime(iso: string, locale: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  const language = locale === 'de' ? 'de-DE' : 'en-GB';
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language, { ...options, timeZone: 'UTC' }).format(new Date(iso));
  }
}
