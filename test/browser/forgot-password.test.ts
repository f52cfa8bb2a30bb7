import { randomInt } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { apiClient } from '../helpers/api-client.js';
import { waitFor } from '../helpers/browser.js';
import { createAccount, ownerApi, mailbox, mailsTo, NO_API_RATE_LIMIT, PASSWORD, type Lang, type MailboxMessage } from '../helpers/browser-instance.js';
import { focusInfo, heading, PHONE_DEVICE, signIn, tabTo, text } from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';

/**
 * "Passwort vergessen?" in a real Chromium against a real server (development email
 * and SMS: the dev mailbox, read over HTTP). German on a phone (375 px): Anmelden → "Passwort
 * vergessen?" → the recovery phone in national form with the country (Deutschland) → "Code
 * eingeben" with "Code erneut senden" waiting for its minute → a wrong code (the tries left) →
 * the code from the SMS → "Neues Passwort festlegen" (a mismatched repeat first) → the sign-in
 * page says the password was changed; the new password signs in, the old one no longer does,
 * and the session of another device has ended. English: the recovery email, its link opened in
 * another browser (the link page changes nothing until its button), the new password. The
 * neutral answer: an unknown address leads to the same code step as a known one. The account
 * choice: a recovery email of two accounts, the masked login addresses as a radio group
 * (nothing preselected; "Weiter" without a choice says so; the language switch in between),
 * and only the chosen account's password changes. Keyboard for the phone flow's first two
 * steps and the link's; on every step no console error, failed request or CSP report, no
 * serious axe violation, no sideways scrolling at 375 px; screenshots of every step at 1280
 * and 375 px in test-results/screenshots/forgot-password-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The words of the flow in each language (ui.forgot in src/i18n). */
const WORDS = {
  de: {
    signInTitle: 'Anmelden',
    signInEmail: 'E-Mail-Adresse',
    forgotLink: 'Passwort vergessen?',
    title: 'Passwort vergessen?',
    identifier: 'E-Mail-Adresse oder Telefonnummer',
    country: 'Land der Telefonnummer',
    germany: 'Deutschland (+49)',
    sendCode: 'Code senden',
    codeTitle: 'Code eingeben',
    smsCode: 'Code aus der SMS',
    emailCode: 'Code aus der E-Mail',
    introSms: (identifier: string) =>
      `Falls ${identifier} zu einem Konto gehört, haben wir einen Code per SMS an diese Nummer gesendet. Der Code ist 10 Minuten gültig.`,
    introEmail: (identifier: string) =>
      `Falls ${identifier} zu einem Konto gehört, haben wir einen Code an diese Adresse gesendet. Der Code ist 15 Minuten gültig.`,
    confirm: 'Bestätigen',
    resend: 'Code erneut senden',
    resendIn: /^In \d+ Sekunden können Sie den Code erneut senden\.$/,
    wrongCode: 'Der Code ist falsch. Sie haben noch 4 Versuche.',
    startOver: 'Neu beginnen',
    accountTitle: 'Konto auswählen',
    accountLegend: 'Konto (E-Mail-Adresse für die Anmeldung)',
    accountRequired: 'Bitte wählen Sie ein Konto aus.',
    next: 'Weiter',
    passwordTitle: 'Neues Passwort festlegen',
    account: (masked: string) => `Konto: ${masked}`,
    otherAccount: 'Anderes Konto wählen',
    newPassword: 'Neues Passwort',
    repeat: 'Neues Passwort wiederholen',
    mismatch: 'Die beiden Passwörter stimmen nicht überein. Bitte geben Sie zweimal dasselbe Passwort ein.',
    save: 'Passwort speichern',
    done: 'Ihr Passwort wurde geändert. Melden Sie sich mit dem neuen Passwort an.',
    switchLanguage: 'Auf Deutsch wechseln',
  },
  en: {
    signInTitle: 'Sign in',
    signInEmail: 'Email address',
    forgotLink: 'Forgot password?',
    title: 'Forgot password?',
    identifier: 'Email address or phone number',
    country: 'Country of the phone number',
    sendCode: 'Send code',
    codeTitle: 'Enter the code',
    emailCode: 'Code from the email',
    introEmail: (identifier: string) => `If ${identifier} belongs to an account, we have sent a code to this address. The code is valid for 15 minutes.`,
    resend: 'Send the code again',
    accountTitle: 'Choose an account',
    accountLegend: 'Account (email address for signing in)',
    accountRequired: 'Please choose an account.',
    next: 'Continue',
    linkTitle: 'Reset your password',
    linkButton: 'Set a new password',
    passwordTitle: 'Set a new password',
    newPassword: 'New password',
    repeat: 'Repeat new password',
    save: 'Save password',
    done: 'Your password has been changed. Sign in with your new password.',
    switchLanguage: 'Switch to English',
  },
} as const;

