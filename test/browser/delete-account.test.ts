import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { maskEmail } from '../../src/contract/email-address.js';

import { apiClient } from '../helpers/api-client.js';
import { waitFor } from '../helpers/browser.js';
import { createAccount, ownerApi, mailbox, NO_API_RATE_LIMIT, PASSWORD, tokenLink, type Lang, type MailboxMessage } from '../helpers/browser-instance.js';
import { focusInfo, heading, openProfilePage, PHONE_DEVICE, signIn, tabTo, text } from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';

/**
 * "Konto löschen" in a real Chromium against a real server: the last section of the profile's
 * page "Einstellungen" says what happens and opens a dialog in two steps, 1. a code to a confirmed channel
 * (the reusable ActionVerification, action 'lifeline.delete-account'), 2. the password and
 * "Konto endgültig löschen"; then every session has ended and the sign-in page says when the
 * account will be deleted and that signing in cancels it; signing in again does, and the
 * profile says so. German on a phone (375 px), by keyboard only: an account with a confirmed
 * recovery email (set up over the API) and a second session on another device; the section,
 * the dialog (Escape closes it, the focus goes back to its button; Tab stays inside), "Code
 * senden" without a choice, the recovery email picked with the arrow keys, a wrong code (the
 * tries left at the field), the right one (from the development mailbox over HTTP), a wrong
 * password, the right one → /login with the notice; both sessions are gone, both addresses
 * heard of it; signing in again → "Die Löschung Ihres Kontos wurde abgebrochen." English on
 * desktop: "Choose another way" back to the choice, the sign-in address instead, "Send the
 * code again" once its minute is over (the browser on the server's manual clock), the new code,
 * the deletion and its cancellation. On every state no console error, failed request or CSP
 * report (but those the test provokes), no serious axe violation, no sideways scrolling at
 * 375 px; screenshots at 1280 and 375 px in
 * test-results/screenshots/delete-account-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The words of the flow (ui.profile.deleteAccount, ui.actionVerification, ui.login and errors in src/i18n). */
