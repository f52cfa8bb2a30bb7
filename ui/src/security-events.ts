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
  return zoned(locale === 'de' ? 'de-DE' : 'en-GB', options, timeZone).format(new Date(iso));
}

/**
 * The time of day with its zone ("16:05 MEZ"), in `timeZone`: the profile names one zone, the
 * account's, wherever it shows a time (docs/ui.md "Times"). A zone the browser does not know
 * falls back to UTC, named.
 */
export function formatZonedClock(iso: string, locale: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  return zoned(locale === 'de' ? 'de-DE' : 'en-GB', options, timeZone).format(new Date(iso));
}

/** A formatter in `timeZone`, or in UTC when the browser does not know that zone (as above). */
function zoned(language: string, options: Intl.DateTimeFormatOptions, timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone });
  } catch {
    return new Intl.DateTimeFormat(language, { ...options, timeZone: 'UTC' });
  }
}

/** The calendar day of a moment in `timeZone`, as "2026-12-07": the key of its day group. */
export function dayKey(moment: number, timeZone: string): string {
  const parts = zoned('en-US', { year: 'numeric', month: '2-digit', day: '2-digit' }, timeZone).formatToParts(moment);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The day before a day key ("2026-12-01" → "2026-11-30"): calendar arithmetic, so a change to or from summer time does not matter. */
function dayBefore(key: string): string {
  const [year = 0, month = 1, day = 1] = key.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

/** One day of the security log: its events (newest first) and how its heading names it. */
export interface EventDay<T> {
  readonly key: string;
  /** "today" and "yesterday" are said as words ("Heute", "Gestern"); any other day (a future one too) by its date. */
  readonly relation: 'today' | 'yesterday' | 'other';
  /** "Montag, 7. Dezember 2026" / "Monday, 7 December 2026". */
  readonly date: string;
  readonly items: readonly T[];
}

/**
 * The events (newest first) grouped by their day in the account's zone, in their order: events
 * of one day that came on two pages of "Weitere laden" form one group. "Today" is the day of
 * `now` (the browser's clock) in the same zone (docs/ui.md "Geräte & Aktivität").
 */
export function groupByDay<T extends { readonly createdAt: string }>(items: readonly T[], locale: string, timeZone: string, now: number): EventDay<T>[] {
  const today = dayKey(now, timeZone);
  const yesterday = dayBefore(today);
  const dateFormat = zoned(locale === 'de' ? 'de-DE' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, timeZone);
  // By key, not only the last group: should the order ever interleave, a day still has one group (and one React key).
  const days = new Map<string, { key: string; relation: EventDay<T>['relation']; date: string; items: T[] }>();
  for (const item of items) {
    const moment = Date.parse(item.createdAt);
    const key = dayKey(moment, timeZone);
    const day = days.get(key);
    if (day) day.items.push(item);
    else days.set(key, { key, relation: key === today ? 'today' : key === yesterday ? 'yesterday' : 'other', date: dateFormat.format(moment), items: [item] });
  }
  return [...days.values()];
}
