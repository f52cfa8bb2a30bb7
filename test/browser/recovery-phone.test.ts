import { randomInt } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { waitFor } from '../helpers/browser.js';
import { createAccount, mailbox, NO_API_RATE_LIMIT, PASSWORD, startInstance, type Instance, type Lang } from '../helpers/browser-instance.js';
import {
  checkState,
  focusInfo,
  heading,
  profileTime,
  RECOVERY_SECTION_WORDS,
  recoveryRowNotSetUp,
  recoveryView,
  signIn,
  tabTo,
  text,
} from '../helpers/browser-page.js';
import { useBrowserRun } from '../helpers/browser-run.js';

/**
 * The seed's "Kontowiederherstellung → Telefonnummer" step by step in a real Chromium, against a
 * real server (development SMS: the dev mailbox) whose privileged window is 1 minute on a manual
 * clock: "Jetzt einrichten" → the dialog → Schritt 1 von 3, the password (Escape closes it; a
 * wrong one is refused next to the field) → Schritt 2 von 3, country and number (a 0900 number
 * refused next to the field, then a mobile number) → Schritt 3 von 3, the code (a wrong one with
 * the tries left; Escape leaves it pending; "Code eingeben" opens the dialog at the code again;
 * the code from the SMS) → active with the masked number → Verwalten → Ändern (the old
 * number stays active; both shown while the new one waits) → the new number active →
 * Verwalten → Entfernen (the question, then the password) → "Nicht eingerichtet"; then a
 * shorter English run. Everything by keyboard; on every step no console error, failed request
 * or CSP report, no serious axe violation, no sideways scrolling at 375 px, the focus inside the
 * open dialog and back on its opener (or the announced message) after it; screenshots of each
 * state at 1280 and 375 px in test-results/screenshots/recovery-phone-<state>-<lang>-<width>.png.
 * Shorter German runs for what the long one leaves out: "Code erneut senden" unlocking in the
 * open dialog once the minute has passed (the browser on the server's time through Playwright's
 * clock; the first code then fails, the new one confirms), a code entered after its 10 minutes
 * (410, "Code erneut senden" becomes the main action), "Abbrechen" on the pending row, and a
 * second server with SMS_PROVIDER=none, whose "Kontowiederherstellung" has no phone row.
 */
const chromiumPath = inject('chromiumPath');

/** The words of the flow in each language (the seed's wording in German). */
const WORDS = {
  de: {
    ...RECOVERY_SECTION_WORDS.de,
    row: 'Telefonnummer',
    emailRow: 'E-Mail-Adresse',
    advice:
      'Verwenden Sie die Nummer eines Telefons, mit dem Sie SMS empfangen können, auf das ausschließlich Sie Zugriff haben und das Sie stets bei sich tragen.',
    setUp: 'Jetzt einrichten',
    titleSetUp: 'Telefonnummer einrichten',
    titleChange: 'Telefonnummer ändern',
    step1: 'Schritt 1 von 3: Passwort',
    step2: 'Schritt 2 von 3: Telefonnummer',
    step3: 'Schritt 3 von 3: Code aus der SMS',
    numberOfTwo: 'Schritt 1 von 2: Telefonnummer',
    codeOfTwo: 'Schritt 2 von 2: Code aus der SMS',
    passwordIntro: 'Geben Sie zunächst Ihr Passwort ein.',
    password: 'Passwort',
    wrongPassword: 'Das Passwort ist falsch.',
    next: 'Weiter',
    country: 'Land',
    germany: 'Deutschland (+49)',
    number: 'Telefonnummer',
    sendCode: 'Code senden',
    notMobile: 'Bitte geben Sie eine Mobilfunknummer an, die SMS empfangen kann.',
    codeSent: (masked: string) => `Wir haben Ihnen eine SMS mit einem 6-stelligen Code an ${masked} gesendet.`,
    code: 'Code aus der SMS',
    confirm: 'Bestätigen',
    wrongCode: 'Der Code ist falsch. Sie haben noch 4 Versuche.',
    resend: 'Code erneut senden',
    resent: 'Ein neuer Code ist unterwegs. Der vorige Code gilt nicht mehr.',
    expired: 'Dieser Code ist abgelaufen, wurde schon verwendet oder zu oft falsch eingegeben. Bitte fordern Sie einen neuen Code an.',
    resendAt: (time: string) => `Code erneut senden ist ab ${time} möglich.`,
    keepsActive: (masked: string) => `Ihre bisherige Nummer ${masked} bleibt aktiv, bis Sie die neue Nummer bestätigt haben.`,
    cancel: 'Abbrechen',
    cancelled: 'Die Einrichtung der Telefonnummer wurde abgebrochen.',
    pending: 'Bestätigung ausstehend',
    enterCode: 'Code eingeben',
    confirmed: 'Ihre Telefonnummer zur Kontowiederherstellung ist eingerichtet.',
    changed: 'Ihre Telefonnummer zur Kontowiederherstellung wurde geändert. Die bisherige Nummer ist nicht mehr hinterlegt.',
    active: 'Aktiv',
    manage: 'Verwalten',
    change: 'Ändern',
    newNumber: 'Neue Nummer',
    remove: 'Entfernen',
    question: (masked: string) => `Möchten Sie die Telefonnummer ${masked} wirklich entfernen?`,
    yes: 'Ja, entfernen',
    reauth: 'Geben Sie zunächst Ihr Passwort ein',
    removed: 'Die Telefonnummer zur Kontowiederherstellung wurde entfernt.',
  },
  en: {
    ...RECOVERY_SECTION_WORDS.en,
    row: 'Phone number',
    advice: 'Use the number of a phone that can receive text messages, that only you have access to and that you always carry with you.',
    setUp: 'Set up now',
    titleSetUp: 'Set up phone number',
    step2: 'Step 2 of 3: Phone number',
    step3: 'Step 3 of 3: Code from the text message',
    numberOfTwo: 'Step 1 of 2: Phone number',
    codeOfTwo: 'Step 2 of 2: Code from the text message',
    country: 'Country',
    germany: 'Germany (+49)',
    number: 'Phone number',
    codeSent: (masked: string) => `We have sent a text message with a 6-digit code to ${masked}.`,
    code: 'Code from the text message',
    resendAt: (time: string) => `You can send the code again at ${time}.`,
    confirmed: 'Your account recovery phone number is set up.',
    active: 'Active',
    manage: 'Manage',
  },
} as const;

