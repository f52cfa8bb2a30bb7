import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type { SecurityLogPage } from '../../src/contract/security-log.js';
import { waitFor } from '../helpers/browser.js';
import { apiClient } from '../helpers/api-client.js';
import { createAccount, mailsTo, NO_API_RATE_LIMIT, ownerApi, PASSWORD, tokenLink, type Lang } from '../helpers/browser-instance.js';
import { checkState, focusInfo, heading, newPage, PHONE_DEVICE, signIn, tabTo, text, type PageOptions } from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';

/**
 * Profil → "Sicherheitsaktivität" in a real Chromium against a real server: events caused
 * through the API (a password change, a recovery e-mail set up and confirmed, a sign-in from
 * another browser) are listed newest first, each as a sentence in the UI's language with the
 * time in the account's zone (named), the device ("Unbekanntes Gerät" when none is known) and
 * the IP; the language switch turns them into English (and is itself listed); more than a page
 * of events (25 sign-ins) shows "Weitere laden", which appends the rest, moves the focus to the
 * first new event, says how many came politely and disappears after the last page. "Das war
 * ich nicht" stands beside the events the API calls `undoable`; on a phone, by keyboard, it asks
 * first (focus on the question, "Abbrechen" back to the button) and offers only "Link an meine
 * E-Mail-Adresse senden": never with the password alone (an intruder who knows it and is still
 * signed in must not undo the owner's repair), the event's link goes to the login e-mail, the row
 * says where (focus on it) and nothing changes until the link is opened; its page then ends every
 * session and blocks signing in (password-reset-required). English the same. On every
 * state: no console error or failed request, no serious axe violation, no sideways scrolling at
 * 375 px; screenshots of the section at 1280 and 375 px in
 * test-results/screenshots/security-activity-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

const NEW_PASSWORD = 'Kanu über dem Mühlteich 42';
const ZONE = 'Europe/Berlin';

/**
 * The words of the section and its page (`profile`: the heading of the profile's page "Geräte &
 * Aktivität"), and the sentence of each event type the test causes (the UI's own wording).
 */
const WORDS = {
  de: {
    profile: 'Geräte & Aktivität',
    section: 'Sicherheitsaktivität',
    zone: 'Zeitangaben in der Zeitzone Europe/Berlin.',
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
    more: 'Show more',
    unknownDevice: 'Unknown device',
    ip: (ip: string) => `IP address ${ip}`,
    loaded: (count: number) => `${count} more events loaded. These are all events of the last 90 days.`,
    switchLanguage: 'Auf Deutsch wechseln',
    notMe: {
      button: 'This wasn’t me',
      question:
        'To protect you, this works only through your sign-in e-mail address: we send a link there. It undoes the change where it can, removes recovery options set up only recently, signs out every session and blocks signing in until you set a new password with “Forgot password?”.',
      sendLink: 'Send the link to my e-mail address',
      cancel: 'Cancel',
      linkSent: (address: string) => `We have sent a link to ${address}. Open it to secure your account; until then nothing changes.`,
      mailSubject: 'Lifeline: your “This wasn’t me” link',
      undoPageTitle: 'This wasn’t me',
      undoSubmit: 'Secure my account now',
      undoDone: 'Your account is secured',
    },
    events: {
      'account.created': 'Account created',
      'account.email_verified': 'E-mail address confirmed',
      'account.preferences_changed': 'Language or time zone changed',
      'password.changed': 'Password changed',
      'sessions.revoked_by_password_change': 'Other sessions signed out after the password change',
      'session.reauthenticated': 'Password entered again to confirm an action',
      'recovery_email.setup_requested': 'Confirmation link for a recovery e-mail sent',
      'recovery_email.added': 'Recovery e-mail set up',
      'session.signed_in': 'Signed in',
      'session.signed_in_new_device': 'Signed in from a new device',
    } as Record<string, string>,
  },
} as const;

