import type { BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RecoveryView } from '../../src/contract/recovery.js';
import { PASSWORD, takeConfirmingBrowser, type Lang } from './browser-instance.js';
import { screenshot, screenshotOf, seriousAxeViolations, watchProblems, type ExpectedFailure, type TestBrowser } from './browser.js';

/**
 * The page side of the browser tests (test/browser/): the two widths every page is checked at,
 * fresh pages, what the keyboard focus is on, signing in through the form and the check of one
 * state of a page (axe, sideways scrolling, screenshots). The server side is in browser-instance.ts.
 */

// The functions below that are handed to page.evaluate() or addInitScript() run in Chromium:
// Playwright sends their source, so they may use only what the page has (document,
// getComputedStyle, localStorage), never another binding of this module. The project compiles
// without the DOM library (server code must not see `document`), so this module names the few
// members they use; the declarations are local to this module.
interface DomElement {
  readonly tagName: string;
  readonly id: string;
  readonly textContent: string | null;
  matches(selector: string): boolean;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { readonly right: number; readonly width: number };
}
interface DomStyle {
  readonly outlineStyle: string;
  readonly outlineWidth: string;
}
declare const document: {
  readonly documentElement: DomElement & { readonly scrollWidth: number; readonly clientWidth: number };
  readonly activeElement: DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
};
declare function getComputedStyle(element: DomElement): DomStyle;
declare const localStorage: { setItem(key: string, value: string): void };

