import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { apiClient } from '../helpers/api-client.js';
import { launchChromium, screenshot, type TestBrowser, waitFor } from '../helpers/browser.js';
import { createAccount, NO_API_RATE_LIMIT, PASSWORD, startInstance, tokenLink, type Instance, type Lang } from '../helpers/browser-instance.js';
import {
  checkState,
  DESKTOP,
  focusInfo,
  heading,
  newPage,
  openProfilePage,
  PHONE,
  PHONE_DEVICE,
  scrollWidth,
  signIn,
  text,
  type FocusInfo,
  type PageOptions,
} from '../helpers/browser-page.js';

/**
 * The web UI in a real Chromium against a real server on a loopback port, each flow in a fresh
 * browser context under the service's real Content-Security-Policy: sign-up with the link from
 * the development mailbox, sign-in, password change, two sessions and the password dialog,
 * the language switch, sign-out, the unconfirmed address, error messages, the keyboard, axe-core
 * on every page in both languages, and screenshots of every page in German and English at
 * 1280 and 375 px in test-results/screenshots/ (web-ui-<page>-<lang>-<width>.png).
 */
const chromiumPath = inject('chromiumPath');

// Two callbacks below read the focus themselves, and one init script sets the session storage;
// they run in Chromium, and the project compiles without the DOM library, so this module names
// the few members they use (the shared ones are declared in test/helpers/browser-page.ts).
interface FocusedElement {
  getAttribute(name: string): string | null;
  closest(selector: string): FocusedElement | null;
}
declare const document: { readonly activeElement: FocusedElement | null };
declare const sessionStorage: { setItem(key: string, value: string): void };
declare const localStorage: { setItem(key: string, value: string): void; getItem(key: string): string | null };

