import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { SecurityLogPage } from '../../src/contract/security-log.js';
import type { Lang } from './browser-instance.js';
import { focusInfo, heading, profileTime, text } from './browser-page.js';

/**
 * The page side of the browser tests of "Sicherheitsaktivität" (Profil → Geräte & Aktivität;
 * docs/ui.md "Geräte & Aktivität"): its words, the events as a person reads them (grouped by
 * day, each a disclosure: what happened and the time of day in its summary, the device and IP
 * inside) and what each must say, computed here from the API's log.
 */

export type LogItem = SecurityLogPage['items'][number];

/** The zone of every account createAccount makes, and of the test's browsers. */
export const ACTIVITY_ZONE = 'Europe/Berlin';

/**
 * The words of the section and its page (`profile`: the heading of the profile's page "Geräte &
 * Aktivität"), and the sentence of each event type the tests cause (the UI's own wording).
 */
export const ACTIVITY_WORDS = {
  de: {
    profile: 'Geräte & Aktivität',
    section: 'Sicherheitsaktivität',
    zone: 'Zeitangaben in der Zeitzone Europe/Berlin.',
    today: 'Heute',
    yesterday: 'Gestern',
    more: 'Weitere laden',
    unknownDevice: 'Unbekanntes Gerät',
    ip: (ip: string) => `IP-Adresse ${ip}`,
    loaded: (count: number) => `${count} weitere Ereignisse geladen. Das sind alle Ereignisse der letzten 90 Tage.`,
    switchLanguage: 'Switch to English',
    notMe: {
      button: 'Das war ich nicht',
      question:
        'Zu Ihrem Schutz geht das nur über Ihre E-Mail-Adresse für die Anmeldung: Wir senden Ihnen dorthin einen Link. Er macht die Änderung rückgängig, wo das geht, entfernt Wiederherstellungsoptionen, die erst seit Kurzem bestehen, meldet alle Sitzungen ab und sperrt die Anmeldung, bis Sie über „Passwort vergessen?“ ein neues Passwort festlegen.',
      sendLink: 'Link an meine E-Mail-Adresse senden',
      cancel: 'Abbrechen',
      linkSent: (address: string) => `Wir haben einen Link an ${address} gesendet. Öffnen Sie ihn, um Ihr Konto zu sichern; bis dahin ändert sich nichts.`,
      mailSubject: 'Lifeline: Ihr Link „Das war ich nicht“',
      undoPageTitle: 'Das war ich nicht',
      undoSubmit: 'Konto jetzt sichern',
      undoDone: 'Ihr Konto ist gesichert',
    },
    events: {
      'account.created': 'Konto erstellt',
      'account.email_verified': 'E-Mail-Adresse bestätigt',
      'account.preferences_changed': 'Sprache oder Zeitzone geändert',
      'password.changed': 'Passwort geändert',
      'sessions.revoked_by_password_change': 'Andere Sitzungen nach der Passwortänderung abgemeldet',
      'session.reauthenticated': 'Passwort zur Bestätigung erneut eingegeben',
      'recovery_email.setup_requested': 'Bestätigungslink für eine Wiederherstellungs-E-Mail gesendet',
      'recovery_email.added': 'Wiederherstellungs-E-Mail eingerichtet',
      'session.signed_in': 'Anmeldung',
      'session.signed_in_new_device': 'Anmeldung von einem neuen Gerät',
    } as Record<string, string>,
  },
  en: {
    profile: 'Devices & activity',
    section: 'Security activity',
    zone: 'Times are shown in the time zone Europe/Berlin.',
    today: 'Today',
    yesterday: 'Yesterday',
    more: 'Show more',
    unknownDevice: 'Unknown device',
    ip: (ip: string) => `IP address ${ip}`,
    loaded: (count: number) => `${count} more events loaded. These are all events of the last 90 days.`,
    switchLanguage: 'Auf Deutsch wechseln',
    notMe: {
      button: 'This wasn’t me',
      question:
        'To protect you, this works only through your sign-in email address: we send a link there. It undoes the change where it can, removes recovery options set up only recently, signs out every session and blocks signing in until you set a new password with “Forgot password?”.',
      sendLink: 'Send the link to my email address',
      cancel: 'Cancel',
      linkSent: (address: string) => `We have sent a link to ${address}. Open it to secure your account; until then nothing changes.`,
      mailSubject: 'Lifeline: your “This wasn’t me” link',
      undoPageTitle: 'This wasn’t me',
      undoSubmit: 'Secure my account now',
      undoDone: 'Your account is secured',
    },
    events: {
      'account.created': 'Account created',
      'account.email_verified': 'Email address confirmed',
      'account.preferences_changed': 'Language or time zone changed',
      'password.changed': 'Password changed',
      'sessions.revoked_by_password_change': 'Other sessions signed out after the password change',
      'session.reauthenticated': 'Password entered again to confirm an action',
      'recovery_email.setup_requested': 'Confirmation link for a recovery email sent',
      'recovery_email.added': 'Recovery email set up',
      'session.signed_in': 'Signed in',
      'session.signed_in_new_device': 'Signed in from a new device',
    } as Record<string, string>,
  },
} as const;

