import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { DAY, MINUTE } from '../../src/core/clock.js';
import { screenshot, screenshotOf } from '../helpers/browser.js';
import { createAccount, NO_API_RATE_LIMIT, PASSWORD, type Lang } from '../helpers/browser-instance.js';
import { checkState, focusInfo, heading, signIn, text } from '../helpers/browser-page.js';
import { useBrowserRun } from '../helpers/browser-run.js';
import {
  ACTIVITY_WORDS as WORDS,
  activitySection as section,
  dayHeading,
  eventTexts,
  expectedDays,
  expectedText,
  openActivity,
  shownDays,
  wholeLog,
} from '../helpers/security-activity-page.js';

/**
 * "Sicherheitsaktivität" by day (docs/ui.md "Geräte & Aktivität") in a real Chromium against a
 * server on a manual clock: sign-ins on three days (at midday in Berlin) are grouped under one
 * heading (h3) per day in the account's zone, each day's events a list named by it: "Heute" and
 * "Gestern" by the browser's clock (Playwright's clock, set to the server's days), any other day
 * by its date ("Montag, 7. Dezember 2026"), a day in the future too. The first page (20) ends
 * inside "Gestern"; "Weitere laden" adds the rest of that day to the same group (one heading, one
 * list), and the focus goes to the first new event, whose summary is described by its day's
 * heading. English the same ("Today", "Yesterday", "Monday, 7 December 2026"). Screenshots of the
 * section at 390×844 and 1280×900 in both languages in
 * test-results/screenshots/security-activity-days-<state>-<lang>-<width>.png (and the usual
 * checkState pair at 1280 and 375).
 */
const chromiumPath = inject('chromiumPath');

const PHONE_390 = { width: 390, height: 844 } as const;
const WIDE = { width: 1280, height: 900 } as const;