/** A German mobile number as people type it, with its E.164 form and the API's masked form. */
function mobileNumber(): { typed: string; e164: string; masked: string } {
  const digits = String(randomInt(0, 10_000_000)).padStart(7, '0');
  return { typed: `0171 ${digits}`, e164: `+49171${digits}`, masked: `+49 *** ****${digits.slice(-3)}` };
}

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: recovery phone (Kontowiederherstellung → Telefonnummer)', () => {
    /**
     * run.clock, the server's: the privileged window (1 minute here) closes when the test moves it.
     * run.openPage: a fresh page in its own context; error answers the test provokes are listed.
     */
    const run = useBrowserRun(chromiumPath, 'lifeline-recovery-phone-ui-', { ...NO_API_RATE_LIMIT, PRIVILEGED_WINDOW_MINUTES: '1' }, { manualClock: true });

    /** The code of the newest SMS to `e164` that carries one, once there are more than `before` of them. */
    async function smsCode(e164: string, before = 0): Promise<string> {
      const sms = await waitFor(async () => {
        const list = (await mailbox(run.baseUrl)).filter((message) => message.channel === 'sms' && message.to === e164 && /^\d{6}$/m.test(message.text));
        return list.length > before ? list[0] : undefined;
      }, `an SMS with a code to ${e164}`);
      const code = /^(\d{6})$/m.exec(sms.text)?.[1] ?? '';
      // WebOTP: the SMS ends with "@host #code" (the browser fills the field where it can).
      expect(sms.text.trim().split('\n').at(-1)).toBe(`@127.0.0.1 #${code}`);
      return code;
    }

    /** The account's recovery phone as the API sees it (with the page's own cookies). */
    const recovery = async (page: Page) => (await recoveryView(page, run.baseUrl)).phone;

    /** Tab and Shift+Tab a full round in the open dialog: the focus never leaves it. */
    async function focusStaysInDialog(page: Page): Promise<void> {
      const start = await page.evaluate(focusInfo);
      for (const key of ['Tab', 'Shift+Tab'] as const) {
        for (let i = 0; i < 9; i++) {
          await page.keyboard.press(key);
          const focused = await page.evaluate(focusInfo);
          expect(focused?.inDialog, `${key} ${i + 1}: focus on "${focused?.name ?? 'body'}" inside the dialog`).toBe(true);
        }
      }
      // Back where it started (9 forward, 9 back).
      expect(await page.evaluate(focusInfo)).toEqual(start);
    }

    /**
     * One state of the page (checkState): screenshots of `target` (the section) or of the
     * viewport (a modal dialog) as recovery-phone-<state>-<lang>-<width>.png.
     */
    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'viewport') =>
      checkState(page, failures, { prefix: 'recovery-phone', state, lang, target });

    /**
     * Just signed in (the privileged window is open): "Jetzt einrichten" in the phone row →
     * Schritt 1 von 2 (no password step shown) → the number by keyboard → Schritt 2 von 2. Answers the open dialog.
     */
    async function setUpToCode(page: Page, number: { typed: string; masked: string }): Promise<Locator> {
      const w = WORDS.de;
      await tabTo(page, w.setUp, { row: w.row });
      const dialog = page.getByRole('dialog', { name: new RegExp(`^${w.titleSetUp}`) });
      await dialog.getByLabel(w.number, { exact: true }).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.number, inDialog: true });
      await page.keyboard.type(number.typed);
      await page.keyboard.press('Enter');
      await dialog.getByLabel(w.code, { exact: true }).waitFor();
      await expect(text(dialog.locator('[aria-live="polite"]'))).resolves.toBe(w.codeOfTwo);
      await expect(text(dialog)).resolves.toContain(w.codeSent(number.masked));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.code, inDialog: true });
      return dialog;
    }

    it('German, the whole seed flow: password step, a refused number, a wrong code, confirmed, changed, removed', async () => {
      const w = WORDS.de;
      const login = 'mara.berg@example.test';
      const first = mobileNumber();
      const second = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await run.openPage({
        lang: 'de',
        expected: [
          { status: 403, path: '/api/v1/session/reauthenticate' }, // wrong-password
          { status: 422, path: '/api/v1/recovery/phone' }, // number-type-not-allowed (0900)
          { status: 400, path: '/api/v1/recovery/phone/confirm' }, // wrong-code
        ],
      });
      await signIn(page, run.baseUrl, login, { lang: 'de' });

      // Profil → Kontowiederherstellung → Telefonnummer: "Nicht eingerichtet", the advice, "Jetzt einrichten".
      const { section, row } = await recoveryRowNotSetUp(page, w);
      await expect(text(row)).resolves.toContain(w.advice);
      await expect(text(section)).resolves.not.toContain('noch nicht verfügbar');
      await check(page, failures, 'de', 'not-set-up', section);

      // The sign-in's privileged window has ended: the dialog starts with the password (Schritt 1 von 3).
      run.clock.advance(61_000);
      const opener = await tabTo(page, w.setUp, { row: w.row });
      expect(opener.tag).toBe('button');
      const dialog = page.getByRole('dialog', { name: new RegExp(`^${w.titleSetUp}`) });
      await dialog.waitFor();
      // The dialog's name carries the step: "Telefonnummer einrichten Schritt 1 von 3: Passwort".
      await page.getByRole('dialog', { name: `${w.titleSetUp} ${w.step1}`, exact: true }).waitFor();
      await expect(text(dialog.locator('[aria-live="polite"]'))).resolves.toBe(w.step1);
      await expect(text(dialog)).resolves.toContain(w.passwordIntro);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.password, inDialog: true });
      await focusStaysInDialog(page);
      await check(page, failures, 'de', 'password', 'viewport');

      // Escape closes it: the focus is back on "Jetzt einrichten" of the phone row; Enter opens it again.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.setUp, row: w.row, focusVisible: true });
      await expect(recovery(page)).resolves.toEqual({ status: 'none' });
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.password, inDialog: true });

      // A wrong password: said next to the field, in the dialog.
      await page.keyboard.type('falsches Passwort');
      await page.keyboard.press('Enter');
      const passwordError = dialog
        .locator('.field')
        .filter({ has: page.getByLabel(w.password, { exact: true }) })
        .getByRole('alert');
      await expect(text(passwordError)).resolves.toBe(w.wrongPassword);
      await expect(dialog.getByLabel(w.password, { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
      await check(page, failures, 'de', 'wrong-password', 'viewport');

      // The right password: Schritt 2 von 3, the country (Deutschland preselected) and the number.
      await page.keyboard.press('Control+A');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      const numberField = dialog.getByLabel(w.number, { exact: true });
      await numberField.waitFor();
      await expect(text(dialog.locator('[aria-live="polite"]'))).resolves.toBe(w.step2);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.number, inDialog: true, focusVisible: true });
      await expect(numberField.getAttribute('type')).resolves.toBe('tel');
      await expect(numberField.getAttribute('autocomplete')).resolves.toBe('tel-national');
      await expect(numberField.getAttribute('inputmode')).resolves.toBe('tel');
      const country = dialog.getByLabel(w.country, { exact: true });
      await expect(country.inputValue()).resolves.toBe('DE');
      await expect(text(country.locator('option:checked'))).resolves.toBe(w.germany);
      const names = (await country.locator('option').allTextContents()).map((label) => label.replace(/ \(\+\d+\)$/, ''));
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'de')));
      expect(names).toContain('Österreich');
      await focusStaysInDialog(page);
      await check(page, failures, 'de', 'number', 'viewport');

      // A premium-rate number cannot receive the SMS: refused, the reason next to the field.
      await page.keyboard.type('0900 1234567');
      await page.keyboard.press('Enter');
      const numberError = dialog
        .locator('.field')
        .filter({ has: page.getByLabel(w.number, { exact: true }) })
        .getByRole('alert');
      await expect(text(numberError)).resolves.toContain(w.notMobile);
      await expect(numberField.getAttribute('aria-invalid')).resolves.toBe('true');
      expect(((await numberField.getAttribute('aria-describedby')) ?? '').split(' ')).toContain(await numberError.getAttribute('id'));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.number, inDialog: true });
      await expect(recovery(page)).resolves.toEqual({ status: 'none' });
      await check(page, failures, 'de', 'number-refused', 'viewport');

      // A mobile number: the SMS goes out; Schritt 3 von 3 names where it went.
      await page.keyboard.press('Control+A');
      await page.keyboard.type(first.typed);
      await page.keyboard.press('Enter');
      const codeField = dialog.getByLabel(w.code, { exact: true });
      await codeField.waitFor();
      await expect(text(dialog.locator('[aria-live="polite"]'))).resolves.toBe(w.step3);
      await expect(text(dialog)).resolves.toContain(w.codeSent(first.masked));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.code, inDialog: true, focusVisible: true });
      await expect(codeField.getAttribute('autocomplete')).resolves.toBe('one-time-code');
      await expect(codeField.getAttribute('inputmode')).resolves.toBe('numeric');
      // A pasted "123 456" fits (a maxlength of 6 would cut it to "123 45"); the field keeps the 6 digits.
      await codeField.fill('123 456');
      await expect(codeField.inputValue()).resolves.toBe('123456');
      await codeField.fill('');
      const pendingView = await recovery(page);
      expect(pendingView).toMatchObject({ status: 'pending', pending: { masked: first.masked } });
      // "Code erneut senden" waits for its minute, and says until when.
      const resend = dialog.getByRole('button', { name: w.resend, exact: true });
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      const at = profileTime(pendingView.pending?.resendAvailableAt ?? '', 'de', 'clock');
      await expect(text(dialog)).resolves.toContain(w.resendAt(at));
      const code = await smsCode(first.e164);
      await focusStaysInDialog(page);
      await check(page, failures, 'de', 'code', 'viewport');

      // A wrong code: said at the field, with the tries left.
      await page.keyboard.type(code === '000000' ? '111111' : '000000');
      await page.keyboard.press('Enter');
      const codeError = dialog
        .locator('.field')
        .filter({ has: page.getByLabel(w.code, { exact: true }) })
        .getByRole('alert');
      await expect(text(codeError)).resolves.toBe(w.wrongCode);
      await expect(codeField.getAttribute('aria-invalid')).resolves.toBe('true');
      await check(page, failures, 'de', 'wrong-code', 'viewport');

      // Escape: the setup waits ("Bestätigung ausstehend"); the opener is gone, so the focus is on "Code eingeben".
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      const pendingGroup = row.getByRole('group', { name: new RegExp(w.pending) });
      await expect(text(pendingGroup)).resolves.toContain(first.masked);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.enterCode, row: w.row, inDialog: false });
      await pendingGroup.getByRole('button', { name: w.cancel, exact: true }).waitFor();
      await expect(row.getByRole('button', { name: w.setUp }).count()).resolves.toBe(0);
      await check(page, failures, 'de', 'pending', section);

      // "Code eingeben" opens the dialog at the code; the code from the SMS; "Bestätigen" by Enter.
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await expect(text(dialog.locator('[aria-live="polite"]'))).resolves.toBe(w.codeOfTwo);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.code, inDialog: true });
      await page.keyboard.type(code);
      await tabTo(page, w.confirm, { inDialog: true });
      await dialog.waitFor({ state: 'hidden' });
      const status = section.getByRole('status');
      await expect(text(status)).resolves.toBe(w.confirmed);
      // The focus is on the announced message of the row.
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'div', row: w.row, className: 'recovery-message', inDialog: false });
      await expect(recovery(page)).resolves.toEqual({ status: 'active', masked: first.masked });
      await row.getByText(first.masked, { exact: true }).waitFor();
      await expect(text(row)).resolves.toContain(w.active);
      await expect(text(row)).resolves.not.toContain(w.pending);
      await check(page, failures, 'de', 'active', section);

      // Verwalten: "Ändern" and "Entfernen" (the email row's verbs).
      await tabTo(page, w.manage, { row: w.row, backward: true });
      await expect(row.getByRole('button', { name: w.manage }).getAttribute('aria-expanded')).resolves.toBe('true');
      await row.getByRole('button', { name: w.change, exact: true }).waitFor();
      await row.getByRole('button', { name: w.remove, exact: true }).waitFor();
      await check(page, failures, 'de', 'manage', section);

      // Ändern (the window is open since the password): straight to the number, Schritt 1 von 2 (steps are numbered as shown); the old number stays active.
      await tabTo(page, w.change, { row: w.row });
      const changeDialog = page.getByRole('dialog', { name: new RegExp(`^${w.titleChange}`) });
      await changeDialog.waitFor();
      await expect(text(changeDialog.locator('[aria-live="polite"]'))).resolves.toBe(w.numberOfTwo);
      await expect(text(changeDialog)).resolves.toContain(w.keepsActive(first.masked));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.number, inDialog: true });
      await page.keyboard.type(second.typed);
      await check(page, failures, 'de', 'change-number', 'viewport');
      await page.keyboard.press('Enter');
      await changeDialog.getByLabel(w.code, { exact: true }).waitFor();
      await expect(text(changeDialog)).resolves.toContain(w.codeSent(second.masked));
      await expect(recovery(page)).resolves.toMatchObject({ status: 'active', masked: first.masked, pending: { masked: second.masked } });
      const secondCode = await smsCode(second.e164);
      await check(page, failures, 'de', 'change-code', 'viewport');

      // Escape: both shown, the active number and "Neue Nummer … Bestätigung ausstehend".
      await page.keyboard.press('Escape');
      await changeDialog.waitFor({ state: 'hidden' });
      const changeGroup = row.getByRole('group', { name: new RegExp(`${w.newNumber}.*${w.pending}`) });
      await expect(text(changeGroup)).resolves.toContain(second.masked);
      await expect(text(changeGroup)).resolves.not.toContain(first.masked);
      await row.getByText(first.masked, { exact: true }).waitFor();
      // The opener ("Ändern") is still there: the focus is back on it.
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.change, row: w.row, inDialog: false });
      await check(page, failures, 'de', 'change-pending', section);

      // "Code eingeben" of the new number, the code, Bestätigen: the new number is active.
      await tabTo(page, w.enterCode, { row: w.row });
      await changeDialog.waitFor();
      await page.keyboard.type(secondCode);
      await page.keyboard.press('Enter');
      await changeDialog.waitFor({ state: 'hidden' });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.changed);
      await expect(recovery(page)).resolves.toEqual({ status: 'active', masked: second.masked });
      await row.getByText(second.masked, { exact: true }).waitFor();
      await expect(text(row)).resolves.not.toContain(first.masked);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ className: 'recovery-message', row: w.row });
      await check(page, failures, 'de', 'changed', section);

      // Verwalten → Entfernen, after the window has ended: first the question, then the password.
      run.clock.advance(61_000);
      await tabTo(page, w.manage, { row: w.row, backward: true });
      await tabTo(page, w.remove, { row: w.row });
      await expect(text(row.getByRole('group', { name: new RegExp('^Möchten Sie') }))).resolves.toContain(w.question(second.masked));
      await expect(recovery(page)).resolves.toMatchObject({ status: 'active' });
      await check(page, failures, 'de', 'remove-question', section);
      // Escape keeps the number: the question closes, the focus is back on "Entfernen"; Enter asks again.
      await page.keyboard.press('Escape');
      await expect(row.getByRole('group', { name: new RegExp('^Möchten Sie') }).count()).resolves.toBe(0);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.remove, row: w.row });
      await page.keyboard.press('Enter');
      await row.getByRole('group', { name: new RegExp('^Möchten Sie') }).waitFor();
      await tabTo(page, w.yes, { row: w.row });
      const reauth = page.getByRole('dialog', { name: w.reauth });
      await reauth.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.password, inDialog: true });
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await reauth.waitFor({ state: 'hidden' });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.removed);
      await row.getByText(w.notSetUp, { exact: true }).waitFor();
      await row.getByRole('button', { name: w.setUp }).waitFor();
      await expect(recovery(page)).resolves.toEqual({ status: 'none' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ className: 'recovery-message', row: w.row });
      await check(page, failures, 'de', 'removed', section);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English: set up (the window is open after signing in, so no password step) and confirm', async () => {
      const w = WORDS.en;
      const login = 'sam.rivers@example.test';
      const number = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      const { page, problems } = await run.openPage({ lang: 'en' });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      const { section, row } = await recoveryRowNotSetUp(page, w);
      await expect(text(row)).resolves.toContain(w.advice);
      await check(page, failures, 'en', 'not-set-up', section);

      await tabTo(page, w.setUp, { row: w.row });
      const dialog = page.getByRole('dialog', { name: new RegExp(`^${w.titleSetUp}`) });
      await dialog.waitFor();
      await expect(text(dialog.locator('[aria-live="polite"]'))).resolves.toBe(w.numberOfTwo);
      const country = dialog.getByLabel(w.country, { exact: true });
      await expect(text(country.locator('option:checked'))).resolves.toBe(w.germany);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.number, inDialog: true });
      await page.keyboard.type(number.typed);
      await check(page, failures, 'en', 'number', 'viewport');
      await page.keyboard.press('Enter');
      const codeField = dialog.getByLabel(w.code, { exact: true });
      await codeField.waitFor();
      await expect(text(dialog.locator('[aria-live="polite"]'))).resolves.toBe(w.codeOfTwo);
      await expect(text(dialog)).resolves.toContain(w.codeSent(number.masked));
      const view = await recovery(page);
      const at = profileTime(view.pending?.resendAvailableAt ?? '', 'en', 'clock');
      await expect(text(dialog)).resolves.toContain(w.resendAt(at));
      await check(page, failures, 'en', 'code', 'viewport');
      await page.keyboard.type(await smsCode(number.e164));
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.confirmed);
      await row.getByText(number.masked, { exact: true }).waitFor();
      await row.getByRole('button', { name: w.manage }).waitFor();
      await expect(text(row)).resolves.toContain(w.active);
      await expect(recovery(page)).resolves.toEqual({ status: 'active', masked: number.masked });
      await check(page, failures, 'en', 'active', section);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German: "Code erneut senden" unlocks after the minute in the open dialog; the first code then fails, the new one confirms', async () => {
      const w = WORDS.de;
      const login = 'jonas.feld@example.test';
      const number = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await run.openPage({ lang: 'de', expected: [{ status: 400, path: '/api/v1/recovery/phone/confirm' }] });
      await signIn(page, run.baseUrl, login, { lang: 'de' });
      const { section } = await recoveryRowNotSetUp(page, w);

      const dialog = await setUpToCode(page, number);
      const firstCode = await smsCode(number.e164);
      const resend = dialog.getByRole('button', { name: w.resend, exact: true });
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');

      // The browser gets the server's time (Playwright's clock; the server runs on the test's
      // manual clock), then the page is reloaded: "Code eingeben" opens the dialog at the code,
      // "Code erneut senden" still waits for its minute.
      await page.clock.install({ time: run.clock.now() });
      await page.reload();
      await heading(page, w.title).waitFor();
      await tabTo(page, w.enterCode, { row: w.row });
      await dialog.getByLabel(w.code, { exact: true }).waitFor();
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      const view = await recovery(page);
      const at = profileTime(view.pending?.resendAvailableAt ?? '', 'de', 'clock');
      await expect(text(dialog)).resolves.toContain(w.resendAt(at));

      // The minute passes on both clocks: the open dialog unlocks the button by itself.
      run.clock.advance(61_000);
      await page.clock.fastForward(61_000);
      await waitFor(async () => ((await resend.getAttribute('aria-disabled')) === null ? true : undefined), 'an unlocked "Code erneut senden"');
      await expect(text(dialog)).resolves.not.toContain(w.resendAt(at));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.code, inDialog: true });
      await check(page, failures, 'de', 'resend-unlocked', 'viewport');

      // Pressed by keyboard: a new code is announced (role=status in the dialog), the focus stays
      // on the button, which waits for the next minute again.
      await tabTo(page, w.resend, { inDialog: true });
      await expect(text(dialog.getByRole('status'))).resolves.toBe(w.resent);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.resend, inDialog: true });
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      const newCode = await smsCode(number.e164, 1);
      expect(newCode).not.toBe(firstCode);
      await check(page, failures, 'de', 'resent', 'viewport');

      // The first code is dead: the wrong-code message, with the new code's tries.
      const codeField = dialog.getByLabel(w.code, { exact: true });
      await tabTo(page, w.code, { backward: true, inDialog: true, press: null });
      await expect(codeField.inputValue()).resolves.toBe('');
      await page.keyboard.type(firstCode);
      await page.keyboard.press('Enter');
      const codeError = dialog
        .locator('.field')
        .filter({ has: page.getByLabel(w.code, { exact: true }) })
        .getByRole('alert');
      await expect(text(codeError)).resolves.toBe(w.wrongCode);
      await expect(codeField.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(recovery(page)).resolves.toMatchObject({ status: 'pending' });

      // The newest code from the SMS confirms.
      await page.keyboard.press('Control+A');
      await page.keyboard.type(newCode);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.confirmed);
      await expect(recovery(page)).resolves.toEqual({ status: 'active', masked: number.masked });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ className: 'recovery-message', row: w.row });
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German: a code entered after its 10 minutes is no longer valid; "Code erneut senden" is the main action and its code confirms', async () => {
      const w = WORDS.de;
      const login = 'ida.lorenz@example.test';
      const number = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await run.openPage({ lang: 'de', expected: [{ status: 410, path: '/api/v1/recovery/phone/confirm' }] });
      // The browser runs on the server's time from the start (Playwright's clock).
      await page.clock.install({ time: run.clock.now() });
      await signIn(page, run.baseUrl, login, { lang: 'de' });
      const { section } = await recoveryRowNotSetUp(page, w);

      const dialog = await setUpToCode(page, number);
      const code = await smsCode(number.e164);
      const resend = dialog.getByRole('button', { name: w.resend, exact: true });
      const confirm = dialog.getByRole('button', { name: w.confirm, exact: true });
      await expect(resend.getAttribute('class')).resolves.toBe('link-button');

      // Ten minutes (and a second) pass on both clocks before the code is entered: 410 code-expired.
      run.clock.advance(10 * 60_000 + 1_000);
      await page.clock.fastForward(10 * 60_000 + 1_000);
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
      const codeField = dialog.getByLabel(w.code, { exact: true });
      const codeError = dialog
        .locator('.field')
        .filter({ has: page.getByLabel(w.code, { exact: true }) })
        .getByRole('alert');
      await expect(text(codeError)).resolves.toBe(w.expired);
      await expect(codeField.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.code, inDialog: true });
      // "Code erneut senden" is the main action now (unlocked, the primary button; "Bestätigen" is not).
      await waitFor(async () => ((await resend.getAttribute('class')) === 'primary' ? true : undefined), '"Code erneut senden" as the primary button');
      await expect(resend.getAttribute('aria-disabled')).resolves.toBeNull();
      await expect(confirm.getAttribute('class')).resolves.toBeNull();
      await expect(recovery(page)).resolves.toMatchObject({ status: 'pending' });
      // The intro no longer promises a validity that has passed.
      await expect(text(dialog)).resolves.not.toContain('Der Code ist bis');
      await check(page, failures, 'de', 'code-expired', 'viewport');

      // Pressed by keyboard (the next stop after the field): a new code, the error gone, "Bestätigen" primary again.
      await tabTo(page, w.resend, { inDialog: true, max: 1 });
      await expect(text(dialog.getByRole('status'))).resolves.toBe(w.resent);
      await expect(dialog.getByRole('alert').count()).resolves.toBe(0);
      await expect(resend.getAttribute('class')).resolves.toBe('link-button');
      await expect(confirm.getAttribute('class')).resolves.toBe('primary');
      await expect(text(dialog)).resolves.toMatch(/Der Code ist bis \d{2}:\d{2} MES?Z gültig\./); // the new code's validity, the zone named
      const newCode = await smsCode(number.e164, 1);
      await tabTo(page, w.code, { backward: true, inDialog: true, press: null });
      await page.keyboard.type(newCode);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.confirmed);
      await expect(recovery(page)).resolves.toEqual({ status: 'active', masked: number.masked });
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German: "Abbrechen" on the pending row: "Nicht eingerichtet" again, announced, the focus on the message', async () => {
      const w = WORDS.de;
      const login = 'paul.weide@example.test';
      const number = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await run.openPage({ lang: 'de' });
      await signIn(page, run.baseUrl, login, { lang: 'de' });
      const { section, row } = await recoveryRowNotSetUp(page, w);

      // A setup left pending: Escape in the code step, the focus on the row's "Code eingeben".
      const dialog = await setUpToCode(page, number);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      const pendingGroup = row.getByRole('group', { name: new RegExp(w.pending) });
      await expect(text(pendingGroup)).resolves.toContain(number.masked);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.enterCode, row: w.row });

      // "Abbrechen" (the next stop): the pending number goes, the row says so.
      await tabTo(page, w.cancel, { row: w.row, max: 1 });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.cancelled);
      await row.getByText(w.notSetUp, { exact: true }).waitFor();
      await expect(pendingGroup.count()).resolves.toBe(0);
      await expect(text(row)).resolves.not.toContain(number.masked);
      await expect(recovery(page)).resolves.toEqual({ status: 'none' });
      // The focus is on the announced message; Shift+Tab reaches the row's "Jetzt einrichten" at once.
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'div', className: 'recovery-message', row: w.row, inDialog: false });
      await check(page, failures, 'de', 'cancelled', section);
      await tabTo(page, w.setUp, { row: w.row, backward: true, max: 1, press: null });
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    describe('without an SMS provider (SMS_PROVIDER=none)', () => {
      let plain: Instance;

      beforeAll(async () => {
        plain = await startInstance('lifeline-recovery-phone-none-ui-', { ...NO_API_RATE_LIMIT, SMS_PROVIDER: 'none' });
      });

      afterAll(async () => {
        await plain?.close();
      });

      it('German: "Kontowiederherstellung" shows the email row and no "Telefonnummer" row', async () => {
        const w = WORDS.de;
        const login = 'lena.stein@example.test';
        const failures: string[] = [];
        const meta = (await (await fetch(`${plain.baseUrl}/api/v1/meta`)).json()) as { recoveryPhone: { available: boolean } };
        expect(meta.recoveryPhone.available).toBe(false);
        await createAccount(plain, login, { locale: 'de' });
        const { page, problems } = await run.openPage({ lang: 'de' });
        // The requests the page has started and not yet finished.
        let inFlight = 0;
        page.on('request', () => {
          inFlight += 1;
        });
        const done = () => {
          inFlight -= 1;
        };
        page.on('requestfinished', done);
        page.on('requestfailed', done);
        await signIn(page, plain.baseUrl, login, { lang: 'de' });
        const { section } = await recoveryRowNotSetUp(page, { ...w, row: w.emailRow });
        // The section asked /api/v1/recovery and /api/v1/meta together: once nothing is in
        // flight and a frame has been drawn, a missing phone row is not merely a late one.
        await waitFor(async () => (inFlight === 0 ? true : undefined), 'the profile page’s requests answered');
        await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))');
        await expect(section.getByRole('group', { name: w.row, exact: true }).count()).resolves.toBe(0);
        // The email's row and the recovery codes' (docs/ui.md "Recovery codes"), no phone row.
        await expect(section.locator('.recovery-row > .recovery-head .label').allTextContents()).resolves.toEqual([
          'E-Mail-Adresse',
          'Wiederherstellungscodes',
        ]);
        await expect(section.getByRole('button', { name: w.setUp }).count()).resolves.toBe(1);
        await expect(text(section)).resolves.not.toContain(w.advice);
        // "Was sollten Sie beachten?" (below the rows) keeps the email's note and drops the phone's.
        const main = page.getByRole('main');
        await expect(text(main)).resolves.toContain('E-Mail: Hinterlegen Sie eine E-Mail-Adresse');
        await expect(text(main)).resolves.not.toContain('Telefonnummer: Verwenden Sie');
        await check(page, failures, 'de', 'no-sms-provider', section);
        expect(problems).toEqual([]);
        expect(failures).toEqual([]);
      });
    });
  });
}