/** The section "Sicherheitsaktivität" (a region named by its heading). */
export function activitySection(page: Page, lang: Lang): Locator {
  return page.getByRole('region', { name: ACTIVITY_WORDS[lang].section });
}

/** The profile's page "Geräte & Aktivität" at `origin`, loaded afresh (its heading in `lang`). */
export async function openActivity(page: Page, origin: string, lang: Lang): Promise<void> {
  await page.goto(`${origin}/profile/activity`);
  await heading(page, ACTIVITY_WORDS[lang].profile).waitFor();
}

/** The whole log as the API at `origin` gives it to the page's session, every page. */
export async function wholeLog(page: Page, origin: string): Promise<LogItem[]> {
  const items: LogItem[] = [];
  let cursor: string | null = null;
  do {
    const response = await page.request.get(`${origin}/api/v1/security-log${cursor ? `?cursor=${cursor}` : ''}`);
    expect(response.status()).toBe(200);
    const body = (await response.json()) as SecurityLogPage;
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor !== null);
  return items;
}

/**
 * One event as a person reads it: the sentence and the time of day (the summary), the moment in
 * full (`<time dateTime>`), and what opens below (device, IP address).
 */
export interface EventText {
  readonly what: string;
  readonly time: string;
  readonly dateTime: string;
  readonly details: string;
}

/** The events of `lists` (the section's lists, one a day), top to bottom, once there are `count` of them. */
export async function eventTexts(lists: Locator, count: number): Promise<EventText[]> {
  const items = lists.getByRole('listitem');
  await items.nth(count - 1).waitFor();
  expect(await items.count()).toBe(count);
  const found: EventText[] = [];
  for (const item of await items.all()) {
    const time = item.locator('summary time');
    found.push({
      what: await text(item.locator('summary .security-event-what')),
      time: await text(time),
      dateTime: (await time.getAttribute('datetime')) ?? '',
      // Read whether the entry is open or not (textContent): what it would show.
      details: await text(item.locator('details .security-event-details')),
    });
  }
  return found;
}

/** What the event `item` must say in `lang`: its sentence, the time of day in the account's zone with the zone's name; inside, device and IP. */
export function expectedText(item: LogItem, lang: Lang): EventText {
  const words = ACTIVITY_WORDS[lang];
  const what = words.events[item.type];
  if (what === undefined) throw new Error(`the test knows no ${lang} sentence for ${item.type}`);
  const details = [item.device ?? words.unknownDevice, ...(item.ip ? [words.ip(item.ip)] : [])].join(' ');
  return { what, time: profileTime(item.createdAt, lang, 'clock'), dateTime: item.createdAt, details };
}

/** The calendar day of `moment` in the account's zone ("2026-12-07"). */
function berlinDay(moment: number): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: ACTIVITY_ZONE }).format(moment);
}

/**
 * The heading of the day of `iso` in `lang` when the browser's clock says `now`: "Heute" and
 * "Gestern" (in the account's zone), any other day, a future one too, by its date ("Montag,
 * 7. Dezember 2026", "Monday, 7 December 2026").
 */