/** The new password of every reset here (strong enough for the sign-up's policy). */
const NEW_PASSWORD = 'Wolkenband Kiesel Laterne 9';

/** A German mobile number as people type it, with its E.164 form. */
function mobileNumber(): { typed: string; e164: string } {
  const digits = String(randomInt(0, 10_000_000)).padStart(7, '0');
  return { typed: `0171 ${digits}`, e164: `+49171${digits}` };
}

/** The text of a step with what differs between two entries taken out: the entry itself and the countdown's seconds. */
const neutral = (stepText: string, identifier: string) =>
  stepText
    .split(identifier)
    .join('<entry>')
    .replace(/\d+ Sekunden/g, 'N Sekunden');

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: forgot password ("Passwort vergessen?")', () => {
    /** run.openPage: a fresh page in its own context (own cookies: another device); error answers the test provokes are listed. */
    const run = useBrowserRun(chromiumPath, 'lifeline-forgot-ui-', NO_API_RATE_LIMIT);

    /**
     * One state of the page (checkState): screenshots of the full page as
     * forgot-password-<state>-<lang>-<width>.png; a phone's page is back at its own width after.
     */
    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'page' = 'page') =>
      checkStateAtOwnWidth(page, failures, { prefix: 'forgot-password', state, lang, target });

    /** The status of signing in with `password` over the API (a client of its own, no cookies). */
    const signInStatus = async (email: string, password: string) =>
      (await apiClient(run.instance.server.app).post('/api/v1/login', { email, password })).status;

    /** A client of the API signed in as `email` (the privileged window of the sign-in is open). */
    /** The owner over the API on the account's first device (a channel it sets up is not held). */
    const signedIn = (email: string) => ownerApi(run.instance, email);

    /** Newest first: the messages to `to` over the dev mailbox that `carries` says are the right kind, once there are more than `before`. */
    async function messageTo(to: string, carries: (message: MailboxMessage) => boolean, before = 0): Promise<MailboxMessage> {
      return waitFor(async () => {
        const list = (await mailbox(run.baseUrl)).filter((message) => message.to === to && carries(message));
        return list.length > before ? list[0] : undefined;
      }, `a message to ${to}`);
    }

    /** A confirmed recovery phone for `email`, set up over the API (the phone's UI is recovery-phone.test.ts's subject). */
    async function withRecoveryPhone(email: string, number: { typed: string; e164: string }): Promise<void> {
      const client = await signedIn(email);
      expect((await client.put('/api/v1/recovery/phone', { number: number.typed, country: 'DE' })).status).toBe(202);
      const sms = await messageTo(number.e164, (message) => message.channel === 'sms' && /^\d{6}$/m.test(message.text));
      const code = /^(\d{6})$/m.exec(sms.text)?.[1];
      expect((await client.post('/api/v1/recovery/phone/confirm', { code })).status).toBe(200);
    }

    /** A confirmed recovery email `address` for `email`, set up over the API with the link of its mail. */
    async function withRecoveryEmail(email: string, address: string): Promise<void> {
      const client = await signedIn(email);
      const isLink = (message: MailboxMessage) => message.text.includes('/confirm-recovery-email?token=');
      const before = (await mailsTo(run.baseUrl, address)).filter(isLink).length;
      expect((await client.put('/api/v1/recovery/email', { address })).status).toBe(202);
      const mail = await messageTo(address, isLink, before);
      const token = new URL(/https?:\/\/\S+\?token=\S+/.exec(mail.text)?.[0] ?? '').searchParams.get('token');
      expect((await apiClient(run.instance.server.app).post('/api/v1/recovery/email/confirm', { token })).status).toBe(200);
    }

    /** The code (6 digits alone on a line) of the newest reset SMS to `e164`. */
    async function resetSms(e164: string): Promise<string> {
      const sms = await messageTo(e164, (message) => message.channel === 'sms' && /Passwort|password/.test(message.text) && /^\d{6}$/m.test(message.text));
      return /^(\d{6})$/m.exec(sms.text)?.[1] ?? '';
    }

    /** The code (8 upper-case Crockford characters alone on a line) and the link of the newest reset mail to `address`. */
    async function resetMail(address: string): Promise<{ code: string; link: string }> {
      const mail = await messageTo(address, (message) => message.channel === 'email' && message.text.includes('/reset-password?token='));
      const code = /^\s*([0-9A-HJKMNP-TV-Z]{8})\s*$/m.exec(mail.text)?.[1] ?? '';
      const link = /https?:\/\/[^\s"<>]+\/reset-password\?token=[^\s"<>]+/.exec(mail.text)?.[0] ?? '';
      expect(code, mail.text).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(link).not.toBe('');
      return { code, link };
    }

    /** The error of the field labelled `label` (role=alert next to it). */
    const fieldError = (page: Page, label: string) =>
      page
        .locator('.field')
        .filter({ has: page.getByLabel(label, { exact: true }) })
        .getByRole('alert');

    /** The sign-in page after the reset: the success message (role=status) and the login address filled in, checked and photographed. */
    async function landedOnSignIn(page: Page, lang: Lang, failures: string[], login: string): Promise<void> {
      const w = WORDS[lang];
      await page.waitForURL('**/login?notice=password-reset');
      await heading(page, w.signInTitle).waitFor();
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(w.done);
      // Someone who came back by phone may not remember the login address: the form has it (not the address bar).
      await expect(page.getByLabel(w.signInEmail, { exact: true }).inputValue()).resolves.toBe(login);
      expect(page.url()).not.toContain(encodeURIComponent(login));
      await check(page, failures, lang, 'done', 'page');
    }

    it('German on a phone, by recovery phone: a wrong code, then the right one; a mismatched repeat; signed in with the new password; the other device signed out', async () => {
      const w = WORDS.de;
      const login = 'greta.hansen@example.test';
      const number = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      await withRecoveryPhone(login, number);
      // Another device is signed in: its session ends with the reset.
      const other = await run.openPage({ lang: 'de' });
      await signIn(other.page, run.baseUrl, login);

      const { page, problems } = await run.openPage({ lang: 'de', ...PHONE_DEVICE, expected: [{ status: 400, path: '/api/v1/password/forgot/verify' }] });
      await page.goto(`${run.baseUrl}/login`);
      await heading(page, w.signInTitle).waitFor();

      // Step 1 by keyboard: "Passwort vergessen?" under the sign-in form, then the number in national form.
      await tabTo(page, w.forgotLink);
      await page.waitForURL('**/forgot-password');
      const identifier = page.getByLabel(w.identifier, { exact: true });
      await identifier.waitFor();
      await heading(page, w.title).waitFor();
      // The country selector appears only once the entry reads as a number.
      await expect(page.getByLabel(w.country, { exact: true }).count()).resolves.toBe(0);
      await check(page, failures, 'de', 'identify');
      await tabTo(page, w.identifier, { press: null });
      await page.keyboard.type(number.typed);
      const country = page.getByLabel(w.country, { exact: true });
      await expect(country.inputValue()).resolves.toBe('DE');
      await expect(text(country.locator('option:checked'))).resolves.toBe(w.germany);
      await check(page, failures, 'de', 'identify-phone');
      await page.keyboard.press('Enter');

      // Step 2: the neutral text names the number as typed; the heading has the focus; "Code erneut senden" waits for its minute.
      const codeField = page.getByLabel(w.smsCode, { exact: true });
      await codeField.waitFor();
      await heading(page, w.codeTitle).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.codeTitle });
      await expect(text(page.locator('.step-intro'))).resolves.toBe(w.introSms(number.typed));
      await expect(codeField.getAttribute('autocomplete')).resolves.toBe('one-time-code');
      await expect(codeField.getAttribute('inputmode')).resolves.toBe('numeric');
      const resend = page.getByRole('button', { name: w.resend, exact: true });
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      await expect(text(page.locator('.resend .hint').first())).resolves.toMatch(w.resendIn);
      const code = await resetSms(number.e164);
      await check(page, failures, 'de', 'code-sms');

      // A wrong code by keyboard: said at the field, with the tries left.
      await tabTo(page, w.smsCode, { press: null, max: 1 });
      await page.keyboard.type(code === '000000' ? '111111' : '000000');
      await page.keyboard.press('Enter');
      await expect(text(fieldError(page, w.smsCode))).resolves.toBe(w.wrongCode);
      await expect(codeField.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.smsCode });
      await check(page, failures, 'de', 'wrong-code');

      // The code from the SMS.
      await page.keyboard.press('Control+A');
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');

      // Step 4: the new password (no choice of account: the number belongs to one); a mismatched repeat first.
      await heading(page, w.passwordTitle).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.passwordTitle });
      await expect(page.getByRole('button', { name: w.otherAccount }).count()).resolves.toBe(0);
      const newPassword = page.getByLabel(w.newPassword, { exact: true });
      const repeat = page.getByLabel(w.repeat, { exact: true });
      await expect(newPassword.getAttribute('autocomplete')).resolves.toBe('new-password');
      await check(page, failures, 'de', 'new-password');
      await newPassword.fill(NEW_PASSWORD);
      await repeat.fill(`${NEW_PASSWORD}!`);
      await page.getByRole('button', { name: w.save, exact: true }).click();
      await expect(text(fieldError(page, w.repeat))).resolves.toBe(w.mismatch);
      await expect(repeat.getAttribute('aria-invalid')).resolves.toBe('true');
      await check(page, failures, 'de', 'mismatch');
      // Nothing was sent: the old password still works.
      await expect(signInStatus(login, PASSWORD)).resolves.toBe(200);
      await repeat.fill(NEW_PASSWORD);
      await page.getByRole('button', { name: w.save, exact: true }).click();
      await landedOnSignIn(page, 'de', failures, login);

      // The other device's session has ended: its profile sends it to the sign-in, the API says 401.
      await other.page.reload();
      await other.page.waitForURL('**/login');
      await heading(other.page, w.signInTitle).waitFor();
      expect((await other.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);

      // The new password signs in, the old one no longer.
      await expect(signInStatus(login, PASSWORD)).resolves.toBe(401);
      await signIn(page, run.baseUrl, login, { password: NEW_PASSWORD });
      expect(problems).toEqual([]);
      expect(other.problems, 'the other device').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English, by recovery email: the link from the mail opened in another browser, its button, the new password', async () => {
      const w = WORDS.en;
      const login = 'oliver.grant@example.test';
      const address = 'oliver.home@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      await withRecoveryEmail(login, address);

      const { page, problems } = await run.openPage({ lang: 'en' });
      await page.goto(`${run.baseUrl}/forgot-password`);
      const identifier = page.getByLabel(w.identifier, { exact: true });
      await identifier.waitFor();
      await heading(page, w.title).waitFor();
      await identifier.fill(address);
      // An address has no country.
      await expect(page.getByLabel(w.country, { exact: true }).count()).resolves.toBe(0);
      await check(page, failures, 'en', 'identify-email');
      await page.getByRole('button', { name: w.sendCode, exact: true }).click();

      const codeField = page.getByLabel(w.emailCode, { exact: true });
      await codeField.waitFor();
      await heading(page, w.codeTitle).waitFor();
      await expect(text(page.locator('.step-intro'))).resolves.toBe(w.introEmail(address));
      await expect(page.getByRole('button', { name: w.resend, exact: true }).getAttribute('aria-disabled')).resolves.toBe('true');
      await check(page, failures, 'en', 'code-email');

      // The mail went to the recovery address (not the login address): a code and a link.
      const { link } = await resetMail(address);
      expect((await mailsTo(run.baseUrl, login)).some((mail) => mail.text.includes('/reset-password?token='))).toBe(false);
      expect(new URL(link).origin).toBe(run.baseUrl);

      // Another browser (not the one that asked): the link page, whose opening changes nothing.
      const linked = await run.openPage({ lang: 'en' });
      const response = await linked.page.goto(link);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');
      await heading(linked.page, w.linkTitle).waitFor();
      const button = linked.page.getByRole('button', { name: w.linkButton, exact: true });
      await button.waitFor();
      // The token is taken out of the address bar (and so out of the history).
      await waitFor(async () => (new URL(linked.page.url()).searchParams.has('token') ? undefined : true), 'the token gone from the address');
      expect(new URL(linked.page.url()).pathname).toBe('/reset-password');
      expect(await (await linked.page.request.get(`${run.baseUrl}/api/v1/password/forgot`)).json()).toEqual({ stage: 'none' });
      await check(linked.page, failures, 'en', 'link');

      // The button by keyboard; then the new password, typed and sent by keyboard.
      await tabTo(linked.page, w.linkButton);
      await heading(linked.page, w.passwordTitle).waitFor();
      await expect(linked.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.passwordTitle });
      await check(linked.page, failures, 'en', 'new-password');
      await tabTo(linked.page, w.newPassword, { press: null, max: 1 });
      await linked.page.keyboard.type(NEW_PASSWORD);
      await tabTo(linked.page, w.repeat, { press: null, max: 3 });
      await linked.page.keyboard.type(NEW_PASSWORD);
      await linked.page.keyboard.press('Enter');
      await landedOnSignIn(linked.page, 'en', failures, login);

      await expect(signInStatus(login, PASSWORD)).resolves.toBe(401);
      await signIn(linked.page, run.baseUrl, login, { password: NEW_PASSWORD, lang: 'en' });
      expect(problems).toEqual([]);
      expect(linked.problems, 'the browser of the link').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German, the neutral answer: an unknown address leads to the same code step as a known one', async () => {
      const w = WORDS.de;
      const known = 'hanna.vogt@example.test';
      const unknown = 'niemand.bekannt@example.test';
      const failures: string[] = [];
      await createAccount(run.instance, known, { locale: 'de' });
      const { page, problems } = await run.openPage({ lang: 'de' });
      await page.goto(`${run.baseUrl}/forgot-password`);
      const identifier = page.getByLabel(w.identifier, { exact: true });
      const codeField = page.getByLabel(w.emailCode, { exact: true });
      const section = page.getByRole('main').locator('section');

      /** Step 1 with `entry` → the code step: the API's answer and the step's text. */
      async function ask(entry: string): Promise<{ status: number; body: string; intro: string; step: string }> {
        await identifier.fill(entry);
        const [answer] = await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/password/forgot' && r.request().method() === 'POST'),
          page.getByRole('button', { name: w.sendCode, exact: true }).click(),
        ]);
        await codeField.waitFor();
        await heading(page, w.codeTitle).waitFor();
        return { status: answer.status(), body: await answer.text(), intro: await text(page.locator('.step-intro')), step: await text(section) };
      }

      const forKnown = await ask(known);
      expect(forKnown.intro).toBe(w.introEmail(known));
      await check(page, failures, 'de', 'code-known');
      // The known address did get its code.
      await resetMail(known);

      // "Neu beginnen": step 1 again, with the entry to correct.
      await page.getByRole('button', { name: w.startOver, exact: true }).click();
      await identifier.waitFor();
      await expect(identifier.inputValue()).resolves.toBe(known);
      const forUnknown = await ask(unknown);
      expect(forUnknown.intro).toBe(w.introEmail(unknown));
      await check(page, failures, 'de', 'code-unknown');

      expect(forUnknown.status).toBe(202);
      expect(forUnknown.body).toBe(forKnown.body);
      expect(forUnknown.status).toBe(forKnown.status);
      expect(neutral(forUnknown.intro, unknown)).toBe(neutral(forKnown.intro, known));
      expect(neutral(forUnknown.step, unknown)).toBe(neutral(forKnown.step, known));
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German, a recovery email of two accounts: the choice (masked, nothing preselected), the second account, only its password changes', async () => {
      const w = WORDS.de;
      const first = 'anna.kern@example.test';
      const second = 'bruno.kern@example.test';
      const shared = 'familie.kern@example.org';
      const failures: string[] = [];
      await Promise.all([createAccount(run.instance, first, { locale: 'de' }), createAccount(run.instance, second, { locale: 'de' })]);
      await withRecoveryEmail(first, shared);
      await withRecoveryEmail(second, shared);

      const { page, problems } = await run.openPage({ lang: 'de' });
      await page.goto(`${run.baseUrl}/forgot-password`);
      await page.getByLabel(w.identifier, { exact: true }).fill(shared);
      await page.getByRole('button', { name: w.sendCode, exact: true }).click();
      const codeField = page.getByLabel(w.emailCode, { exact: true });
      await codeField.waitFor();
      await expect(text(page.locator('.step-intro'))).resolves.toBe(w.introEmail(shared));
      // Typed as a person may: lower case, with a dash in the middle.
      const { code } = await resetMail(shared);
      await codeField.fill(`${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase());
      await expect(codeField.inputValue()).resolves.toBe(`${code.slice(0, 4)}-${code.slice(4)}`);
      await page.getByRole('button', { name: w.confirm, exact: true }).click();

      // Step 3: the two accounts by their masked login addresses; nothing chosen yet.
      await heading(page, w.accountTitle).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.accountTitle });
      const group = page.getByRole('radiogroup', { name: w.accountLegend, exact: true });
      const radios = group.getByRole('radio');
      await expect(radios.count()).resolves.toBe(2);
      const labels = (await group.locator('.choice-label').allTextContents()).map((label) => label.trim());
      expect([...labels].sort()).toEqual(['a***@example.test', 'b***@example.test']);
      expect(labels.join(' ')).not.toContain('kern');
      for (let i = 0; i < 2; i++) await expect(radios.nth(i).isChecked()).resolves.toBe(false);
      await check(page, failures, 'de', 'account');

      // The same step in English (the header's language switch), then back in German.
      await page.getByRole('button', { name: WORDS.en.switchLanguage }).click();
      await heading(page, WORDS.en.accountTitle).waitFor();
      await page.getByRole('radiogroup', { name: WORDS.en.accountLegend, exact: true }).getByRole('radio').nth(1).waitFor();
      await expect(page.getByRole('button', { name: WORDS.en.next, exact: true }).count()).resolves.toBe(1);
      await check(page, failures, 'en', 'account');
      await page.getByRole('button', { name: w.switchLanguage }).click();
      await heading(page, w.accountTitle).waitFor();

      // "Weiter" without a choice: said at the group.
      await page.getByRole('button', { name: w.next, exact: true }).click();
      await expect(text(group.getByRole('alert'))).resolves.toBe(w.accountRequired);
      await expect(group.getAttribute('aria-invalid')).resolves.toBe('true');
      await check(page, failures, 'de', 'account-required');

      // The second one.
      const chosen = labels[1] ?? '';
      const chosenLogin = chosen.startsWith('a') ? first : second;
      const otherLogin = chosenLogin === first ? second : first;
      await radios.nth(1).check();
      await expect(group.getByRole('alert').count()).resolves.toBe(0);
      await page.getByRole('button', { name: w.next, exact: true }).click();

      // Step 4 names the chosen account and offers to choose another.
      await heading(page, w.passwordTitle).waitFor();
      await expect(text(page.locator('.step-intro'))).resolves.toBe(`${w.account(chosen)} ${w.otherAccount}`);
      await check(page, failures, 'de', 'new-password-account');
      await page.getByLabel(w.newPassword, { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel(w.repeat, { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: w.save, exact: true }).click();
      await page.waitForURL('**/login?notice=password-reset');
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(w.done);

      // Only the chosen account has the new password.
      await expect(signInStatus(chosenLogin, NEW_PASSWORD)).resolves.toBe(200);
      await expect(signInStatus(chosenLogin, PASSWORD)).resolves.toBe(401);
      await expect(signInStatus(otherLogin, PASSWORD)).resolves.toBe(200);
      await expect(signInStatus(otherLogin, NEW_PASSWORD)).resolves.toBe(401);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
