import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { screenshotOf } from '../helpers/browser.js';
import { createAccount, NO_API_RATE_LIMIT, type Lang } from '../helpers/browser-instance.js';
import { focusInfo, heading, openProfilePage, PHONE_DEVICE, signIn, text } from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';
import { NO_SUCH_CODE, RECOVERY_CODE_FORM } from '../helpers/recovery-codes.js';

/**
 * "Wiederherstellungscodes" in a real Chromium against a real server (docs/ui.md "States",
 * "Recovery codes"). German on a phone (390×844): the row says "Nicht eingerichtet" → "Codes
 * erstellen" → the ten codes in a panel (the focus on its heading), the downloaded file holds
 * them, "Ich habe die Codes sicher aufbewahrt" gives the focus back to the row's button, which
 * now says "10 von 10 übrig"; then another browser: "Passwort vergessen?" with the login email →
 * "Wiederherstellungscode verwenden" → a wrong code (the tries left at the field) → a right one
 * typed in lower case with spaces → the new password → signed in, and the row says "9 von 10
 * übrig". English on a desktop: two columns, "Create new codes" asks first (keeping gives the
 * focus back), then a new set; the code step switches to a recovery code and back. Each state:
 * no console error or failed request, no serious axe violation, no sideways scrolling;
 * screenshots in test-results/screenshots/recovery-codes-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

const WORDS = {
  de: {
    section: 'Ihre Wiederherstellungsoptionen',
    row: 'Wiederherstellungscodes',
    notSetUp: 'Nicht eingerichtet',
    create: 'Codes erstellen',
    createNew: 'Neue Codes erstellen',
    panelTitle: 'Ihre neuen Wiederherstellungscodes',
    print: 'Drucken',
    download: 'Herunterladen',
    done: 'Ich habe die Codes sicher aufbewahrt',
    remaining: (n: number) => `${n} von 10 übrig`,
    replaceQuestion: 'Neue Codes erstellen? Ihre bisherigen Codes funktionieren dann nicht mehr.',
    replaceConfirm: 'Ja, neue Codes erstellen',
    replaceKeep: 'Nein, bisherige behalten',
    identifier: 'E-Mail-Adresse oder Telefonnummer',
    sendCode: 'Code senden',
    codeTitle: 'Code eingeben',
    emailCode: 'Code aus der E-Mail',
    useRecovery: 'Wiederherstellungscode verwenden',
    useMailed: 'Code aus der E-Mail verwenden',
    recoveryLabel: 'Wiederherstellungscode',
    recoveryHint: '12 Zeichen, z. B. ABCD-EFGH-JKMN',
    wrongCode: 'Der Code ist falsch. Sie haben noch 4 Versuche.',
    passwordTitle: 'Neues Passwort festlegen',
    newPassword: 'Neues Passwort',
    repeat: 'Neues Passwort wiederholen',
    save: 'Passwort speichern',
    signInTitle: 'Anmelden',
  },
  en: {
    section: 'Your recovery options',
    row: 'Recovery codes',
    notSetUp: 'Not set up',
    create: 'Create codes',
    createNew: 'Create new codes',
    panelTitle: 'Your new recovery codes',
    print: 'Print',
    download: 'Download',
    done: 'I have stored the codes safely',
    remaining: (n: number) => `${n} of 10 left`,
    replaceQuestion: 'Create new codes? Your current codes will stop working.',
    replaceConfirm: 'Yes, create new codes',
    replaceKeep: 'No, keep my codes',
    identifier: 'Email address or phone number',
    sendCode: 'Send code',
    codeTitle: 'Enter the code',
    emailCode: 'Code from the email',
    useRecovery: 'Use a recovery code',
    useMailed: 'Use the code from the email',
    recoveryLabel: 'Recovery code',
    recoveryHint: '12 characters, e.g. ABCD-EFGH-JKMN',
  },
} as const;

const NEW_PASSWORD = 'Wolkenband Kiesel Laterne 9';
/** The phone of the brief: 390×844. */
const PHONE_390 = { ...PHONE_DEVICE, viewport: { width: 390, height: 844 } };

