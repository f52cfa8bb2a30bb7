import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '../helpers/browser.js';
import { apiClient } from '../helpers/api-client.js';
import { createAccount, mailsTo, NO_API_RATE_LIMIT, ownerApi, PASSWORD, tokenLink, type Lang } from '../helpers/browser-instance.js';
import { checkState, focusInfo, heading, newPage, PHONE_DEVICE, signIn, tabTo, text, type PageOptions } from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';
import {
  ACTIVITY_WORDS as WORDS,
  ACTIVITY_ZONE,
  activitySection as section,
  eventEntry,
  eventTexts,
  expectedDays,
  expectedText,
  isOpen,
  notMeEntries,
  openActivity as openActivityAt,
  openEntry,
  shownDays,
  tabStops,
  wholeLog as logAt,
} from '../helpers/security-activity-page.js';

/**
 * Profil → "Sicherheitsaktivität" in a real Chromium against a real server: events caused
 * through the API (a password change, a recovery email set up and confirmed, a sign-in from
 * another browser) are listed newest first under their day's heading ("Heute"), each a
 * disclosure whose summary is the sentence in the UI's language with the time of day in the
 * account's zone (named) and whose details are the device ("Unbekanntes Gerät" when none is
 * known) and the IP; the language switch turns them into English ("Today"; the switch is itself
 * listed). More than a page of events (25 sign-ins) shows "Weitere laden", which appends the rest
 * to the same day, moves the focus to the first new event, says how many came politely and
 * disappears after the last page; a page of 20 events is 20 Tab stops (one summary each), and
 * Space opens an entry. "Das war ich nicht" is inside the events the API calls `undoable`; on a
 * phone, by keyboard (Enter opens the entry), it asks first (focus on the question, "Abbrechen"
 * back to the button) and offers only "Link an meine E-Mail-Adresse senden": never with the
 * password alone (an intruder who knows it and is still signed in must not undo the owner's
 * repair), the event's link goes to the login email, the entry says where (focus on it) and
 * nothing changes until the link is opened; its page then ends every session and blocks signing
 * in (password-reset-required). English the same. On every state: no console error or failed
 * request, no serious axe violation, no sideways scrolling at 375 px; screenshots of the section
 * at 1280 and 375 px in test-results/screenshots/security-activity-<state>-<lang>-<width>.png.
 * Days other than today (yesterday, dates, a day across two pages) are in
 * security-activity-days.test.ts.
 */
const chromiumPath = inject('chromiumPath');