/** The desktop width every page is checked and photographed at (and the viewport a page starts with). */
export const DESKTOP = { width: 1280, height: 800 } as const;
/** The phone width every page must fit without sideways scrolling. */
export const PHONE = { width: 375, height: 667 } as const;
/** A phone as a browser context: its viewport, touch and a high-density screen. */
export const PHONE_DEVICE: BrowserContextOptions = { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** What a test may set for a fresh page: the context's own options and these two. */
export interface PageOptions extends BrowserContextOptions {
  /** Error answers the test provokes on purpose (see watchProblems). */
  readonly expected?: readonly ExpectedFailure[];
  /**
   * The UI language, stored as the visitor's choice (localStorage `lifeline.locale`) before the
   * first page loads. The browser's locale follows it (en-GB or de-DE) unless `locale` is given.
   */
  readonly lang?: Lang;
}

/** A fresh page, with the list of what it reported as broken and its context (to close it early). */
export interface OpenedPage {
  readonly page: Page;
  readonly problems: string[];
  readonly context: BrowserContext;
}

/**
 * A fresh page in its own browser context (own cookies, storage and viewport: another device),
 * at DESKTOP width, German unless told otherwise; `problems` collects console errors, failed
 * requests, CSP reports and error answers (watchProblems) for the test to expect empty.
 */
export async function newPage(chrome: TestBrowser, options: PageOptions = {}): Promise<OpenedPage> {
  const { expected = [], lang, ...contextOptions } = options;
  const context = await chrome.newContext({ viewport: DESKTOP, locale: lang === 'en' ? 'en-GB' : 'de-DE', ...contextOptions });
  if (lang) await context.addInitScript((chosen) => localStorage.setItem('lifeline.locale', chosen), lang);
  const page = await context.newPage();
  return { page, problems: watchProblems(page, expected), context };
}

/** The page's heading of level 1 named exactly `name` (each page of the UI has one). */
export function heading(page: Page, name: string): Locator {
  return page.getByRole('heading', { level: 1, name, exact: true });
}

/** The text of `locator` with its white space folded, as a person reads it. */
export async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The profile's overview and its four pages: address and heading in each language
 * (ui.profile.overview.title and ui.profile.pages in src/i18n; docs/ui.md "The profile").
 */
export const PROFILE_PAGES = {
  overview: { path: '/profile', de: 'Sicherheit auf einen Blick', en: 'Security at a glance' },
  recovery: { path: '/profile/recovery', de: 'Kontowiederherstellung', en: 'Account recovery' },
  signIn: { path: '/profile/sign-in', de: 'Anmeldung & Passwort', en: 'Sign-in & password' },
  activity: { path: '/profile/activity', de: 'Geräte & Aktivität', en: 'Devices & activity' },
  settings: { path: '/profile/settings', de: 'Einstellungen', en: 'Settings' },
} as const;
export type ProfilePageName = keyof typeof PROFILE_PAGES;

/**
 * Goes to a page of the profile as a person would: from the overview by its card's link (in the
 * app, no reload), from anywhere else by its address; then waits for its heading in `lang`
 * (German by default). Nothing happens on the way if the page is already there.
 */
export async function openProfilePage(page: Page, which: ProfilePageName, lang: Lang = 'de'): Promise<void> {
  const target = PROFILE_PAGES[which];
  const here = new URL(page.url());
  if (here.pathname !== target.path) {
    if (here.pathname === PROFILE_PAGES.overview.path && which !== 'overview') await page.getByRole('main').locator(`a[href="${target.path}"]`).click();
    else await page.goto(new URL(target.path, here.origin).href);
  }
  await heading(page, target[lang]).waitFor();
}

/**
 * Signs in through the form at `origin` in `lang` (German by default) with `password`
 * (PASSWORD by default) and waits for the profile's overview ("Sicherheit auf einen Blick"),
 * which speaks `profileLang` (the account's language; by default `lang`). The first page to sign in to an account made by createAccount
 * is the browser that confirmed its sign-up (the owner's first device), unless `newDevice`:
 * then the page is a device the account does not know (an intruder's browser), and the
 * confirming browser's cookie is left for a later page of the owner.
 */
export async function signIn(
  page: Page,
  origin: string,
  email: string,
  options: { password?: string; lang?: Lang; profileLang?: Lang; newDevice?: boolean } = {},
): Promise<void> {
  const { password = PASSWORD, lang = 'de', profileLang = lang, newDevice = false } = options;
  const words =
    lang === 'de' ? { email: 'E-Mail-Adresse', password: 'Passwort', submit: 'Anmelden' } : { email: 'Email address', password: 'Password', submit: 'Sign in' };
  // The first browser to sign in to an account made by createAccount is the one that confirmed its sign-up.
  const confirming = newDevice ? undefined : takeConfirmingBrowser(email);
  if (confirming) await page.context().addCookies([{ ...confirming, url: origin }]);
  await page.goto(`${origin}/login`);
  await page.getByLabel(words.email, { exact: true }).fill(email);
  await page.getByLabel(words.password, { exact: true }).fill(password);
  await page.getByRole('main').getByRole('button', { name: words.submit, exact: true }).click();
  await page.waitForURL('**/profile');
  await heading(page, PROFILE_PAGES.overview[profileLang]).waitFor();
}

/** The account's recovery email and phone as the API at `origin` sees them (with the page's own cookies). */
export async function recoveryView(page: Page, origin: string): Promise<RecoveryView> {
  const response = await page.request.get(`${origin}/api/v1/recovery`);
  expect(response.status()).toBe(200);
  return (await response.json()) as RecoveryView;
}

/** What the keyboard focus is on, and whether it shows. */
export interface FocusInfo {
  readonly tag: string;
  /** Its aria-label, the text of its <label>, or its own text. */
  readonly name: string;
  readonly focusVisible: boolean;
  readonly outlineStyle: string;
  readonly outlineWidth: number;
  readonly inDialog: boolean;
  /** The aria-labelledby of the section it is in ("recovery-title"). */
  readonly section: string | null;
  /** The label of the recovery row the focus is in ("Telefonnummer", "E-Mail-Adresse"). */
  readonly row: string | null;
  readonly className: string;
}

/** For page.evaluate(): what has the focus (null on the body, where nothing has it). */
export function focusInfo(): FocusInfo | null {
  const element = document.activeElement;
  if (element === null || element.tagName === 'BODY') return null;
  const style = getComputedStyle(element);
  const labelledBy = element.id ? document.querySelector(`label[for="${element.id}"]`) : null;
  return {
    tag: element.tagName.toLowerCase(),
    name: (element.getAttribute('aria-label') ?? labelledBy?.textContent ?? element.textContent ?? '').trim(),
    focusVisible: element.matches(':focus-visible'),
    outlineStyle: style.outlineStyle,
    outlineWidth: Number.parseFloat(style.outlineWidth),
    inDialog: element.closest('dialog[open]') !== null,
    section: element.closest('section')?.getAttribute('aria-labelledby') ?? null,
    row: element.closest('.recovery-row')?.querySelector('.label')?.textContent ?? null,
    className: element.getAttribute('class') ?? '',
  };
}

/** For page.evaluate(): elements that stick out to the right of the viewport (what makes a phone scroll sideways). */
export function overflowing(): string[] {
  const width = document.documentElement.clientWidth;
  const found: string[] = [];
  const all = document.querySelectorAll('body *');
  for (let i = 0; i < all.length; i++) {
    const element = all[i];
    if (!element) continue;
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5)
      found.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''} (${Math.round(box.right)}px)`);
  }
  return found.slice(0, 5);
}

/** The page's width; more than the viewport's means it scrolls sideways. */
export async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/**
 * Presses Tab (or Shift+Tab) until the focus is on `name` (a button's text or aria-label, a
 * field's label), in the recovery row `row` if given, and checks that the focus shows on
 * every stop (and stays in the open dialog with `inDialog`); then presses Enter on it (or
 * `press`; nothing with null). Fails after `max` stops.
 */
export async function tabTo(
  page: Page,
  name: string,
  options: { press?: 'Enter' | null; backward?: boolean; max?: number; row?: string; inDialog?: boolean } = {},
): Promise<FocusInfo> {
  const { press = 'Enter', backward = false, max = 40, row, inDialog = false } = options;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backward ? 'Shift+Tab' : 'Tab');
    const focused = await page.evaluate(focusInfo);
    if (focused === null) continue;
    expect(focused.focusVisible, `focus visible on "${focused.name}"`).toBe(true);
    expect(focused.outlineStyle, `outline on "${focused.name}"`).not.toBe('none');
    if (inDialog) expect(focused.inDialog, `"${focused.name}" inside the dialog`).toBe(true);
    if (focused.name === name && (row === undefined || focused.row === row)) {
      if (press) await page.keyboard.press(press);
      return focused;
    }
  }
  throw new Error(`Tab did not reach "${name}" within ${max} steps`);
}

/** One state of a page to check (see checkState). */
export interface CheckedState {
  /** The start of the screenshots' names: the test file's ("recovery-phone", "web-ui"). */
  readonly prefix: string;
  /** The state's name in the screenshots' names and in what goes wrong ("pending", "profile-dialog"). */
  readonly state: string;
  /** The language the document must declare (html lang). */
  readonly lang: Lang;
  /**
   * What the screenshots show: a section of the page, the viewport (a modal dialog's backdrop
   * covers the viewport only) or the full page.
   */
  readonly target: Locator | 'viewport' | 'page';
  /** Whether to assert that checking left the keyboard focus where it was (by default, yes). */
  readonly focusKept?: boolean;
}

/**
 * One state of a page, checked the same way in every browser test: the document's language,
 * axe-core (serious or critical violations), no sideways scrolling at 1280 and 375 px (with
 * what sticks out), and screenshots at both widths in
 * test-results/screenshots/<prefix>-<state>-<lang>-<width>.png; afterwards the page is at
 * 1280 px again. Violations and sideways scrolling go to `failures`, which the test expects
 * empty at its end, so one run lists every state that is off instead of stopping at the first.
 */
export async function checkState(page: Page, failures: string[], options: CheckedState): Promise<void> {
  const { prefix, state, lang, target, focusKept = true } = options;
  expect(await page.getAttribute('html', 'lang'), state).toBe(lang);
  for (const v of await seriousAxeViolations(page))
    failures.push(`${state} ${lang}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  const focusBefore = focusKept ? await page.evaluate(focusInfo) : null;
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    const name = `${prefix}-${state}-${lang}-${size.width}`;
    const width = await scrollWidth(page);
    if (width > size.width) failures.push(`${name}: scrollWidth ${width} (${(await page.evaluate(overflowing)).join(', ')})`);
    if (target === 'viewport' || target === 'page') await screenshot(page, name, { fullPage: target === 'page' });
    else await screenshotOf(target, name);
  }
  await page.setViewportSize(DESKTOP);
  // Checking does not move the keyboard focus.
  if (focusKept) expect(await page.evaluate(focusInfo), `${state}: focus kept`).toEqual(focusBefore);
}