if (chromiumPath) {
  describe('browser: recovery codes ("Wiederherstellungscodes")', () => {
    const run = useBrowserRun(chromiumPath, 'lifeline-codes-ui-', NO_API_RATE_LIMIT);

    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'page' = 'page') =>
      checkStateAtOwnWidth(page, failures, { prefix: 'recovery-codes', state, lang, target });

    /** The codes row on "Kontowiederherstellung", once it has loaded. */
    async function codesRow(page: Page, lang: Lang): Promise<Locator> {
      const w = WORDS[lang];
      await openProfilePage(page, 'recovery', lang);
      const row = page.getByRole('region', { name: w.section }).getByRole('group', { name: w.row, exact: true });
      await row.waitFor();
      return row;
    }

    /** The panel's ten codes, after checking that it is there, has the focus and shows them monospace. */
    async function shownCodes(page: Page, lang: Lang): Promise<string[]> {
      const w = WORDS[lang];
      const panel = page.getByRole('region', { name: w.panelTitle });
      await panel.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.panelTitle });
      const codes = await panel.locator('.recovery-codes-list code').allTextContents();
      expect(codes).toHaveLength(10);
      for (const code of codes) expect(code).toMatch(RECOVERY_CODE_FORM);
      expect(new Set(codes).size).toBe(10);
      await expect(page.evaluate("getComputedStyle(document.querySelector('.recovery-codes-list code')).fontFamily")).resolves.toMatch(/mono/i);
      return codes;
    }

    it('German on a phone: create, download, close; "Passwort vergessen?" with a recovery code; 9 of 10 left', async () => {
      const w = WORDS.de;
      const login = 'codes.ida@example.test';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await run.openPage({ lang: 'de', ...PHONE_390 });
      await signIn(page, run.baseUrl, login);
      const row = await codesRow(page, 'de');
      await row.getByText(w.notSetUp, { exact: true }).waitFor();
      await check(page, failures, 'de', 'row-none', row);

      await row.getByRole('button', { name: w.create, exact: true }).click();
      const codes = await shownCodes(page, 'de');
      const panel = page.getByRole('region', { name: w.panelTitle });
      // One column on a phone: the second code sits below the first.
      const items = panel.locator('.recovery-codes-list li');
      const [one, two] = [await items.nth(0).boundingBox(), await items.nth(1).boundingBox()];
      expect(two?.y).toBeGreaterThan(one?.y ?? 0);
      await expect(text(panel)).resolves.toContain('c***@example.test');
      await screenshotOf(panel, 'recovery-codes-panel-de-390');
      await check(page, failures, 'de', 'panel', panel);

      // "Herunterladen": a text file with the product's name, the masked login email and the ten codes.
      const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('link', { name: w.download, exact: true }).click()]);
      expect(download.suggestedFilename()).toBe('lifeline-wiederherstellungscodes.txt');
      const file = await readFile(await download.path(), 'utf8');
      expect(file).toContain('Lifeline');
      expect(file).toContain('c***@example.test');
      for (const code of codes) expect(file).toContain(code);
      await expect(panel.getByRole('button', { name: w.print, exact: true }).count()).resolves.toBe(1);

      // Closed: the focus is back on the row's button, which now replaces the set.
      await panel.getByRole('button', { name: w.done, exact: true }).click();
      await expect(panel.count()).resolves.toBe(0);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.createNew });
      await row.getByText(w.remaining(10), { exact: true }).waitFor();
      await check(page, failures, 'de', 'row-active', row);

      // Another browser: "Passwort vergessen?" with the login email, then a recovery code.
      const other = await run.openPage({ lang: 'de', ...PHONE_390, expected: [{ status: 400, path: '/api/v1/password/forgot/verify' }] });
      await other.page.goto(`${run.baseUrl}/forgot-password`);
      await other.page.getByLabel(w.identifier, { exact: true }).fill(login);
      await other.page.getByRole('button', { name: w.sendCode, exact: true }).click();
      await heading(other.page, w.codeTitle).waitFor();
      await other.page.getByLabel(w.emailCode, { exact: true }).waitFor();
      await other.page.getByRole('button', { name: w.useRecovery, exact: true }).click();
      const field = other.page.getByLabel(w.recoveryLabel, { exact: true });
      await expect(other.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.recoveryLabel });
      await expect(field.getAttribute('autocomplete')).resolves.toBe('off');
      await expect(text(other.page.getByText(w.recoveryHint, { exact: true }))).resolves.toBe(w.recoveryHint);
      await expect(other.page.getByRole('button', { name: w.useMailed, exact: true }).count()).resolves.toBe(1);
      await check(other.page, failures, 'de', 'forgot-recovery');

      // A wrong code: said at the field with the tries left.
      await field.fill(NO_SUCH_CODE);
      await field.press('Enter');
      const fieldError = other.page.locator('.field').filter({ has: field }).getByRole('alert');
      await expect(text(fieldError)).resolves.toBe(w.wrongCode);
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      await check(other.page, failures, 'de', 'forgot-recovery-wrong');

      // The right code as someone types it from paper: lower case, spaces.
      await field.fill('');
      await field.pressSequentially((codes[3] ?? '').toLowerCase().replace(/-/g, ' '));
      await field.press('Enter');
      await heading(other.page, w.passwordTitle).waitFor();
      await other.page.getByLabel(w.newPassword, { exact: true }).fill(NEW_PASSWORD);
      await other.page.getByLabel(w.repeat, { exact: true }).fill(NEW_PASSWORD);
      await other.page.getByRole('button', { name: w.save, exact: true }).click();
      await other.page.waitForURL('**/login?notice=password-reset');
      await heading(other.page, w.signInTitle).waitFor();

      // Signed in with the new password; one code is used.
      await signIn(other.page, run.baseUrl, login, { password: NEW_PASSWORD });
      const rowAfter = await codesRow(other.page, 'de');
      await rowAfter.getByText(w.remaining(9), { exact: true }).waitFor();
      expect(problems).toEqual([]);
      expect(other.problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English on a desktop: two columns; "Create new codes" asks first; the code step switches to a recovery code and back', async () => {
      const w = WORDS.en;
      const login = 'codes.oscar@example.test';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      const { page, problems } = await run.openPage({ lang: 'en' });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      const row = await codesRow(page, 'en');
      await row.getByRole('button', { name: w.create, exact: true }).click();
      const first = await shownCodes(page, 'en');
      const panel = page.getByRole('region', { name: w.panelTitle });
      // Two columns on a desktop: the second code beside the first.
      const items = panel.locator('.recovery-codes-list li');
      const [one, two] = [await items.nth(0).boundingBox(), await items.nth(1).boundingBox()];
      expect(two?.y).toBe(one?.y);
      expect(two?.x).toBeGreaterThan(one?.x ?? 0);
      await screenshotOf(panel, 'recovery-codes-panel-en-1280');
      await check(page, failures, 'en', 'panel', panel);
      await panel.getByRole('button', { name: w.done, exact: true }).click();
      await row.getByText(w.remaining(10), { exact: true }).waitFor();

      // "Create new codes" asks first; keeping gives the focus back to the button.
      const createNew = row.getByRole('button', { name: w.createNew, exact: true });
      await createNew.click();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ name: w.replaceQuestion });
      await check(page, failures, 'en', 'replace-question', row);
      await row.getByRole('button', { name: w.replaceKeep, exact: true }).click();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.createNew });
      await createNew.click();
      await row.getByRole('button', { name: w.replaceConfirm, exact: true }).click();
      const second = await shownCodes(page, 'en');
      expect(second.filter((code) => first.includes(code))).toEqual([]);
      await page.getByRole('button', { name: w.done, exact: true }).click();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.createNew });

      // The code step in English: to a recovery code and back to the mailed one.
      const other = await run.openPage({ lang: 'en' });
      await other.page.goto(`${run.baseUrl}/forgot-password`);
      await other.page.getByLabel(w.identifier, { exact: true }).fill(login);
      await other.page.getByRole('button', { name: w.sendCode, exact: true }).click();
      await heading(other.page, w.codeTitle).waitFor();
      await other.page.getByRole('button', { name: w.useRecovery, exact: true }).click();
      await other.page.getByLabel(w.recoveryLabel, { exact: true }).waitFor();
      await check(other.page, failures, 'en', 'forgot-recovery');
      await other.page.getByRole('button', { name: w.useMailed, exact: true }).click();
      await expect(other.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.emailCode });
      expect(problems).toEqual([]);
      expect(other.problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