export function dayHeading(iso: string, lang: Lang, now: number): string {
  const day = berlinDay(Date.parse(iso));
  const today = berlinDay(now);
  const [y = 0, m = 1, d = 1] = today.split('-').map(Number);
  if (day === today) return ACTIVITY_WORDS[lang].today;
  if (day === new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10)) return ACTIVITY_WORDS[lang].yesterday;
  const format = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: ACTIVITY_ZONE } as const;
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', format).format(new Date(iso));
}

/** A day as the section shows it: its heading and the sentences under it. */
export interface ShownDay {
  readonly heading: string;
  readonly whats: readonly string[];
}

/**
 * The days the section shows, top to bottom: each an h3 and, named by it, a list of its events
 * (each day's list found by its name, so a list without its heading does not count).
 */
export async function shownDays(section: Locator): Promise<ShownDay[]> {
  const headings = await section.getByRole('heading', { level: 3 }).allTextContents();
  const days: ShownDay[] = [];
  for (const name of headings) {
    const list = section.getByRole('list', { name, exact: true });
    const whats = await list.locator('.security-event-what').allTextContents();
    days.push({ heading: name, whats });
  }
  expect(await section.getByRole('list').count(), 'one list per day').toBe(headings.length);
  return days;
}

/** The days the section must show for `items` (newest first) in `lang` when the browser's clock says `now`. */
export function expectedDays(items: readonly LogItem[], lang: Lang, now: number): ShownDay[] {
  const days: { heading: string; whats: string[] }[] = [];
  for (const item of items) {
    const name = dayHeading(item.createdAt, lang, now);
    const what = expectedText(item, lang).what;
    const last = days.at(-1);
    if (last?.heading === name) last.whats.push(what);
    else days.push({ heading: name, whats: [what] });
  }
  return days;
}

/** The entry of the one event that reads `what` (its sentence, exactly). */
export function eventEntry(lists: Locator, what: string): Locator {
  return lists.getByRole('listitem').filter({ has: lists.page().locator('.security-event-what').getByText(what, { exact: true }) });
}

/** Whether the entry's disclosure is open. */
export async function isOpen(entry: Locator): Promise<boolean> {
  return (await entry.locator('details').getAttribute('open')) !== null;
}

/** Opens the entry with a click on its summary, unless it is open already. */
export async function openEntry(entry: Locator): Promise<void> {
  if (!(await isOpen(entry))) await entry.locator('summary').click();
  await entry.locator('.security-event-details').waitFor();
}

/**
 * The sentences of the entries that hold "Das war ich nicht", top to bottom, whether open or
 * not (the button inside a closed entry is hidden, so it is looked for among hidden ones too).
 */
export async function notMeEntries(lists: Locator, lang: Lang): Promise<string[]> {
  const button = lists.page().getByRole('button', { name: ACTIVITY_WORDS[lang].notMe.button, exact: true, includeHidden: true });
  const items = lists.getByRole('listitem').filter({ has: button });
  return Promise.all((await items.all()).map((item) => text(item.locator('.security-event-what'))));
}

/**
 * The Tab stops in `section` from its heading on until the focus is on `until` or leaves the section: each stop's tag and name, each
 * with its focus showing. The keyboard starts at the page's heading (where a page of the profile
 * puts the focus) and passes what comes before the section uncounted.
 */
export async function tabStops(page: Page, until: string, max = 80): Promise<{ tag: string; name: string }[]> {
  await page.getByRole('heading', { level: 1 }).focus();
  const stops: { tag: string; name: string }[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(focusInfo);
    const inside = focused !== null && focused.section === 'security-activity-title';
    if (!inside && stops.length === 0) continue;
    if (!inside) break;
    expect(focused.focusVisible, `focus visible on "${focused.name}"`).toBe(true);
    expect(focused.outlineStyle, `outline on "${focused.name}"`).not.toBe('none');
    stops.push({ tag: focused.tag, name: focused.name });
    if (focused.name === until) break;
  }
  return stops;
}