/** One row as a person reads it: the sentence, the time (and its datetime), the rest of the line. */
interface Row {
  readonly what: string;
  readonly time: string;
  readonly dateTime: string;
  readonly details: string;
}

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: security activity (Profil → Geräte & Aktivität → Sicherheitsaktivität)', () => {
    const run = useBrowserRun(chromiumPath, 'lifeline-security-ui-', NO_API_RATE_LIMIT);

    /** A fresh page in its own context (own cookies: another device), the account's time zone. */
    const openPage = (options: PageOptions = {}) => newPage(run.chrome, { timezoneId: ZONE, ...options });

    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator) =>
      checkState(page, failures, { prefix: 'security-activity', state, lang, target });

    /** checkState on a phone's page: afterwards it is back at its own width. */
    const checkOnPhone = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'page') =>
      checkStateAtOwnWidth(page, failures, { prefix: 'security-activity', state, lang, target });

    const section = (page: Page, lang: Lang) => page.getByRole('region', { name: WORDS[lang].section });

    /** The profile's page "Geräte & Aktivität" loaded afresh (its heading in the words' language). */
    async function openActivity(page: Page, words: { readonly profile: string }): Promise<void> {
      await page.goto(`${run.baseUrl}/profile/activity`);
      await heading(page, words.profile).waitFor();
    }

    /** The whole log as the API gives it to the page's session, every page. */
    async function wholeLog(page: Page): Promise<SecurityLogPage['items']> {
      const items: SecurityLogPage['items'] = [];
      let cursor: string | null = null;
      do {
        const response = await page.request.get(`${run.baseUrl}/api/v1/security-log${cursor ? `?cursor=${cursor}` : ''}`);
        expect(response.status()).toBe(200);
        const body = (await response.json()) as SecurityLogPage;
        items.push(...body.items);
        cursor = body.nextCursor;
      } while (cursor !== null);
      return items;
    }

    /** A state-changing API call with the page's cookies and its session's CSRF token. */
    async function send(page: Page, method: 'PUT' | 'POST', path: string, data: unknown): Promise<number> {
      const session = (await (await page.request.get(`${run.baseUrl}/api/v1/session`)).json()) as { csrfToken: string };
      const response = await page.request.fetch(`${run.baseUrl}${path}`, { method, data, headers: { 'x-csrf-token': session.csrfToken } });
      return response.status();
    }

    /** The sentences of the rows that carry "Das war ich nicht", top to bottom. */
    async function notMeRows(list: Locator, lang: Lang): Promise<string[]> {
      const items = list.getByRole('listitem').filter({ has: list.page().getByRole('button', { name: WORDS[lang].notMe.button, exact: true }) });
      return Promise.all((await items.all()).map((item) => text(item.locator('.security-event-what'))));
    }

    /** The row of the one event that reads `what` (its sentence, exactly). */
    function eventRow(list: Locator, what: string): Locator {
      return list.getByRole('listitem').filter({ has: list.page().locator('.security-event-what').getByText(what, { exact: true }) });
    }

    /** The rows of the list, top to bottom, once it shows `count` of them. */
    async function rows(list: Locator, count: number): Promise<Row[]> {
      const items = list.getByRole('listitem');
      await items.nth(count - 1).waitFor();
      expect(await items.count()).toBe(count);
      const found: Row[] = [];
      for (const item of await items.all()) {
        const time = item.locator('time');
        const details = await text(item.locator('.security-event-details'));
        found.push({
          what: await text(item.locator('.security-event-what')),
          time: await text(time),
          dateTime: (await time.getAttribute('datetime')) ?? '',
          details,
        });
      }
      return found;
    }

    /** What the row of `item` must say in `lang`: its sentence, the time in the account's zone with the zone's name, device and IP. */
    function expected(item: SecurityLogPage['items'][number], lang: Lang): Row {
      const words = WORDS[lang];
      const what = words.events[item.type];
      if (what === undefined) throw new Error(`the test knows no ${lang} sentence for ${item.type}`);
      const time = new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: ZONE,
        timeZoneName: 'short',
      }).format(new Date(item.createdAt));
      const details = [time, item.device ?? words.unknownDevice, ...(item.ip ? [words.ip(item.ip)] : [])].join(' ');
      return { what, time, dateTime: item.createdAt, details };
    }

    it('German, then English: each event as a sentence, newest first, with time (account zone), device and IP; the switch itself is listed', async () => {
      const login = 'mara.wolf@example.test';
      const recoveryAddress = 'mara.privat@example.org';
      const failures: string[] = [];
      // account.created and account.email_verified (through the API, no browser: "Unbekanntes Gerät").
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await openPage({ lang: 'de' });
      await signIn(page, run.baseUrl, login);

      // A password change, a recovery e-mail set up and confirmed from elsewhere, a sign-in from another browser.
      expect(await send(page, 'PUT', '/api/v1/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).toBe(200);
      expect(await send(page, 'PUT', '/api/v1/recovery/email', { address: recoveryAddress })).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, recoveryAddress)).searchParams.get('token');
      const confirmed = await fetch(`${run.baseUrl}/api/v1/recovery/email/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(confirmed.status).toBe(200);
      const other = await openPage({ lang: 'de' });
      await signIn(other.page, run.baseUrl, login, { password: NEW_PASSWORD });
      expect(other.problems, 'the other browser').toEqual([]);
      await other.context.close();

      // The profile again: the section lists the API's events in the API's order, in German.
      await openActivity(page, WORDS.de);
      const de = section(page, 'de');
      await expect(text(de.locator('.security-zone'))).resolves.toBe(WORDS.de.zone);
      const log = await wholeLog(page);
      expect(log.length).toBeLessThanOrEqual(20);
      const list = de.getByRole('list');
      const shown = await rows(list, log.length);
      expect(shown).toEqual(log.map((item) => expected(item, 'de')));
      // Newest first: each step's event above the earlier steps' (events of one step share their time);
      // the steps on the way to a change ("Bestätigungslink … gesendet") are not listed.
      expect(shown.map((row) => row.what)).not.toContain('Bestätigungslink für eine Wiederherstellungs-E-Mail gesendet');
      const order = [
        'Anmeldung von einem neuen Gerät',
        'Wiederherstellungs-E-Mail eingerichtet',
        'Passwort geändert',
        'Anmeldung',
        'E-Mail-Adresse bestätigt',
        'Konto erstellt',
      ];
      const positions = order.map((what) => shown.findIndex((row) => row.what === what));
      expect(
        positions.every((position) => position >= 0),
        JSON.stringify(shown.map((row) => row.what)),
      ).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      const times = shown.map((row) => Date.parse(row.dateTime));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      // The account's zone, named; the confirmation sent by a program (no browser) is from an unknown device, the browser's is named.
      expect(shown[0]?.time).toMatch(/ MES?Z$/);
      expect(shown.find((row) => row.what === 'Wiederherstellungs-E-Mail eingerichtet')?.details).toContain(WORDS.de.unknownDevice);
      expect(shown[0]?.details).not.toContain(WORDS.de.unknownDevice);
      // One page only: no "Weitere laden"; "Das war ich nicht" beside each event whose notice link is still live (the API's `undoable`), and only there.
      const undoable = log.filter((item) => item.undoable).map((item) => WORDS.de.events[item.type]);
      expect(undoable).toEqual(['Anmeldung von einem neuen Gerät', 'Wiederherstellungs-E-Mail eingerichtet', 'Passwort geändert']);
      await expect(de.getByRole('button', { name: WORDS.de.more }).count()).resolves.toBe(0);
      await expect(de.getByRole('button').count()).resolves.toBe(undoable.length);
      await expect(notMeRows(de, 'de')).resolves.toEqual(undoable);
      await check(page, failures, 'de', 'list', de);

      // English: the same events in English; the switch is stored on the account, which writes an event on top.
      await page.getByRole('button', { name: WORDS.de.switchLanguage }).click();
      await heading(page, WORDS.en.profile).waitFor();
      const en = section(page, 'en');
      const enList = en.getByRole('list');
      const shownEn = await rows(enList, log.length + 1);
      const logEn = await wholeLog(page);
      expect(logEn[0]?.type).toBe('account.preferences_changed');
      expect(shownEn).toEqual(logEn.map((item) => expected(item, 'en')));
      expect(shownEn[0]?.what).toBe('Language or time zone changed');
      await expect(text(en.locator('.security-zone'))).resolves.toBe(WORDS.en.zone);
      await check(page, failures, 'en', 'list', en);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('more than 20 events: "Weitere laden" appends the rest by keyboard, moves the focus to the first new event, says how many, and goes', async () => {
      const login = 'jonas.berg@example.test';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await openPage({ lang: 'de' });
      await signIn(page, run.baseUrl, login);
      // 25 more sign-ins from this browser (its device cookie: a known device), one after the other.
      for (let i = 0; i < 25; i++) {
        const response = await page.request.post(`${run.baseUrl}/api/v1/login`, { data: { email: login, password: PASSWORD } });
        expect(response.status(), `sign-in ${i + 1}`).toBe(200);
      }
      const log = await wholeLog(page);
      expect(log.length).toBe(28);

      await openActivity(page, WORDS.de);
      const de = section(page, 'de');
      const list = de.getByRole('list');
      const firstPage = await rows(list, 20);
      expect(firstPage).toEqual(log.slice(0, 20).map((item) => expected(item, 'de')));
      const more = de.getByRole('button', { name: WORDS.de.more, exact: true });
      await more.waitFor();
      await check(page, failures, 'de', 'first-page', de);

      // By keyboard: the rest is appended (no row twice), the focus is on the first new row, the count is said politely.
      await tabTo(page, WORDS.de.more);
      const all = await rows(list, log.length);
      expect(all).toEqual(log.map((item) => expected(item, 'de')));
      await more.waitFor({ state: 'detached' });
      const focused = await page.evaluate(focusInfo);
      expect(focused).toMatchObject({ tag: 'li', section: 'security-activity-title' });
      expect(focused?.name).toContain(all[20]?.what ?? '?');
      // The 21st row itself (an expression: the project compiles without the DOM library).
      await expect(page.evaluate("document.activeElement === document.querySelectorAll('.security-event')[20]")).resolves.toBe(true);
      const live = de.locator('[aria-live="polite"]');
      await expect(text(live)).resolves.toBe(WORDS.de.loaded(8));
      await check(page, failures, 'de', 'all-loaded', de);

      // The language switch writes an event: it comes on top, the pages loaded below stay (no row twice).
      await page.getByRole('button', { name: WORDS.de.switchLanguage }).click();
      await heading(page, WORDS.en.profile).waitFor();
      const switched = await rows(section(page, 'en').getByRole('list'), log.length + 1);
      expect(switched[0]?.what).toBe('Language or time zone changed');
      expect(switched.slice(1).map((row) => row.dateTime)).toEqual(log.map((item) => item.createdAt));

      // English from the first page: "Show more" does the same.
      await openActivity(page, WORDS.en);
      const en = section(page, 'en');
      const logEn = await wholeLog(page);
      expect(logEn.length).toBe(29);
      await rows(en.getByRole('list'), 20);
      await check(page, failures, 'en', 'first-page', en);
      await tabTo(page, WORDS.en.more);
      expect(await rows(en.getByRole('list'), 29)).toEqual(logEn.map((item) => expected(item, 'en')));
      await expect(text(en.locator('[aria-live="polite"]'))).resolves.toBe(WORDS.en.loaded(9));
      await en.getByRole('button', { name: WORDS.en.more }).waitFor({ state: 'detached' });
      await check(page, failures, 'en', 'all-loaded', en);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    /**
     * "Link an meine E-Mail-Adresse senden" (pressed by `press`): one POST to the event's
     * undo-link route, 202; the row's note says where the link went and takes the focus.
     * Answers the note.
     */
    async function sendLink(page: Page, row: Locator, lang: Lang, eventId: string, address: string, press: () => Promise<unknown>): Promise<Locator> {
      const w = WORDS[lang].notMe;
      const [answer] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/undo-link') && r.request().method() === 'POST'),
        press(),
      ]);
      expect(answer.status()).toBe(202);
      expect(new URL(answer.url()).pathname).toBe(`/api/v1/security-log/${encodeURIComponent(eventId)}/undo-link`);
      expect(await answer.json()).toEqual({ sentTo: address });
      const note = row.getByRole('status');
      await expect(text(note)).resolves.toBe(w.linkSent(address));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ name: w.linkSent(address), section: 'security-activity-title' });
      // The question is gone with its buttons; nothing else in the row asks any more.
      await expect(row.getByRole('button').count()).resolves.toBe(0);
      return note;
    }

    /** The link of the "Das war ich nicht" mail to the login e-mail (the newest mail to it once there are more than `before`): the undo page. */
    async function mailedLink(login: string, lang: Lang, before: number): Promise<string> {
      const link = await tokenLink(run.baseUrl, login, before);
      expect(new URL(link).origin).toBe(run.baseUrl);
      expect(new URL(link).pathname).toBe('/undo');
      const mail = (await mailsTo(run.baseUrl, login))[0];
      expect(mail?.subject).toBe(WORDS[lang].notMe.mailSubject);
      return link;
    }

    it('German on a phone: "Das war ich nicht" beside the sign-in from another browser, by keyboard: the question, "Abbrechen", then "Link an meine E-Mail-Adresse senden" mails the link to the login e-mail, the row says where (focus on it); the link secures the account: every session ends, signing in is blocked', async () => {
      const w = WORDS.de;
      const login = 'lena.brandt@example.test';
      const newDevice = w.events['session.signed_in_new_device'] ?? '?';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      // A: the owner's phone (the browser that confirmed the sign-up), signed in just now.
      const { page, problems } = await openPage({ lang: 'de', ...PHONE_DEVICE });
      await signIn(page, run.baseUrl, login);
      const notMeRequests: string[] = [];
      page.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (request.method() === 'POST' && (path.includes('/undo') || path === '/api/v1/session/reauthenticate')) notMeRequests.push(path);
      });
      // B: another browser signs in with the same password: "Anmeldung von einem neuen Gerät", whose notice carries the link.
      const other = await openPage({ lang: 'de' });
      await signIn(other.page, run.baseUrl, login);
      const log = await wholeLog(page);
      const undoable = log.filter((item) => item.undoable);
      expect(undoable.map((item) => item.type)).toEqual(['session.signed_in_new_device']);
      const eventId = undoable[0]?.id ?? '?';

      await openActivity(page, w);
      const de = section(page, 'de');
      const list = de.getByRole('list');
      await rows(list, log.length);
      const row = eventRow(list, newDevice);
      await expect(row.count()).resolves.toBe(1);
      await expect(notMeRows(list, 'de')).resolves.toEqual([newDevice]);

      // "Das war ich nicht" by keyboard: the question in the row, the focus on it; only the link is offered, nothing is done yet.
      const question = row.getByRole('group', { name: w.notMe.button, exact: true });
      const openQuestion = async () => {
        await tabTo(page, w.notMe.button, { max: 80 });
        await question.waitFor();
        await expect(text(question.locator('p'))).resolves.toBe(w.notMe.question);
        await expect(question.getByRole('button').allTextContents()).resolves.toEqual([w.notMe.sendLink, w.notMe.cancel]);
        await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ name: w.notMe.question, section: 'security-activity-title' });
        // No password field anywhere: the password alone never undoes from here.
        await expect(de.getByLabel('Passwort').count()).resolves.toBe(0);
      };
      await openQuestion();
      // "Link an meine E-Mail-Adresse senden" is the primary (danger) action.
      await expect(question.getByRole('button', { name: w.notMe.sendLink, exact: true }).getAttribute('class')).resolves.toBe('primary danger');
      expect(notMeRequests).toEqual([]);
      await checkOnPhone(page, failures, 'de', 'not-me-question', de);

      // "Abbrechen": the button again, with the focus; nothing was sent.
      await tabTo(page, w.notMe.cancel);
      await question.waitFor({ state: 'detached' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.notMe.button, focusVisible: true });
      expect(notMeRequests).toEqual([]);

      // The same question in English (the language switch is stored on the account), then German again.
      await page.getByRole('button', { name: w.switchLanguage }).click();
      await heading(page, WORDS.en.profile).waitFor();
      const en = section(page, 'en');
      const enRow = eventRow(en.getByRole('list'), WORDS.en.events['session.signed_in_new_device'] ?? '?');
      await enRow.getByRole('button', { name: WORDS.en.notMe.button, exact: true }).click();
      const enQuestion = enRow.getByRole('group', { name: WORDS.en.notMe.button, exact: true });
      await expect(text(enQuestion.locator('p'))).resolves.toBe(WORDS.en.notMe.question);
      await expect(enQuestion.getByRole('button').allTextContents()).resolves.toEqual([WORDS.en.notMe.sendLink, WORDS.en.notMe.cancel]);
      await checkOnPhone(page, failures, 'en', 'not-me-question', en);
      await enQuestion.getByRole('button', { name: WORDS.en.notMe.cancel, exact: true }).click();
      await page.getByRole('button', { name: WORDS.en.switchLanguage }).click();
      await heading(page, w.profile).waitFor();
      expect(notMeRequests).toEqual([]);

      // The notice of the sign-in (its link is the one replaced) is delivered before the count.
      await waitFor(
        async () => (await mailsTo(run.baseUrl, login)).find((m) => m.subject === 'Lifeline: Anmeldung auf einem neuen Gerät'),
        'the new-device notice',
      );
      const mailsBefore = (await mailsTo(run.baseUrl, login)).length;

      // "Link an meine E-Mail-Adresse senden" by keyboard: one POST, no password dialog; the note says where, with the focus.
      await openQuestion();
      await sendLink(page, row, 'de', eventId, 'l***@example.test', () => tabTo(page, w.notMe.sendLink));
      expect(notMeRequests).toEqual([`/api/v1/security-log/${encodeURIComponent(eventId)}/undo-link`]);
      await expect(page.getByRole('dialog').count()).resolves.toBe(0);
      await checkOnPhone(page, failures, 'de', 'not-me-link-sent', de);
      // Until the link is opened nothing changes: both sessions live, the password signs in.
      expect((await page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(200);
      expect((await other.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(200);

      // The mail reaches the login e-mail; its link opens the undo page, whose button (by keyboard) secures the account.
      const link = await mailedLink(login, 'de', mailsBefore);
      await page.goto(link);
      await heading(page, w.notMe.undoPageTitle).waitFor();
      const [secured] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/security/undo' && r.request().method() === 'POST'),
        tabTo(page, w.notMe.undoSubmit),
      ]);
      expect(secured.status()).toBe(200);
      await heading(page, w.notMe.undoDone).waitFor();

      // Every session is gone; the password no longer signs in.
      expect((await page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);
      expect((await other.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);
      const blocked = await apiClient(run.instance.server.app).post('/api/v1/login', { email: login, password: PASSWORD });
      expect(blocked.status).toBe(403);
      expect(blocked.body.code).toBe('password-reset-required');

      expect(problems).toEqual([]);
      expect(other.problems, 'the other browser').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English: "Send the link to my e-mail address" mails the event’s link to the login e-mail only (not the recovery address); the row says where it went (focus on it); the link secures the account and keeps the owner’s settled recovery e-mail', async () => {
      const w = WORDS.en;
      const login = 'noah.keller@example.test';
      const recoveryAddress = 'noah.privat@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      const { page, problems } = await openPage({ lang: 'en' });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      // The owner's recovery e-mail, set up from the account's first device: settled, so the undo keeps it.
      const owner = await ownerApi(run.instance, login);
      expect((await owner.put('/api/v1/recovery/email', { address: recoveryAddress })).status).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, recoveryAddress)).searchParams.get('token');
      expect((await apiClient(run.instance.server.app).post('/api/v1/recovery/email/confirm', { token })).status).toBe(200);
      const other = await openPage({ lang: 'en' });
      await signIn(other.page, run.baseUrl, login, { lang: 'en' });
      const eventId = (await wholeLog(page)).find((item) => item.type === 'session.signed_in_new_device' && item.undoable)?.id ?? '?';
      await openActivity(page, w);
      const en = section(page, 'en');
      const row = eventRow(en.getByRole('list'), w.events['session.signed_in_new_device'] ?? '?');
      await row.getByRole('button', { name: w.notMe.button, exact: true }).click();
      const question = row.getByRole('group', { name: w.notMe.button, exact: true });
      await expect(text(question.locator('p'))).resolves.toBe(w.notMe.question);
      await expect(question.getByRole('button').allTextContents()).resolves.toEqual([w.notMe.sendLink, w.notMe.cancel]);
      await check(page, failures, 'en', 'not-me-question', en);
      // The notices of the sign-in (to the login and the recovery e-mail) are delivered before the count.
      await waitFor(async () => (await mailsTo(run.baseUrl, login)).find((m) => m.subject === 'Lifeline: Sign-in on a new device'), 'the new-device notice');
      await waitFor(
        async () => (await mailsTo(run.baseUrl, recoveryAddress)).find((m) => m.subject === 'Lifeline: Sign-in on a new device'),
        'the new-device notice to the recovery e-mail',
      );
      const mailsBefore = (await mailsTo(run.baseUrl, login)).length;
      const recoveryMailsBefore = (await mailsTo(run.baseUrl, recoveryAddress)).length;

      // The link: one POST, nothing else changes; the note takes the focus.
      await sendLink(page, row, 'en', eventId, 'n***@example.test', () => question.getByRole('button', { name: w.notMe.sendLink, exact: true }).click());
      await check(page, failures, 'en', 'not-me-link-sent', en);
      expect((await page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(200);

      // The mail reaches the login e-mail, and only it; its link opens the undo page, whose button secures the account.
      const link = await mailedLink(login, 'en', mailsBefore);
      expect(await mailsTo(run.baseUrl, recoveryAddress)).toHaveLength(recoveryMailsBefore);
      await other.page.goto(link);
      await heading(other.page, w.notMe.undoPageTitle).waitFor();
      const [secured] = await Promise.all([
        other.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/security/undo' && r.request().method() === 'POST'),
        other.page.getByRole('button', { name: w.notMe.undoSubmit, exact: true }).click(),
      ]);
      expect(secured.status()).toBe(200);
      // The owner's recovery e-mail was settled before the sign-in: it stays (nothing is listed as removed).
      expect(((await secured.json()) as { removed: unknown[] }).removed).toEqual([]);
      await heading(other.page, w.notMe.undoDone).waitFor();
      await expect(other.page.getByRole('heading', { name: 'Removed recovery options' }).count()).resolves.toBe(0);
      expect((await page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);
      expect((await other.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);
      const blocked = await apiClient(run.instance.server.app).post('/api/v1/login', { email: login, password: PASSWORD });
      expect(blocked.status).toBe(403);
      expect(blocked.body.code).toBe('password-reset-required');

      expect(problems).toEqual([]);
      expect(other.problems, 'the other browser').toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