/**
 * A moment as the profile writes it (docs/ui.md "Times"), in Europe/Berlin, the zone of every
 * account createAccount makes, with the zone's short name: `long` "8. Dezember 2026 um 16:05
 * MEZ" (held changes, the security log), `clock` "16:05 MEZ" (a time later today).
 */
export function profileTime(iso: string, lang: Lang, style: 'long' | 'clock' = 'long'): string {
  const parts: Intl.DateTimeFormatOptions = style === 'long' ? { day: 'numeric', month: 'long', year: 'numeric' } : {};
  const options: Intl.DateTimeFormatOptions = { ...parts, hour: '2-digit', minute: '2-digit', timeZoneName: 'short', timeZone: 'Europe/Berlin' };
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', options).format(new Date(iso));
}

/**
 * The words every recovery flow passes (ui.profile.overview.title, ui.profile.pages.recovery and
 * ui.profile.recovery in src/i18n): the overview's heading (`profile`), the heading of the page
 * "Kontowiederherstellung" (`title`), its section with the rows (`section`), "Nicht eingerichtet".
 */
export const RECOVERY_SECTION_WORDS = {
  de: { profile: PROFILE_PAGES.overview.de, title: PROFILE_PAGES.recovery.de, section: 'Ihre Wiederherstellungsoptionen', notSetUp: 'Nicht eingerichtet' },
  en: { profile: PROFILE_PAGES.overview.en, title: PROFILE_PAGES.recovery.en, section: 'Your recovery options', notSetUp: 'Not set up' },
} as const;