if (chromiumPath) {
  describe('browser: security activity by day (Heute, Gestern, dates; a day across two pages)', () => {
    const run = useBrowserRun(chromiumPath, 'lifeline-activity-days-', NO_API_RATE_LIMIT, { manualClock: true });

    /** `count` sign-ins over the API with the page's cookies (a known device), a minute apart on the server's clock. */
    async function signIns(page: Page, login: string, count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        run.clock.advance(MINUTE);
        const response = await page.request.post(`${run.baseUrl}/api/v1/login`, { data: { email: login, password: PASSWORD } });
        expect(response.status(), `sign-in ${i + 1}`).toBe(200);
      }
    }

    /** checkState (axe, no sideways scrolling, 1280 and 375), then the section at 390×844 and 1280×900, with the viewport on the phone. */
    async function look(page: Page, failures: string[], lang: Lang, state: string, target: Locator): Promise<void> {
      await checkState(page, failures, { prefix: 'security-activity-days', state, lang, target });
      for (const size of [PHONE_390, WIDE]) {
        await page.setViewportSize(size);
        await screenshotOf(target, `security-activity-days-${state}-${lang}-${size.width}x${size.height}`);
      }
      await page.setViewportSize(PHONE_390);
      await target.getByRole('heading', { level: 3 }).first().scrollIntoViewIfNeeded();
      await screenshot(page, `security-activity-days-${state}-${lang}-viewport-390x844`, { fullPage: false });
      await page.setViewportSize(WIDE);
    }

    /** The heading (h3) that describes the focused event's summary. */
    async function focusedDay(page: Page): Promise<string> {
      const id = await page.evaluate("document.activeElement?.getAttribute('aria-describedby') ?? ''");
      expect(typeof id === 'string' && id !== '', 'the summary is described by its day').toBe(true);
      return text(page.locator(`[id="${String(id)}"]`));
    }

    it('three days: "Heute", "Gestern" and a date; "Weitere laden" continues "Gestern" in the same group; English; a day after the browser’s today gets its date', async () => {
      const login = 'clara.tag@example.test';
      const failures: string[] = [];
      // Day A: tomorrow, 11:00 UTC (midday in Berlin, far from midnight), then B and C, a day apart each.
      const dayA = Date.parse(`${new Date(run.clock.now() + DAY).toISOString().slice(0, 10)}T11:00:00Z`);
      run.clock.set(dayA);
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await run.openPage({ lang: 'de' });
      run.clock.advance(MINUTE);
      await signIn(page, run.baseUrl, login);
      await signIns(page, login, 2);
      run.clock.set(dayA + DAY);
      await signIns(page, login, 12);
      run.clock.set(dayA + 2 * DAY);
      await signIns(page, login, 13);
      const log = await wholeLog(page, run.baseUrl);
      const onDay = (from: number) => log.filter((item) => Date.parse(item.createdAt) >= from && Date.parse(item.createdAt) < from + DAY).length;
      expect([onDay(dayA + 2 * DAY), onDay(dayA + DAY)]).toEqual([13, 12]);
      expect(onDay(dayA)).toBeGreaterThanOrEqual(3);

      // The browser's today is day C (an hour later): C is "Heute", B "Gestern", A its date.
      const todayC = dayA + 2 * DAY + 60 * MINUTE;
      await page.clock.setFixedTime(todayC);
      await openActivity(page, run.baseUrl, 'de');
      const de = section(page, 'de');
      const lists = de.getByRole('list');
      const firstPage = await eventTexts(lists, 20);
      expect(firstPage).toEqual(log.slice(0, 20).map((item) => expectedText(item, 'de')));
      // The first page ends inside "Gestern": 13 of today, 7 of yesterday.
      const first = await shownDays(de);
      expect(first).toEqual(expectedDays(log.slice(0, 20), 'de', todayC));
      expect(first.map((day) => [day.heading, day.whats.length])).toEqual([
        [WORDS.de.today, 13],
        [WORDS.de.yesterday, 7],
      ]);
      // Each summary is described by its day's heading (a person tabbing from event to event hears the day).
      await lists.locator('summary').nth(12).focus();
      await expect(focusedDay(page)).resolves.toBe(WORDS.de.today);
      await lists.locator('summary').nth(13).focus();
      await expect(focusedDay(page)).resolves.toBe(WORDS.de.yesterday);
      await page.getByRole('heading', { level: 1 }).focus();
      await look(page, failures, 'de', 'first-page', de);

      // "Weitere laden": the rest of "Gestern" joins its group (one heading, one list), then day A under its date.
      await de.getByRole('button', { name: WORDS.de.more, exact: true }).click();
      const all = await eventTexts(lists, log.length);
      expect(all).toEqual(log.map((item) => expectedText(item, 'de')));
      const days = await shownDays(de);
      expect(days).toEqual(expectedDays(log, 'de', todayC));
      const dateA = dayHeading(new Date(dayA).toISOString(), 'de', todayC);
      expect(dateA).toMatch(/^(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d{1,2}\. \p{L}+ \d{4}$/u);
      expect(days.map((day) => [day.heading, day.whats.length])).toEqual([
        [WORDS.de.today, 13],
        [WORDS.de.yesterday, 12],
        [dateA, onDay(dayA)],
      ]);
      await expect(de.getByRole('heading', { level: 3, name: WORDS.de.yesterday, exact: true }).count()).resolves.toBe(1);
      // The focus is on the first new event (the 21st, the 8th of "Gestern"), described by its day.
      await expect(page.evaluate("document.activeElement === document.querySelectorAll('.security-event summary')[20]")).resolves.toBe(true);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'summary', name: `${all[20]?.what} ${all[20]?.time}` });
      await expect(focusedDay(page)).resolves.toBe(WORDS.de.yesterday);
      await page.getByRole('heading', { level: 1 }).focus();
      await look(page, failures, 'de', 'all-loaded', de);

      // English: the switch writes an event on today's server time (on top, in "Today"); the days in English.
      run.clock.advance(MINUTE);
      await page.getByRole('button', { name: WORDS.de.switchLanguage }).click();
      await heading(page, WORDS.en.profile).waitFor();
      const en = section(page, 'en');
      const logEn = await wholeLog(page, run.baseUrl);
      expect(await eventTexts(en.getByRole('list'), logEn.length)).toEqual(logEn.map((item) => expectedText(item, 'en')));
      const daysEn = await shownDays(en);
      expect(daysEn).toEqual(expectedDays(logEn, 'en', todayC));
      const dateAEn = dayHeading(new Date(dayA).toISOString(), 'en', todayC);
      expect(dateAEn).toMatch(/^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{1,2} [A-Z][a-z]+ \d{4}$/);
      expect(daysEn.map((day) => day.heading)).toEqual([WORDS.en.today, WORDS.en.yesterday, dateAEn]);
      // What "Weitere laden" said in German is not left standing on the English page.
      await expect(text(en.locator('[aria-live="polite"]'))).resolves.toBe('');
      await look(page, failures, 'en', 'all-loaded', en);

      // The browser's today is day B: day C lies ahead of it and gets its date, B is "Today", A "Yesterday".
      const todayB = dayA + DAY + 60 * MINUTE;
      await page.clock.setFixedTime(todayB);
      await openActivity(page, run.baseUrl, 'en');
      await eventTexts(en.getByRole('list'), 20);
      const ahead = await shownDays(en);
      expect(ahead).toEqual(expectedDays(logEn.slice(0, 20), 'en', todayB));
      const dateC = dayHeading(new Date(dayA + 2 * DAY).toISOString(), 'en', todayB);
      expect(ahead.map((day) => [day.heading, day.whats.length])).toEqual([
        [dateC, 14],
        [WORDS.en.today, 6],
      ]);
      await en.getByRole('button', { name: WORDS.en.more, exact: true }).click();
      await eventTexts(en.getByRole('list'), logEn.length);
      await expect(en.getByRole('heading', { level: 3 }).allTextContents()).resolves.toEqual([dateC, WORDS.en.today, WORDS.en.yesterday]);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