const NEW_PASSWORD = 'Kanu über dem Mühlteich 42';

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: web UI', () => {
    let main: Instance;
    /** A second instance on a manual clock with a 1-minute privileged window: tests close it by moving time. */
    let timed: Instance;
    let clock: ManualClock;
    let chrome: TestBrowser;
    let accounts = 0;

    /** A fresh page in its own context (own cookies, storage and viewport), the browser in German whatever `lang` the UI is set to; error answers the test provokes are listed. */
    const openPage = (options: PageOptions = {}) => newPage(chrome, { locale: 'de-DE', timezoneId: 'Europe/Berlin', ...options });

    /** An account made through the API under a new address (the flows that are not about sign-up start from here). */
    async function newAccount(instance: Instance, options: { locale?: Lang; confirm?: boolean } = {}): Promise<string> {
      accounts += 1;
      const email = `person${accounts}@example.test`;
      await createAccount(instance, email, options);
      return email;
    }

    /** Screenshots at 1280 and 375 px (the page must not scroll sideways on the phone), back to 1280. */
    async function shoot(page: Page, name: string): Promise<void> {
      for (const size of [DESKTOP, PHONE]) {
        await page.setViewportSize(size);
        expect(await scrollWidth(page), `${name} ${size.width}`).toBeLessThanOrEqual(size.width);
        await screenshot(page, `${name}-${size.width}`);
      }
      await page.setViewportSize(DESKTOP);
    }

    beforeAll(async () => {
      clock = createManualClock(Date.now());
      [main, timed, chrome] = await Promise.all([
        startInstance('lifeline-web-ui-', NO_API_RATE_LIMIT),
        startInstance('lifeline-web-ui-', { ...NO_API_RATE_LIMIT, PRIVILEGED_WINDOW_MINUTES: '1' }, { clock }),
        launchChromium(chromiumPath),
      ]);
    });

    afterAll(async () => {
      await chrome?.close();
      for (const instance of [main, timed]) await instance?.close();
    });

    it('signs up, confirms with the link from the mailbox, signs in and changes the password', async () => {
      const email = 'grace.hopper@example.test';
      const { page, problems } = await openPage();
      await page.goto(`${main.baseUrl}/register`);
      await heading(page, 'Registrieren').waitFor();
      await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
      await page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Konto anlegen' }).click();
      await heading(page, 'Bitte bestätigen Sie Ihre E-Mail-Adresse').waitFor();
      await expect(text(page.getByRole('status'))).resolves.toContain(email);
      await shoot(page, 'web-ui-register-done-de');

      const link = await tokenLink(main.baseUrl, email);
      expect(link.startsWith(`${main.baseUrl}/confirm-email?token=`)).toBe(true);
      await page.goto(link);
      await heading(page, 'E-Mail-Adresse bestätigen').waitFor();
      await page.getByRole('button', { name: 'E-Mail-Adresse bestätigen' }).click();
      await expect(text(page.getByRole('status'))).resolves.toContain(`Ihre E-Mail-Adresse ${email} ist bestätigt`);
      await shoot(page, 'web-ui-confirm-email-done-de');
      // The same link again (a second click in the mail): it says the address is confirmed, and the way on is the sign-in.
      await page.goto(link);
      await heading(page, 'E-Mail-Adresse bestätigen').waitFor();
      await page.getByRole('button', { name: 'E-Mail-Adresse bestätigen' }).click();
      await expect(text(page.getByRole('status'))).resolves.toBe(`Ihre E-Mail-Adresse ${email} ist bereits bestätigt. Sie können sich anmelden.`);
      await shoot(page, 'web-ui-confirm-email-again-de');
      await page.getByRole('main').getByRole('link', { name: 'Zur Anmeldung' }).click();
      await page.waitForURL('**/login');

      await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
      await page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
      await page.getByRole('main').getByRole('button', { name: 'Anmelden', exact: true }).click();
      await page.waitForURL('**/profile');
      await heading(page, 'Sicherheit auf einen Blick').waitFor();
      // "Anmeldung & Passwort": the address, and the password form behind "Passwort ändern".
      await openProfilePage(page, 'signIn');
      await expect(text(page.getByRole('region', { name: 'E-Mail-Adresse für die Anmeldung' }))).resolves.toContain(email);
      const passwordSection = page.getByRole('region', { name: 'Passwort', exact: true });
      await passwordSection.getByRole('button', { name: 'Passwort ändern', exact: true }).click();
      await passwordSection.getByLabel('Aktuelles Passwort', { exact: true }).fill(PASSWORD);
      await passwordSection.getByLabel('Neues Passwort', { exact: true }).fill(NEW_PASSWORD);
      await passwordSection.getByLabel('Neues Passwort wiederholen', { exact: true }).fill(NEW_PASSWORD);
      await passwordSection.getByRole('button', { name: 'Passwort ändern', exact: true }).click();
      await expect(text(passwordSection.getByRole('status'))).resolves.toBe('Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden abgemeldet.');
      // The form is closed again (nothing of the passwords stays on the page); the focus is on the message.
      await expect(passwordSection.getByLabel('Aktuelles Passwort', { exact: true }).count()).resolves.toBe(0);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ className: 'recovery-message' });
      await shoot(page, 'web-ui-password-changed-de');
      // Still signed in on this device.
      await expect(page.request.get(`${main.baseUrl}/api/v1/session`).then((r) => r.status())).resolves.toBe(200);

      // The new password signs in, in a fresh browser; the old one no longer does.
      const second = await openPage();
      await signIn(second.page, main.baseUrl, email, { password: NEW_PASSWORD });
      const old = await apiClient(main.server.app).post('/api/v1/login', { email, password: PASSWORD });
      expect(old.status).toBe(401);
      expect(problems).toEqual([]);
      expect(second.problems).toEqual([]);
    });

    it('lists two sessions, asks for the password before revoking one (wrong, then right), and the other browser is signed out', async () => {
      const email = await newAccount(timed);
      const revokePath = /^\/api\/v1\/sessions\/[^/]+$/;
      const { page, problems } = await openPage({
        expected: [
          { status: 403, path: revokePath }, // privilege-required, before the dialog
          { status: 403, path: '/api/v1/session/reauthenticate' }, // the wrong password
        ],
      });
      const other = await openPage({
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      });
      await signIn(page, timed.baseUrl, email);
      await signIn(other.page, timed.baseUrl, email);
      await openProfilePage(page, 'activity');
      const sessions = page.getByRole('region', { name: 'Aktive Sitzungen' });
      const items = sessions.getByRole('listitem');
      await waitFor(async () => ((await items.count()) === 2 ? true : undefined), 'two sessions');
      const current = items.filter({ hasText: 'Dieses Gerät' });
      await expect(current.count()).resolves.toBe(1);
      const otherItem = items.filter({ hasNotText: 'Dieses Gerät' });
      await expect(text(otherItem)).resolves.toMatch(/Safari \d+ auf Mac ?OS/);
      await screenshot(page, 'web-ui-sessions-de-1280');

      // The privileged window of the sign-in closes (1 minute here).
      clock.advance(61_000);
      const revoke = otherItem.getByRole('button', { name: /abmelden/i });
      await revoke.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Geben Sie zunächst Ihr Passwort ein' });
      await dialog.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', inDialog: true, focusVisible: true });

      // Tab stays inside the dialog, in both directions.
      for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
        await page.keyboard.press(key);
        const focused = await page.evaluate(focusInfo);
        expect(focused, `after ${key}`).toMatchObject({ inDialog: true, focusVisible: true });
        expect(focused?.outlineStyle).not.toBe('none');
      }
      await screenshot(page, 'web-ui-dialog-de-1280', { fullPage: false });

      // Escape closes it; the focus is back on the button that opened it; nothing was revoked, nothing is shown as an error.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null)).resolves.toMatch(/abmelden/i);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', focusVisible: true });
      await expect(items.count()).resolves.toBe(2);
      await expect(sessions.getByRole('alert').count()).resolves.toBe(0);

      // Again: a wrong password is said in the dialog, which stays open.
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.type('not my password');
      await page.keyboard.press('Enter');
      const error = dialog.getByRole('alert');
      await expect(text(error)).resolves.toBe('Das Passwort ist falsch.');
      await expect(dialog.getByLabel('Passwort', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(dialog.isVisible()).resolves.toBe(true);
      await screenshot(page, 'web-ui-dialog-error-de-1280', { fullPage: false });
      await page.setViewportSize(PHONE);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'web-ui-dialog-error-de-375', { fullPage: false });
      await page.setViewportSize(DESKTOP);

      // The right one: the dialog closes and the revocation is sent again.
      await dialog.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
      await dialog.getByRole('button', { name: 'Bestätigen' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await expect(text(sessions.getByRole('status'))).resolves.toBe('Die Sitzung wurde beendet.');
      await waitFor(async () => ((await items.count()) === 1 ? true : undefined), 'one session left');
      await expect(text(items)).resolves.toContain('Dieses Gerät');
      // Focus did not get lost on the page: it is on the section's message or inside the section.
      await expect(page.evaluate(() => document.activeElement?.closest('section')?.getAttribute('aria-labelledby') ?? null)).resolves.toBe('sessions-title');

      // The other browser's session is gone.
      await expect(other.page.request.get(`${timed.baseUrl}/api/v1/session`).then((r) => r.status())).resolves.toBe(401);
      await other.page.reload();
      await other.page.waitForURL('**/login');
      expect(problems).toEqual([]);
      expect(other.problems).toEqual([]);
    });

    it('switches to English and back; anonymous visitors keep the choice over a reload, accounts store it', async () => {
      const email = await newAccount(main);
      const { page, problems } = await openPage();
      await page.goto(`${main.baseUrl}/login`);
      await heading(page, 'Anmelden').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await heading(page, 'Sign in').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.reload();
      await heading(page, 'Sign in').waitFor();
      await expect(text(page.getByRole('banner'))).resolves.toContain('Deutsch');
      await page.getByRole('button', { name: 'Auf Deutsch wechseln' }).click();
      await heading(page, 'Anmelden').waitFor();
      await page.reload();
      await heading(page, 'Anmelden').waitFor();

      // Signed in, the switch is stored on the account.
      await signIn(page, main.baseUrl, email);
      const account = async () =>
        ((await (await page.request.get(`${main.baseUrl}/api/v1/session`)).json()) as { account: { locale: string; timeZone: string } }).account;
      await expect(account()).resolves.toMatchObject({ locale: 'de' });
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await heading(page, 'Security at a glance').waitFor();
      await waitFor(async () => ((await account()).locale === 'en' ? true : undefined), 'the account to speak English');
      // The profile's own setting ("Settings") follows the switch.
      await openProfilePage(page, 'settings', 'en');
      await waitFor(
        async () => ((await page.getByLabel('Language', { exact: true }).inputValue()) === 'en' ? true : undefined),
        'the language setting to show English',
      );
      await page.getByRole('button', { name: 'Auf Deutsch wechseln' }).click();
      await heading(page, 'Einstellungen').waitFor();
      await waitFor(async () => ((await account()).locale === 'de' ? true : undefined), 'the account to speak German again');

      // "Sprache und Zeitzone" in the profile's "Einstellungen".
      const preferences = page.getByRole('region', { name: 'Sprache und Zeitzone' });
      await preferences.getByLabel('Sprache', { exact: true }).selectOption('en');
      await preferences.getByLabel('Zeitzone').selectOption('Europe/London');
      await preferences.getByRole('button', { name: 'Speichern' }).click();
      await heading(page, 'Settings').waitFor();
      await expect(text(page.getByRole('region', { name: 'Language and time zone' }).getByRole('status'))).resolves.toBe('Saved.');
      await expect(account()).resolves.toMatchObject({ locale: 'en', timeZone: 'Europe/London' });
      // A fresh browser that has never chosen follows the account once signed in.
      const fresh = await openPage();
      await signIn(fresh.page, main.baseUrl, email, { profileLang: 'en' });
      expect(await fresh.page.getAttribute('html', 'lang')).toBe('en');
      expect(problems).toEqual([]);
      expect(fresh.problems).toEqual([]);
    });

    it('a mail link opens its page in the mail’s language (lang=), remembers it and leaves the address bar clean; the token still confirms', async () => {
      accounts += 1;
      const email = `english${accounts}@example.test`;
      await createAccount(main, email, { locale: 'en', confirm: false });
      const link = await tokenLink(main.baseUrl, email);
      expect(new URL(link).searchParams.get('lang')).toBe('en');
      // A German browser whose visitor chose German before.
      const { page, problems } = await openPage();
      await page.goto(`${main.baseUrl}/login`);
      await page.evaluate(() => localStorage.setItem('lifeline.locale', 'de'));
      await page.goto(link);
      await heading(page, 'Confirm your email address').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await waitFor(async () => (new URL(page.url()).search === '' ? true : undefined), 'token and lang gone from the address');
      expect(new URL(page.url()).pathname).toBe('/confirm-email');
      // Remembered as the language switch would: a reload stays English.
      await expect(page.evaluate(() => localStorage.getItem('lifeline.locale'))).resolves.toBe('en');
      await page.getByRole('button', { name: 'Confirm email address' }).click();
      await expect(text(page.getByRole('status'))).resolves.toContain(email);
      await shoot(page, 'web-ui-mail-link-lang-en');
      await page.reload();
      await heading(page, 'Confirm your email address').waitFor();
      expect(problems).toEqual([]);
    });

    it('signs out; the profile then leads to the sign-in', async () => {
      const email = await newAccount(main);
      const { page, problems } = await openPage(PHONE_DEVICE);
      await signIn(page, main.baseUrl, email);
      // "Abmelden" is on the overview, below its cards (the header keeps only "Profil" and the
      // language, so the cards come first for the keyboard), and on "Einstellungen".
      await expect(page.getByRole('banner').getByRole('button', { name: 'Abmelden' }).count()).resolves.toBe(0);
      await openProfilePage(page, 'settings');
      await expect(page.getByRole('region', { name: 'Abmelden' }).getByRole('button', { name: 'Abmelden' }).count()).resolves.toBe(1);
      await openProfilePage(page, 'overview');
      await page.getByRole('main').getByRole('button', { name: 'Abmelden', exact: true }).click();
      await page.waitForURL('**/login?notice=signed-out');
      await expect(text(page.getByRole('status'))).resolves.toBe('Sie wurden abgemeldet.');
      await expect(page.request.get(`${main.baseUrl}/api/v1/session`).then((r) => r.status())).resolves.toBe(401);
      await page.goto(`${main.baseUrl}/profile`);
      await page.waitForURL('**/login');
      await heading(page, 'Anmelden').waitFor();
      expect(problems).toEqual([]);
    });

    it('an unconfirmed address leads to the page with "Link erneut senden", which sends a new link', async () => {
      const email = await newAccount(main, { confirm: false });
      await tokenLink(main.baseUrl, email);
      const { page, problems } = await openPage({ expected: [{ status: 403, path: '/api/v1/login' }] });
      await page.goto(`${main.baseUrl}/login`);
      await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
      await page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
      await page.getByRole('main').getByRole('button', { name: 'Anmelden', exact: true }).click();
      await page.waitForURL('**/verify-email');
      await heading(page, 'E-Mail-Adresse bestätigen').waitFor();
      await expect(text(page.getByRole('main'))).resolves.toContain(email);
      await page.getByRole('button', { name: 'Link erneut senden' }).click();
      await expect(text(page.getByRole('status'))).resolves.toContain('ist ein neuer Link unterwegs');
      await shoot(page, 'web-ui-verify-email-resent-de');
      const link = await tokenLink(main.baseUrl, email, 1);
      // The new link confirms.
      await page.goto(link);
      await page.getByRole('button', { name: 'E-Mail-Adresse bestätigen' }).click();
      await expect(text(page.getByRole('status'))).resolves.toContain('ist bestätigt');
      expect(problems).toEqual([]);
    });

    it('shows errors: a wrong password on sign-in, a too common password next to the password field', async () => {
      const email = await newAccount(main);
      for (const lang of ['de', 'en'] as const) {
        const { page, problems, context } = await openPage({
          lang,
          expected: [
            { status: 401, path: '/api/v1/login' },
            { status: 422, path: '/api/v1/signup' },
          ],
        });
        const words =
          lang === 'de'
            ? {
                email: 'E-Mail-Adresse',
                password: 'Passwort',
                signIn: 'Anmelden',
                create: 'Konto anlegen',
                wrong: 'E-Mail-Adresse oder Passwort ist falsch.',
                common: 'Dieses Passwort gehört zu den am häufigsten verwendeten',
                emailRequired: 'Bitte geben Sie Ihre E-Mail-Adresse ein.',
                emailInvalid: 'Bitte geben Sie eine vollständige E-Mail-Adresse ein, zum Beispiel name@beispiel.de.',
                passwordRequired: 'Bitte geben Sie Ihr Passwort ein.',
                passwordShort: 'Das Passwort muss mindestens 8 Zeichen lang sein.',
              }
            : {
                email: 'Email address',
                password: 'Password',
                signIn: 'Sign in',
                create: 'Create account',
                wrong: 'The email address or the password is wrong.',
                common: 'This password is one of the most commonly used',
                emailRequired: 'Please enter your email address.',
                emailInvalid: 'Please enter a complete email address, for example name@example.com.',
                passwordRequired: 'Please enter your password.',
                passwordShort: 'Your password needs at least 8 characters.',
              };
        await page.goto(`${main.baseUrl}/login`);
        await page.getByLabel(words.email, { exact: true }).fill(email);
        await page.getByLabel(words.password, { exact: true }).fill('not the password');
        await page.getByRole('main').getByRole('button', { name: words.signIn, exact: true }).click();
        await expect(text(page.getByRole('alert'))).resolves.toBe(words.wrong);
        // The focus stays on the button that was pressed (it is not disabled while the request runs).
        await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: words.signIn });
        for (const size of [DESKTOP, PHONE]) {
          await page.setViewportSize(size);
          expect(await scrollWidth(page)).toBeLessThanOrEqual(size.width);
          await screenshot(page, `web-ui-sign-in-error-${lang}-${size.width}`);
        }

        await page.setViewportSize(DESKTOP);
        await page.goto(`${main.baseUrl}/register`);
        // Empty, then half-filled: the page's own sentences at each field, nothing sent, never a schema's words.
        const alertAt = (label: string) =>
          page
            .locator('.field')
            .filter({ has: page.getByLabel(label, { exact: true }) })
            .getByRole('alert');
        const signups: string[] = [];
        page.on('request', (request) => void (request.url().endsWith('/api/v1/signup') && signups.push(request.url())));
        await page.getByRole('button', { name: words.create }).click();
        await expect(text(alertAt(words.email))).resolves.toBe(words.emailRequired);
        await expect(text(alertAt(words.password))).resolves.toBe(words.passwordRequired);
        await page.getByLabel(words.email, { exact: true }).fill('anna@');
        await page.getByLabel(words.password, { exact: true }).fill('kurz');
        await page.getByRole('button', { name: words.create }).click();
        await expect(text(alertAt(words.email))).resolves.toBe(words.emailInvalid);
        await expect(text(alertAt(words.password))).resolves.toBe(words.passwordShort);
        expect(signups).toEqual([]);
        await screenshot(page, `web-ui-register-empty-${lang}`);
        await page.getByLabel(words.email, { exact: true }).fill(`new-${lang}@example.test`);
        const password = page.getByLabel(words.password, { exact: true });
        await password.fill('password1');
        await page.getByRole('button', { name: words.create }).click();
        const fieldError = page.locator('.field').filter({ has: password }).getByRole('alert');
        await expect(text(fieldError)).resolves.toContain(words.common);
        await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
        // The message is the field's description, so a screen reader reads it with the field.
        const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
        expect(describedBy.split(' ')).toContain(await fieldError.getAttribute('id'));
        await page.getByRole('meter').waitFor(); // the strength meter's dictionaries have loaded
        for (const size of [DESKTOP, PHONE]) {
          await page.setViewportSize(size);
          expect(await scrollWidth(page)).toBeLessThanOrEqual(size.width);
          await screenshot(page, `web-ui-register-error-${lang}-${size.width}`);
        }
        expect(problems, lang).toEqual([]);
        await context.close();
      }
    });

    it('works by keyboard: Tab reaches the fields and buttons with a visible focus, in order', async () => {
      const { page, problems } = await openPage();
      for (const [path, expected] of [
        ['/login', ['E-Mail-Adresse', 'Passwort', 'Passwort anzeigen', 'Anmelden', 'Passwort vergessen?', 'Jetzt registrieren']],
        ['/register', ['E-Mail-Adresse', 'Passwort', 'Passwort anzeigen', 'Konto anlegen', 'Zur Anmeldung']],
      ] as const) {
        await page.goto(`${main.baseUrl}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        const reached: FocusInfo[] = [];
        for (let i = 0; i < 14; i++) {
          await page.keyboard.press('Tab');
          const focused = await page.evaluate(focusInfo);
          if (focused === null) break;
          reached.push(focused);
          expect(focused, `${path}: ${focused.name}`).toMatchObject({ focusVisible: true });
          expect(focused.outlineStyle, `${path}: ${focused.name}`).not.toBe('none');
          expect(focused.outlineWidth, `${path}: ${focused.name}`).toBeGreaterThanOrEqual(2);
          if (i === 0) await screenshot(page, `web-ui-focus-skip-link${path.replace('/', '-')}-de-1280`);
        }
        // The skip link comes first; the page's fields and buttons follow the header in reading order.
        expect(reached[0]?.name).toBe('Zum Inhalt springen');
        const names = reached.map((f) => f.name);
        const start = names.indexOf('E-Mail-Adresse');
        expect(names.slice(start, start + expected.length), path).toEqual(expected);
      }
      // Enter on the skip link moves the focus into the page: the next Tab is the first field.
      await page.goto(`${main.baseUrl}/login`);
      await heading(page, 'Anmelden').waitFor();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ name: 'E-Mail-Adresse', tag: 'input' });
      await screenshot(page, 'web-ui-focus-field-de-1280');
      expect(problems).toEqual([]);
    });

    for (const lang of ['de', 'en'] as const) {
      it(`every page in ${lang === 'de' ? 'German' : 'English'}: no serious axe violation, no sideways scrolling at 375 px, screenshots at 1280 and 375 px`, async () => {
        const failures: string[] = [];
        const email = await newAccount(timed, { locale: lang });
        const titles =
          lang === 'de'
            ? {
                signIn: 'Anmelden',
                register: 'Registrieren',
                verify: 'E-Mail-Adresse bestätigen',
                confirm: 'E-Mail-Adresse bestätigen',
                confirmChange: 'Neue E-Mail-Adresse bestätigen',
                forgot: 'Passwort vergessen?',
                notFound: 'Seite nicht gefunden',
                profile: 'Sicherheit auf einen Blick',
                dialog: 'Geben Sie zunächst Ihr Passwort ein',
              }
            : {
                signIn: 'Sign in',
                register: 'Sign up',
                verify: 'Confirm your email address',
                confirm: 'Confirm your email address',
                confirmChange: 'Confirm your new email address',
                forgot: 'Forgot password?',
                notFound: 'Page not found',
                profile: 'Security at a glance',
                dialog: 'Please enter your password first',
              };
        const { page, problems, context } = await openPage({
          lang,
          expected: [
            { status: 404, path: '/no-such-page' },
            { status: 403, path: '/api/v1/account/email' },
          ],
        });
        await context.addInitScript((address) => sessionStorage.setItem('lifeline.pendingEmail', address), email);
        /**
         * Axe (at 1280 px: its rules do not depend on the width), the width and a screenshot at 1280 and at 375 px
         * (of the viewport under the password dialog, else of the full page); as this test always has, without
         * asserting that the focus stays (the keyboard has its own test).
         */
        const check = (name: string) =>
          checkState(page, failures, { prefix: 'web-ui', state: name, lang, target: name.endsWith('dialog') ? 'viewport' : 'page', focusKept: false });
        for (const [name, path, title] of [
          ['sign-in', '/', titles.signIn],
          ['register', '/register', titles.register],
          ['verify-email', '/verify-email', titles.verify],
          ['confirm-email', '/confirm-email?token=a-token-from-a-mail', titles.confirm],
          ['confirm-email-change', '/confirm-email-change?token=a-token-from-a-mail', titles.confirmChange],
          ['forgot-password', '/forgot-password', titles.forgot],
          ['not-found', '/no-such-page', titles.notFound],
        ] as const) {
          await page.goto(`${timed.baseUrl}${path}`);
          await heading(page, title).waitFor();
          await check(name);
        }
        await signIn(page, timed.baseUrl, email, { lang });
        await page
          .getByRole('region', { name: lang === 'de' ? 'Kontowiederherstellung' : 'Account recovery' })
          .locator('.state-warning')
          .waitFor();
        await check('profile');
        // The profile's four pages.
        await openProfilePage(page, 'recovery', lang);
        await page.getByRole('group', { name: lang === 'de' ? 'Telefonnummer' : 'Phone number', exact: true }).waitFor();
        await check('profile-recovery');
        await openProfilePage(page, 'activity', lang);
        await page
          .getByRole('region', { name: lang === 'de' ? 'Aktive Sitzungen' : 'Active sessions' })
          .getByRole('listitem')
          .first()
          .waitFor();
        await check('profile-activity');
        await openProfilePage(page, 'settings', lang);
        await check('profile-settings');
        await openProfilePage(page, 'signIn', lang);
        await check('profile-sign-in');

        // The password dialog, opened by an email change once the privileged window has closed.
        clock.advance(61_000);
        const signInSection = page.getByRole('region', { name: lang === 'de' ? 'E-Mail-Adresse für die Anmeldung' : 'Email address for signing in' });
        await signInSection
          .getByRole('button', { name: lang === 'de' ? 'E-Mail-Adresse für die Anmeldung ändern' : 'Change email address for signing in' })
          .click();
        await signInSection.getByLabel(lang === 'de' ? 'Neue E-Mail-Adresse' : 'New email address').fill(`new-${email}`);
        await signInSection.getByRole('button', { name: lang === 'de' ? 'Bestätigungslink senden' : 'Send confirmation link' }).click();
        await page.getByRole('dialog', { name: titles.dialog }).waitFor();
        await check('profile-dialog');
        await page.keyboard.press('Escape');
        await page.getByRole('dialog').waitFor({ state: 'hidden' });
        expect(problems, lang).toEqual([]);
        await context.close();
        expect(failures).toEqual([]);
      });
    }
  });
}