const WORDS = {
  de: {
    profile: 'Sicherheit auf einen Blick',
    section: 'Konto löschen',
    facts: [
      'Sie bestätigen die Löschung mit einem Code und Ihrem Passwort. Danach werden alle Sitzungen abgemeldet, auch diese.',
      'Ihr Konto wird erst nach 7 Tagen gelöscht. Bis dahin bricht jede Anmeldung die Löschung ab.',
      'Ihre Anmeldeadresse und Ihre Wiederherstellungs-E-Mail-Adresse erhalten eine Nachricht, wenn die Löschung beantragt und wenn sie ausgeführt wird.',
      'Nach den 7 Tagen werden Ihr Konto und alle zugehörigen Daten endgültig gelöscht.',
    ],
    open: 'Konto löschen',
    dialog: 'Konto löschen',
    step1: 'Schritt 1 von 2: Bestätigungscode',
    step2: 'Schritt 2 von 2: Passwort',
    chooseTitle: 'Code anfordern',
    legend: 'Wohin sollen wir den Code senden?',
    loginEmail: 'E-Mail an Ihre Anmeldeadresse',
    recoveryEmail: 'E-Mail an Ihre Wiederherstellungs-Adresse',
    required: 'Bitte wählen Sie, wohin wir den Code senden sollen.',
    send: 'Code senden',
    codeTitle: 'Code eingeben',
    sent: (masked: string) => `Wir haben einen Code an ${masked} gesendet. Er ist bis `,
    code: 'Code aus der E-Mail',
    wrongCode: 'Der Code ist falsch. Sie haben noch 4 Versuche.',
    confirm: 'Bestätigen',
    resend: 'Code erneut senden',
    resendIn: /^Erneut senden ist in \d+ Sekunden? möglich\.$/,
    other: 'Anderen Weg wählen',
    passwordTitle: 'Löschung bestätigen',
    password: 'Passwort',
    wrongPassword: 'Das Passwort ist falsch.',
    submit: 'Konto endgültig löschen',
    cancel: 'Abbrechen',
    login: 'Anmelden',
    scheduled:
      /^Die Löschung Ihres Kontos ist beantragt, alle Sitzungen wurden abgemeldet\. Ihr Konto wird am \d{1,2}\. \p{L}+ \d{4} um \d{2}:\d{2} Uhr endgültig gelöscht\. Wenn Sie sich bis dahin anmelden, wird die Löschung abgebrochen\.$/u,
    cancelled: 'Die Löschung Ihres Kontos wurde abgebrochen. Ihr Konto bleibt bestehen.',
    scheduledMail: 'Lifeline: Ihr Konto wird am ',
    cancelledMail: 'Lifeline: Löschung Ihres Kontos abgebrochen',
  },
  en: {
    profile: 'Security at a glance',
    section: 'Delete account',
    open: 'Delete account',
    dialog: 'Delete account',
    step1: 'Step 1 of 2: Confirmation code',
    step2: 'Step 2 of 2: Password',
    chooseTitle: 'Request a code',
    loginEmail: 'Email to your sign-in address',
    recoveryEmail: 'Email to your recovery address',
    send: 'Send code',
    codeTitle: 'Enter the code',
    sent: (masked: string) => `We have sent a code to ${masked}. It is valid until `,
    code: 'Code from the email',
    confirm: 'Confirm',
    resend: 'Send the code again',
    resendIn: /^You can send it again in \d+ seconds?\.$/,
    resent: 'A new code is on its way. The previous code is no longer valid.',
    other: 'Choose another way',
    passwordTitle: 'Confirm the deletion',
    password: 'Password',
    submit: 'Delete account permanently',
    login: 'Sign in',
    scheduled:
      /^The deletion of your account has been requested, and every session was signed out\. Your account will be deleted for good on \d{1,2} \p{L}+ \d{4} at \d{2}:\d{2}\. If you sign in before then, the deletion is cancelled\.$/u,
    cancelled: 'The deletion of your account was cancelled. Your account stays.',
  },
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: Konto löschen (profile)', () => {
    /**
     * run.clock, the server's: the English run moves it (and the browser's) past the minute before "Code erneut senden".
     * run.openPage: a fresh page in its own context (own cookies: another device); error answers the test provokes are listed.
     */
    const run = useBrowserRun(chromiumPath, 'lifeline-delete-account-ui-', NO_API_RATE_LIMIT, { manualClock: true });

    /**
     * One state (checkState): screenshots of `target` (the section, the viewport with the modal
     * dialog, or the full page) as delete-account-<state>-<lang>-<width>.png; a phone's page is
     * back at its own width after.
     */
    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'viewport' | 'page') =>
      checkStateAtOwnWidth(page, failures, { prefix: 'delete-account', state, lang, target });

    /** A confirmed recovery email `address` for `email`, set up over the API with the link of its mail (as security-undo.test.ts does). */
    async function withRecoveryEmail(email: string, address: string): Promise<void> {
      const client = await ownerApi(run.instance, email);
      expect((await client.put('/api/v1/recovery/email', { address })).status).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, address)).searchParams.get('token');
      expect((await apiClient(run.instance.server.app).post('/api/v1/recovery/email/confirm', { token })).status).toBe(200);
    }

    /** Newest first: the messages to `to` that `carries` says are the right kind, once there are more than `before`. */
    async function messageTo(to: string, carries: (message: MailboxMessage) => boolean, before = 0): Promise<MailboxMessage> {
      return waitFor(async () => {
        const list = (await mailbox(run.baseUrl)).filter((message) => message.to === to && carries(message));
        return list.length > before ? list[0] : undefined;
      }, `a message to ${to}`);
    }

    const CODE_LINE = /^\s*([0-9A-HJKMNP-TV-Z]{8})\s*$/m;
    const carriesCode = (message: MailboxMessage) => CODE_LINE.test(message.text);
    const codeMails = async (to: string) => (await mailbox(run.baseUrl)).filter((message) => message.to === to && carriesCode(message)).length;

    /** The 8-character code of the newest verification mail to `to`, once there are more than `before` of them. */
    async function emailCode(to: string, before = 0): Promise<string> {
      const mail = await messageTo(to, carriesCode, before);
      const code = CODE_LINE.exec(mail.text)?.[1] ?? '';
      expect(code, mail.text).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      return code;
    }

    const wrongCodeFor = (code: string) => (code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');

    /** The session of `page` as the API sees it (200 signed in, 401 not). */
    const sessionStatus = async (page: Page) => (await page.request.get(`${run.baseUrl}/api/v1/session`)).status();

    /** The field's own error (role=alert below it), tied to it by aria-describedby. */
    async function fieldError(dialog: Locator, label: string): Promise<string> {
      const field = dialog.getByLabel(label, { exact: true });
      const error = dialog
        .locator('.field')
        .filter({ has: dialog.page().getByLabel(label, { exact: true }) })
        .locator('.field-error');
      await error.waitFor();
      const errorId = await error.getAttribute('id');
      expect((await field.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      return text(error);
    }

    /** The notice of the sign-in page after the deletion; answers the scheduled time from the URL. */
    async function scheduledNotice(page: Page, lang: Lang): Promise<number> {
      const w = WORDS[lang];
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('notice') === 'deletion-scheduled');
      await heading(page, w.login).waitFor();
      const at = Date.parse(new URL(page.url()).searchParams.get('at') ?? '');
      expect(at).toBe(run.clock.now() + 7 * DAY_MS);
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toMatch(w.scheduled);
      return at;
    }

    /** Signs in through the form of the page as it is (the notice's sign-in page) and waits for the profile with its notice. */
    async function signInAgain(page: Page, email: string, lang: Lang): Promise<void> {
      const w = WORDS[lang];
      const words = lang === 'de' ? { email: 'E-Mail-Adresse', password: 'Passwort' } : { email: 'Email address', password: 'Password' };
      await page.getByLabel(words.email, { exact: true }).fill(email);
      await page.getByLabel(words.password, { exact: true }).fill(PASSWORD);
      await page.getByRole('main').getByRole('button', { name: w.login, exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/profile' && url.searchParams.get('notice') === 'deletion-cancelled');
      await heading(page, w.profile).waitFor();
      await expect(text(page.getByRole('main').getByRole('status').first())).resolves.toBe(w.cancelled);
    }

    it('German on a phone, by keyboard: the recovery email, a wrong code, a wrong password, deleted; both sessions gone; signing in cancels it', async () => {
      const w = WORDS.de;
      const login = 'greta.lind@example.test';
      const recovery = 'greta.privat@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      await withRecoveryEmail(login, recovery);

      // Another device of the same account: its session ends with the deletion.
      const other = await run.openPage({ lang: 'de' });
      await signIn(other.page, run.baseUrl, login);

      const { page, problems } = await run.openPage({
        lang: 'de',
        ...PHONE_DEVICE,
        expected: [
          { status: 400, path: /^\/api\/v1\/account\/verifications\/[^/]+\/code$/ }, // wrong-code
          { status: 403, path: '/api/v1/account/deletion' }, // wrong-password
        ],
      });
      await signIn(page, run.baseUrl, login);
      await openProfilePage(page, 'settings');

      // The section, last on the profile's "Einstellungen": what happens, and its button.
      const section = page.getByRole('region', { name: w.section });
      await expect(section.getByRole('listitem').allTextContents()).resolves.toEqual(w.facts);
      await expect(page.locator('main section.card').last().getAttribute('aria-labelledby')).resolves.toBe('delete-account-title');
      await check(page, failures, 'de', 'section', section);

      // The button by keyboard opens the dialog at step 1; its heading has the focus. Escape closes it, the focus goes back.
      await tabTo(page, w.open, { max: 150 });
      const dialog = page.getByRole('dialog', { name: `${w.dialog} ${w.step1}` });
      await dialog.getByRole('radio', { name: new RegExp(`^${w.recoveryEmail}`) }).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.chooseTitle, inDialog: true });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.open, inDialog: false });
      await page.keyboard.press('Enter');
      await dialog.getByRole('radio', { name: new RegExp(`^${w.recoveryEmail}`) }).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.chooseTitle, inDialog: true });

      // Both addresses, masked, in a radio group; nothing chosen yet.
      const group = dialog.getByRole('group', { name: w.legend });
      await expect(text(group)).resolves.toContain(maskEmail(login));
      await expect(text(group)).resolves.toContain(maskEmail(recovery));
      await expect(group.getByRole('radio', { checked: true }).count()).resolves.toBe(0);
      await check(page, failures, 'de', 'choose', 'viewport');

      // "Code senden" without a choice: the error, tied to the radios; the focus on the first one.
      await tabTo(page, w.send, { inDialog: true });
      await expect(text(group.getByRole('alert'))).resolves.toBe(w.required);
      const loginRadio = group.getByRole('radio', { name: new RegExp(`^${w.loginEmail}`) });
      const errorId = await group.getByRole('alert').getAttribute('id');
      expect((await loginRadio.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
      await expect(group.locator('input:focus').getAttribute('value')).resolves.toBe('login-email');
      await check(page, failures, 'de', 'choose-required', 'viewport');

      // The arrow key picks the recovery email; "Code senden" → the code step, its heading focused.
      await page.keyboard.press('ArrowDown');
      await expect(group.getByRole('radio', { name: new RegExp(`^${w.recoveryEmail}`) }).isChecked()).resolves.toBe(true);
      const before = await codeMails(recovery);
      await tabTo(page, w.send, { inDialog: true });
      await dialog.getByLabel(w.code, { exact: true }).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.codeTitle, inDialog: true });
      await expect(text(dialog)).resolves.toContain(w.sent(maskEmail(recovery)));
      await expect(dialog.getByLabel(w.code, { exact: true }).getAttribute('autocomplete')).resolves.toBe('one-time-code');
      const resend = dialog.getByRole('button', { name: w.resend, exact: true });
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      await expect(text(dialog.locator(`#${(await resend.getAttribute('aria-describedby')) ?? 'none'}`))).resolves.toMatch(w.resendIn);
      await dialog.getByRole('button', { name: w.other, exact: true }).waitFor();
      const code = await emailCode(recovery, before);
      expect(await codeMails(login), 'no code to the login address').toBe(0);

      // A wrong code: the tries left at the field; the focus back in it.
      await tabTo(page, w.code, { inDialog: true, press: null });
      await page.keyboard.type(wrongCodeFor(code));
      await page.keyboard.press('Enter');
      await expect(fieldError(dialog, w.code)).resolves.toBe(w.wrongCode);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.code, inDialog: true });
      await check(page, failures, 'de', 'wrong-code', 'viewport');

      // The right code, typed in lower case with a dash for reading ("abcd-efgh") → step 2, the password; its heading focused.
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(`${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase());
      await page.keyboard.press('Enter');
      const step2 = page.getByRole('dialog', { name: `${w.dialog} ${w.step2}` });
      await step2.getByLabel(w.password, { exact: true }).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.passwordTitle, inDialog: true });
      await check(page, failures, 'de', 'password', 'viewport');

      // A wrong password: refused at the field; the account stays as it is.
      await tabTo(page, w.password, { inDialog: true, press: null });
      await page.keyboard.type('Falsches Passwort 123');
      await tabTo(page, w.submit, { inDialog: true });
      await expect(fieldError(step2, w.password)).resolves.toBe(w.wrongPassword);
      expect(await sessionStatus(page)).toBe(200);
      await check(page, failures, 'de', 'wrong-password', 'viewport');

      // The right one, "Konto endgültig löschen" by keyboard: the sign-in page with the notice.
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(PASSWORD);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/account/deletion' && r.status() !== 403),
        tabTo(page, w.submit, { inDialog: true }),
      ]);
      expect(answer.status()).toBe(202);
      const deleteAt = await scheduledNotice(page, 'de');
      await expect(page.getByRole('dialog').count()).resolves.toBe(0);
      await check(page, failures, 'de', 'scheduled', 'page');

      // Every session has ended: this one and the other device's.
      expect(await sessionStatus(page)).toBe(401);
      expect(await sessionStatus(other.page)).toBe(401);
      // Both addresses heard of it: that a sign-in cancels it, and one button to do so.
      for (const to of [login, recovery]) {
        const mail = await messageTo(to, (message) => message.subject.startsWith(w.scheduledMail));
        expect(mail.text).toContain('jede Anmeldung bis dahin bricht die Löschung ab');
        expect(mail.text).toContain(`Anmelden und Löschung abbrechen:\n${run.baseUrl}/login?lang=de`);
      }
      expect(deleteAt).toBeGreaterThan(run.clock.now());

      // Signing in again cancels the deletion; the profile says so.
      await signInAgain(page, login, 'de');
      await check(page, failures, 'de', 'cancelled', 'page');
      await messageTo(login, (message) => message.subject === w.cancelledMail);
      const client = apiClient(run.instance.server.app);
      const again = await client.post('/api/v1/login', { email: login, password: PASSWORD });
      expect(again.status).toBe(200);
      expect(again.body.deletionCancelled).toBeUndefined();

      expect(problems, 'the phone’s browser').toEqual([]);
      expect(other.problems, 'the other device’s browser').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English on desktop: another way, the code sent again after its minute, deleted, cancelled by signing in', async () => {
      const w = WORDS.en;
      const login = 'ines.hart@example.test';
      const recovery = 'ines.backup@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      await withRecoveryEmail(login, recovery);

      const { page, problems } = await run.openPage({ lang: 'en' });
      // The browser runs on the server's time, so both see the same minute pass.
      await page.clock.install({ time: run.clock.now() });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      await openProfilePage(page, 'settings', 'en');
      const section = page.getByRole('region', { name: w.section });
      await check(page, failures, 'en', 'section', section);

      await section.getByRole('button', { name: w.open, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `${w.dialog} ${w.step1}` });
      const recoveryRadio = dialog.getByRole('radio', { name: new RegExp(`^${w.recoveryEmail}`) });
      await recoveryRadio.check();
      await check(page, failures, 'en', 'choose', 'viewport');

      await dialog.getByRole('button', { name: w.send, exact: true }).click();
      await dialog.getByLabel(w.code, { exact: true }).waitFor();
      await expect(text(dialog)).resolves.toContain(w.sent(maskEmail(recovery)));
      await expect(text(dialog.locator('.dialog-resend .hint'))).resolves.toMatch(w.resendIn);
      await emailCode(recovery);
      await check(page, failures, 'en', 'code', 'viewport');

      // "Choose another way": the choice again (the recovery email still chosen), the heading focused; the sign-in address instead.
      await dialog.getByRole('button', { name: w.other, exact: true }).click();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.chooseTitle, inDialog: true });
      await expect(recoveryRadio.isChecked()).resolves.toBe(true);
      await dialog.getByRole('radio', { name: new RegExp(`^${w.loginEmail}`) }).check();
      await dialog.getByRole('button', { name: w.send, exact: true }).click();
      await dialog.getByLabel(w.code, { exact: true }).waitFor();
      await expect(text(dialog)).resolves.toContain(w.sent(maskEmail(login)));
      const first = await emailCode(login);

      // The minute passes on both clocks: "Send the code again" unlocks by itself; pressed, a new code is announced.
      const resend = dialog.getByRole('button', { name: w.resend, exact: true });
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      run.clock.advance(61_000);
      await page.clock.fastForward(61_000);
      await waitFor(async () => ((await resend.getAttribute('aria-disabled')) === null ? true : undefined), 'an unlocked "Send the code again"');
      await resend.click();
      await expect(text(dialog.getByRole('status'))).resolves.toBe(w.resent);
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      const second = await emailCode(login, 1);
      expect(second).not.toBe(first);
      await check(page, failures, 'en', 'resent', 'viewport');

      await dialog.getByLabel(w.code, { exact: true }).fill(second);
      await dialog.getByRole('button', { name: w.confirm, exact: true }).click();
      const step2 = page.getByRole('dialog', { name: `${w.dialog} ${w.step2}` });
      await step2.getByRole('heading', { level: 3, name: w.passwordTitle }).waitFor();
      await check(page, failures, 'en', 'password', 'viewport');

      await step2.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await step2.getByRole('button', { name: w.submit, exact: true }).click();
      await scheduledNotice(page, 'en');
      await check(page, failures, 'en', 'scheduled', 'page');
      expect(await sessionStatus(page)).toBe(401);

      await signInAgain(page, login, 'en');
      await check(page, failures, 'en', 'cancelled', 'page');

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