/**
 * The page "Kontowiederherstellung" (opened from the overview's card, or by its address) and its
 * section with the rows (`words.section`), once the row `words.row` (the recovery email's or
 * phone.s) shows `ready`: what the test waits for, so the section has loaded.
 */
export async function recoveryRow(
  page: Page,
  words: { readonly title: string; readonly section: string; readonly row: string },
  ready: string,
): Promise<{ section: Locator; row: Locator }> {
  const lang = words.title === PROFILE_PAGES.recovery.en ? 'en' : 'de';
  await openProfilePage(page, 'recovery', lang);
  const section = page.getByRole('region', { name: words.section });
  const row = section.getByRole('group', { name: words.row, exact: true });
  await row.getByText(ready, { exact: true }).first().waitFor();
  return { section, row };
}

/**
 * Where each recovery flow starts once signed in: the page "Kontowiederherstellung", its section
 * with the rows (`words.section`) and the row `words.row` (the recovery email's or phone's),
 * after the row has said `words.notSetUp` ("Nicht eingerichtet"), so the section has loaded.
 */
export async function recoveryRowNotSetUp(
  page: Page,
  words: { readonly title: string; readonly section: string; readonly row: string; readonly notSetUp: string },
): Promise<{ section: Locator; row: Locator }> {
  return recoveryRow(page, words, words.notSetUp);
}