const NEW_PASSWORD = 'Kanu über dem Mühlteich 42';

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: security activity (Profil → Geräte & Aktivität → Sicherheitsaktivität)', () => {
    const run = useBrowserRun(chromiumPath, 'lifeline-security-ui-', NO_API_RATE_LIMIT);

    /** A fresh page in its own context (own cookies: another device), the account's time zone. */
    const openPage = (options: PageOptions = {}) => newPage(run.chrome, { timezoneId: ACTIVITY_ZONE, ...options });

    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator) =>
      checkState(page, failures, { prefix: 'security-activity', state, lang, target });

    /** checkState on a phone's page: afterwards it is back at its own width. */
    const checkOnPhone = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'page') =>
      checkStateAtOwnWidth(page, failures, { prefix: 'security-activity', state, lang, target });

    /** The profile's page "Geräte & Aktivität" loaded afresh (its heading in `lang`). */
    const openActivity = (page: Page, lang: Lang) => openActivityAt(page, run.baseUrl, lang);

    /** The whole log as the API gives it to the page's session, every page. */
    const wholeLog = (page: Page) => logAt(page, run.baseUrl);

    /** A state-changing API call with the page's cookies and its session's CSRF token. */
    async function send(page: Page, method: 'PUT' | 'POST', path: string, data: unknown): Promise<number> {
      const session = (await (await page.request.get(`${run.baseUrl}/api/v1/session`)).json()) as { csrfToken: string };
      const response = await page.request.fetch(`${run.baseUrl}${path}`, { method, data, headers: { 'x-csrf-token': session.csrfToken } });
      return response.status();
    }

    it('German, then English: each event as a sentence under "Heute", newest first, with the time of day (account zone), its device and IP inside; the switch itself is listed', async () => {
      const login = 'mara.wolf@example.test';
      const recoveryAddress = 'mara.privat@example.org';
      const failures: string[] = [];
      // account.created and account.email_verified (through the API, no browser: "Unbekanntes Gerät").
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await openPage({ lang: 'de' });
      await signIn(page, run.baseUrl, login);

      // A password change, a recovery email set up and confirmed from elsewhere, a sign-in from another browser.
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

      // The profile again: the section lists the API's events in the API's order, in German, under one heading: "Heute".
      await openActivity(page, 'de');
      const de = section(page, 'de');
      await expect(text(de.locator('.security-zone'))).resolves.toBe(WORDS.de.zone);
      const log = await wholeLog(page);
      expect(log.length).toBeLessThanOrEqual(20);
      const list = de.getByRole('list');
      const shown = await eventTexts(list, log.length);
      expect(shown).toEqual(log.map((item) => expectedText(item, 'de')));
      const days = await shownDays(de);
      expect(days).toEqual(expectedDays(log, 'de', Date.now()));
      expect(days.map((day) => day.heading)).toEqual([WORDS.de.today]);
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
      // The time of day in the account's zone, named ("01:05 MEZ"); the confirmation sent by a program (no browser) is from an unknown device, the browser's is named.
      expect(shown[0]?.time).toMatch(/^\d{2}:\d{2} MES?Z$/);
      expect(shown.find((row) => row.what === 'Wiederherstellungs-E-Mail eingerichtet')?.details).toContain(WORDS.de.unknownDevice);
      expect(shown[0]?.details).not.toContain(WORDS.de.unknownDevice);
      // One page only: no "Weitere laden"; every entry closed, so no button shows and the details are hidden.
      await expect(de.locator('details[open]').count()).resolves.toBe(0);
      await expect(de.getByRole('button').count()).resolves.toBe(0);
      await expect(de.locator('.security-event-details').first().isVisible()).resolves.toBe(false);
      // "Das war ich nicht" inside each event whose notice link is still live (the API's `undoable`), and only there.
      const undoable = log.filter((item) => item.undoable).map((item) => WORDS.de.events[item.type]);
      expect(undoable).toEqual(['Anmeldung von einem neuen Gerät', 'Wiederherstellungs-E-Mail eingerichtet', 'Passwort geändert']);
      await expect(notMeEntries(de, 'de')).resolves.toEqual(undoable);
      await check(page, failures, 'de', 'list', de);

      // Opened (a click on its summary): the device and IP, and "Das war ich nicht" for an undoable event.
      const newDevice = eventEntry(list, 'Anmeldung von einem neuen Gerät');
      await openEntry(newDevice);
      await expect(newDevice.locator('.security-event-details').isVisible()).resolves.toBe(true);
      await expect(newDevice.getByRole('button').allTextContents()).resolves.toEqual([WORDS.de.notMe.button]);
      // Not undoable: opened, it shows its device and IP only.
      const createdItem = log.find((item) => item.type === 'account.created');
      if (createdItem === undefined) throw new Error('no account.created in the log');
      const created = eventEntry(list, 'Konto erstellt');
      await openEntry(created);
      await expect(text(created.locator('.security-event-details'))).resolves.toBe(expectedText(createdItem, 'de').details);
      await expect(created.getByRole('button').count()).resolves.toBe(0);
      await check(page, failures, 'de', 'list-open', de);

      // English: the same events in English; the switch is stored on the account, which writes an event on top.
      await page.getByRole('button', { name: WORDS.de.switchLanguage }).click();
      await heading(page, WORDS.en.profile).waitFor();
      const en = section(page, 'en');
      const enList = en.getByRole('list');
      const shownEn = await eventTexts(enList, log.length + 1);
      const logEn = await wholeLog(page);
      expect(logEn[0]?.type).toBe('account.preferences_changed');
      expect(shownEn).toEqual(logEn.map((item) => expectedText(item, 'en')));
      expect(shownEn[0]?.what).toBe('Language or time zone changed');
      expect(shownEn[0]?.time).toMatch(/^\d{2}:\d{2} CES?T$/);
      await expect(shownDays(en)).resolves.toEqual(expectedDays(logEn, 'en', Date.now()));
      await expect(en.getByRole('heading', { level: 3 }).allTextContents()).resolves.toEqual([WORDS.en.today]);
      await expect(text(en.locator('.security-zone'))).resolves.toBe(WORDS.en.zone);
      await check(page, failures, 'en', 'list', en);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('more than 20 events: one Tab stop per event; Space opens one; "Weitere laden" appends the rest to the same day by keyboard, moves the focus to the first new event, says how many, and goes', async () => {
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

      await openActivity(page, 'de');
      const de = section(page, 'de');
      const list = de.getByRole('list');
      const firstPage = await eventTexts(list, 20);
      expect(firstPage).toEqual(log.slice(0, 20).map((item) => expectedText(item, 'de')));
      await expect(shownDays(de)).resolves.toEqual(expectedDays(log.slice(0, 20), 'de', Date.now()));
      const more = de.getByRole('button', { name: WORDS.de.more, exact: true });
      await more.waitFor();
      await check(page, failures, 'de', 'first-page', de);

      // The keyboard's way past a page: from the section's heading one stop per event (its summary, the focus showing), then "Weitere laden".
      const stops = await tabStops(page, WORDS.de.more);
      expect(stops.length).toBeLessThanOrEqual(22);
      expect(stops).toEqual([...firstPage.map((row) => ({ tag: 'summary', name: `${row.what} ${row.time}` })), { tag: 'button', name: WORDS.de.more }]);
      // Space on the last summary opens its entry (device and IP show, focus stays), and closes it again.
      await page.keyboard.press('Shift+Tab');
      const last = list.getByRole('listitem').nth(19);
      await page.keyboard.press('Space');
      await expect(isOpen(last)).resolves.toBe(true);
      await expect(last.locator('.security-event-details').isVisible()).resolves.toBe(true);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'summary', name: stops[19]?.name, focusVisible: true });
      await check(page, failures, 'de', 'first-page-open', de);
      await page.keyboard.press('Space');
      await expect(isOpen(last)).resolves.toBe(false);

      // By keyboard: the rest is appended to the same day (no row twice), the focus is on the first new event's summary, the count is said politely.
      await tabTo(page, WORDS.de.more, { max: 1 });
      const all = await eventTexts(list, log.length);
      expect(all).toEqual(log.map((item) => expectedText(item, 'de')));
      await more.waitFor({ state: 'detached' });
      const focused = await page.evaluate(focusInfo);
      expect(focused).toMatchObject({ tag: 'summary', name: `${all[20]?.what} ${all[20]?.time}`, section: 'security-activity-title', focusVisible: true });
      // The 21st event itself (an expression: the project compiles without the DOM library).
      await expect(page.evaluate("document.activeElement === document.querySelectorAll('.security-event summary')[20]")).resolves.toBe(true);
      // One day, one heading and one list, however many pages it took.
      const days = await shownDays(de);
      expect(days).toEqual(expectedDays(log, 'de', Date.now()));
      expect(days.map((day) => day.whats.length)).toEqual([28]);
      const live = de.locator('[aria-live="polite"]');
      await expect(text(live)).resolves.toBe(WORDS.de.loaded(8));
      await check(page, failures, 'de', 'all-loaded', de);

      // The language switch writes an event: it comes on top, the pages loaded below stay (no row twice).
      await page.getByRole('button', { name: WORDS.de.switchLanguage }).click();
      await heading(page, WORDS.en.profile).waitFor();
      const switched = await eventTexts(section(page, 'en').getByRole('list'), log.length + 1);
      expect(switched[0]?.what).toBe('Language or time zone changed');
      expect(switched.slice(1).map((row) => row.dateTime)).toEqual(log.map((item) => item.createdAt));

      // English from the first page: "Show more" does the same.
      await openActivity(page, 'en');
      const en = section(page, 'en');
      const logEn = await wholeLog(page);
      expect(logEn.length).toBe(29);
      await eventTexts(en.getByRole('list'), 20);
      await expect(en.getByRole('heading', { level: 3 }).allTextContents()).resolves.toEqual([WORDS.en.today]);
      await check(page, failures, 'en', 'first-page', en);
      expect((await tabStops(page, WORDS.en.more)).length).toBeLessThanOrEqual(22);
      await page.keyboard.press('Enter');
      expect(await eventTexts(en.getByRole('list'), 29)).toEqual(logEn.map((item) => expectedText(item, 'en')));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'summary', section: 'security-activity-title' });
      await expect(text(en.locator('[aria-live="polite"]'))).resolves.toBe(WORDS.en.loaded(9));
      await en.getByRole('button', { name: WORDS.en.more }).waitFor({ state: 'detached' });
      await check(page, failures, 'en', 'all-loaded', en);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    /**
     * "Link an meine E-Mail-Adresse senden" (pressed by `press`): one POST to the event's
     * undo-link route, 202; the entry's note says where the link went and takes the focus.
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
      // The question is gone with its buttons; nothing else in the entry asks any more.
      await expect(row.getByRole('button').count()).resolves.toBe(0);
      return note;
    }

    /** The link of the "Das war ich nicht" mail to the login email (the newest mail to it once there are more than `before`): the undo page. */
    async function mailedLink(login: string, lang: Lang, before: number): Promise<string> {
      const link = await tokenLink(run.baseUrl, login, before);
      expect(new URL(link).origin).toBe(run.baseUrl);
      expect(new URL(link).pathname).toBe('/undo');
      const mail = (await mailsTo(run.baseUrl, login))[0];
      expect(mail?.subject).toBe(WORDS[lang].notMe.mailSubject);
      return link;
    }

    it('German on a phone: "Das war ich nicht" inside the sign-in from another browser, by keyboard (Enter opens the entry): the question, "Abbrechen", then "Link an meine E-Mail-Adresse senden" mails the link to the login email, the row says where (focus on it); the link secures the account: every session ends, signing in is blocked', async () => {
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

      await openActivity(page, 'de');
      const de = section(page, 'de');
      const list = de.getByRole('list');
      await eventTexts(list, log.length);
      const row = eventEntry(list, newDevice);
      await expect(row.count()).resolves.toBe(1);
      await expect(notMeEntries(list, 'de')).resolves.toEqual([newDevice]);
      await checkOnPhone(page, failures, 'de', 'phone-list', de);

      // By keyboard: Enter on the entry's summary opens it (the focus stays there); the device and "Das war ich nicht" show.
      const summary = `${newDevice} ${await text(row.locator('summary time'))}`;
      await expect(isOpen(row)).resolves.toBe(false);
      await tabTo(page, summary, { max: 80 });
      await row.getByRole('button', { name: w.notMe.button, exact: true }).waitFor();
      await expect(isOpen(row)).resolves.toBe(true);
      await expect(row.locator('.security-event-details').isVisible()).resolves.toBe(true);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'summary', name: summary, focusVisible: true });
      await checkOnPhone(page, failures, 'de', 'phone-entry-open', de);

      // "Das war ich nicht" by keyboard (the next Tab stop once the entry is open, which it is opened for if need be):
      // the question in the entry, the focus on it; only the link is offered, nothing is done yet.
      const question = row.getByRole('group', { name: w.notMe.button, exact: true });
      const openQuestion = async () => {
        if (!(await isOpen(row))) await tabTo(page, summary, { max: 80 });
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
      const enRow = eventEntry(en.getByRole('list'), WORDS.en.events['session.signed_in_new_device'] ?? '?');
      await openEntry(enRow);
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

      // The mail reaches the login email; its link opens the undo page, whose button (by keyboard) secures the account.
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

    it('English: "Send the link to my email address" mails the event’s link to the login email only (not the recovery address); the row says where it went (focus on it); the link secures the account and keeps the owner’s settled recovery email', async () => {
      const w = WORDS.en;
      const login = 'noah.keller@example.test';
      const recoveryAddress = 'noah.privat@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      const { page, problems } = await openPage({ lang: 'en' });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      // The owner's recovery email, set up from the account's first device: settled, so the undo keeps it.
      const owner = await ownerApi(run.instance, login);
      expect((await owner.put('/api/v1/recovery/email', { address: recoveryAddress })).status).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, recoveryAddress)).searchParams.get('token');
      expect((await apiClient(run.instance.server.app).post('/api/v1/recovery/email/confirm', { token })).status).toBe(200);
      const other = await openPage({ lang: 'en' });
      await signIn(other.page, run.baseUrl, login, { lang: 'en' });
      const eventId = (await wholeLog(page)).find((item) => item.type === 'session.signed_in_new_device' && item.undoable)?.id ?? '?';
      await openActivity(page, 'en');
      const en = section(page, 'en');
      const row = eventEntry(en.getByRole('list'), w.events['session.signed_in_new_device'] ?? '?');
      // Closed, the entry hides the action; a click on its summary shows it.
      await row.waitFor();
      await expect(row.getByRole('button').count()).resolves.toBe(0);
      await openEntry(row);
      await row.getByRole('button', { name: w.notMe.button, exact: true }).click();
      const question = row.getByRole('group', { name: w.notMe.button, exact: true });
      await expect(text(question.locator('p'))).resolves.toBe(w.notMe.question);
      await expect(question.getByRole('button').allTextContents()).resolves.toEqual([w.notMe.sendLink, w.notMe.cancel]);
      await check(page, failures, 'en', 'not-me-question', en);
      // The notices of the sign-in (to the login and the recovery email) are delivered before the count.
      await waitFor(async () => (await mailsTo(run.baseUrl, login)).find((m) => m.subject === 'Lifeline: Sign-in on a new device'), 'the new-device notice');
      await waitFor(
        async () => (await mailsTo(run.baseUrl, recoveryAddress)).find((m) => m.subject === 'Lifeline: Sign-in on a new device'),
        'the new-device notice to the recovery email',
      );
      const mailsBefore = (await mailsTo(run.baseUrl, login)).length;
      const recoveryMailsBefore = (await mailsTo(run.baseUrl, recoveryAddress)).length;

      // The link: one POST, nothing else changes; the note takes the focus.
      await sendLink(page, row, 'en', eventId, 'n***@example.test', () => question.getByRole('button', { name: w.notMe.sendLink, exact: true }).click());
      await check(page, failures, 'en', 'not-me-link-sent', en);
      expect((await page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(200);

      // The mail reaches the login email, and only it; its link opens the undo page, whose button secures the account.
      const link = await mailedLink(login, 'en', mailsBefore);
      expect(await mailsTo(run.baseUrl, recoveryAddress)).toHaveLength(recoveryMailsBefore);
      await other.page.goto(link);
      await heading(other.page, w.notMe.undoPageTitle).waitFor();
      const [secured] = await Promise.all([
        other.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/security/undo' && r.request().method() === 'POST'),
        other.page.getByRole('button', { name: w.notMe.undoSubmit, exact: true }).click(),
      ]);
      expect(secured.status()).toBe(200);
      // The owner's recovery email was settled before the sign-in: it stays (nothing is listed as removed).
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
