import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { maskEmail } from '../../src/contract/email-address.js';

import { waitFor } from '../helpers/browser.js';
import { createAccount, mailbox, NO_API_RATE_LIMIT, type Lang, type MailboxMessage } from '../helpers/browser-instance.js';
import { focusInfo, heading, openProfilePage, PHONE_DEVICE, signIn, tabTo, text } from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';

/**
 * "E-Mail-Adresse für die Anmeldung ändern" under the policy table, in a real Chromium
 * against a real server on a manual clock. German on a phone (375 px), by keyboard only: an
 * account whose login email was confirmed 8 days ago ("settled") asks for a new address → the
 * API answers 403 verification-required and the section shows the code step
 * (ActionVerification, action 'lifeline.change-login-email'): the login email is the one usable
 * channel and already chosen, "Code senden", a wrong code (the tries left at the field), the
 * right one → "Wir haben einen Link an … geschickt"; the new address's link, opened in another
 * browser and confirmed with its button, changes the login email at once (the old address hears
 * of it) and the profile shows the new address after a reload. English on desktop: a fresh
 * account (nothing confirmed 7 days ago) changes without a code; the old address gets "your
 * sign-in address is to be changed" with a cancel link; that link's button cancels the change,
 * and the new address's link then fails with a clear message; the login email stays. On every
 * state no console error, failed request or CSP report (but the answers the test provokes), no
 * serious axe violation, no sideways scrolling at 375 px; screenshots at 1280 and 375 px in
 * test-results/screenshots/login-email-change-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/**
 * The words of the flow (ui.profile.signIn, ui.actionVerification, ui.confirm and the mails in
 * src/i18n); `profile` is the heading of the profile's page "Anmeldung & Passwort".
 */
const WORDS = {
  de: {
    profile: 'Anmeldung & Passwort',
    section: 'E-Mail-Adresse für die Anmeldung',
    change: 'E-Mail-Adresse für die Anmeldung ändern',
    newEmail: 'Neue E-Mail-Adresse',
    submit: 'Bestätigungslink senden',
    chooseTitle: 'Code anfordern',
    verifyIntro: (email: string) =>
      `Damit niemand mit einem gestohlenen Passwort Ihre Anmeldeadresse übernehmen kann, bestätigen Sie die Änderung zu ${email} mit einem Code an einen Ihrer bestätigten Wege.`,
    legend: 'Wohin sollen wir den Code senden?',
    loginEmail: 'E-Mail an Ihre Anmeldeadresse',
    send: 'Code senden',
    codeTitle: 'Code eingeben',
    sent: (masked: string) => `Wir haben einen Code an ${masked} gesendet. Er ist bis `,
    code: 'Code aus der E-Mail',
    wrongCode: 'Der Code ist falsch. Sie haben noch 4 Versuche.',
    linkSent: (email: string) => `Wir haben einen Link an ${email} geschickt. Bis Sie ihn bestätigen, bleibt Ihre bisherige Adresse gültig.`,
    confirmTitle: 'Neue E-Mail-Adresse bestätigen',
    confirmSubmit: 'Neue E-Mail-Adresse bestätigen',
    confirmed: (email: string) => `Ihre E-Mail-Adresse für die Anmeldung ist jetzt ${email}.`,
    changedMail: 'Lifeline: Ihre E-Mail-Adresse für die Anmeldung wurde geändert',
    confirmMail: 'Lifeline: Bitte bestätigen Sie Ihre neue E-Mail-Adresse',
  },
  en: {
    profile: 'Sign-in & password',
    section: 'Email address for signing in',
    change: 'Change email address for signing in',
    newEmail: 'New email address',
    submit: 'Send confirmation link',
    linkSent: (email: string) => `We sent a link to ${email}. Until you confirm it, your previous address stays in use.`,
    /** Without a code (no channel confirmed 7 days ago): the change waits, and says until when. */
    linkSentWaiting: (email: string) =>
      new RegExp(
        `^We have sent a link to ${email.replace(/\./g, '\\.')}\\. Because your account has no channel confirmed for 7 days, the change takes effect on \\d{1,2} \\p{L}+ \\d{4} at \\d{2}:\\d{2}(?: [A-Z+\\d]+)? at the earliest; your current address has received a link to cancel it\\.$`,
        'u',
      ),
    waitingMail: 'Lifeline: your sign-in address is to be changed',
    confirmMail: 'Lifeline: Please confirm your new email address',
    cancelTitle: 'Cancel the change of your sign-in address',
    cancelSubmit: 'Cancel the change',
    cancelled: 'The change is cancelled; your sign-in address stays as it was. If you did not ask for the change, change your password now.',
    confirmTitle: 'Confirm your new email address',
    confirmSubmit: 'Confirm new email address',
    deadLink: 'This link or code is invalid or has expired. Please request a new one.',
    toProfile: 'Go to profile',
    waits: (email: string) =>
      new RegExp(
        `^The new address is confirmed\\. The change takes effect on \\d{1,2} \\p{L}+ \\d{4} at \\d{2}:\\d{2}(?: [A-Z+\\d]+)?, because your account has no channel confirmed for 7 days; until then you keep signing in with ${email.replace(/\./g, '\\.')}\\.$`,
        'u',
      ),
  },
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;
const CODE_LINE = /^\s*([0-9A-HJKMNP-TV-Z]{8})\s*$/m;

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: E-Mail-Adresse für die Anmeldung ändern (profile)', () => {
    /**
     * run.clock, the server's: moved 8 days on so that a login email counts as confirmed long enough.
     * run.openPage: a fresh page in its own context (own cookies: another device); error answers the test provokes are listed.
     */
    const run = useBrowserRun(chromiumPath, 'lifeline-login-email-ui-', NO_API_RATE_LIMIT, { manualClock: true });

    /** One state (checkState) as login-email-change-<state>-<lang>-<width>.png; a phone's page is back at its own width after. */
    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'page' = 'page') =>
      checkStateAtOwnWidth(page, failures, { prefix: 'login-email-change', state, lang, target });

    /** Newest first: the messages to `to` that `carries` says are the right kind, once there are more than `before`. */
    async function messageTo(to: string, carries: (message: MailboxMessage) => boolean, before = 0): Promise<MailboxMessage> {
      return waitFor(async () => {
        const list = (await mailbox(run.baseUrl)).filter((message) => message.to === to && carries(message));
        return list.length > before ? list[0] : undefined;
      }, `a message to ${to}`);
    }

    /** The link to `path` (with ?token=) in the newest mail `subject` to `to`; it leads to this server. */
    async function linkIn(to: string, subject: string, path: string): Promise<string> {
      const mail = await messageTo(to, (message) => message.subject === subject);
      const link = /https?:\/\/[^\s"<>]+\?token=[^\s"<>]+/.exec(mail.text)?.[0] ?? '';
      expect(link, mail.text).not.toBe('');
      const url = new URL(link);
      expect(url.origin).toBe(run.baseUrl);
      expect(url.pathname).toBe(path);
      return link;
    }

    /** The 8-character code of the newest code mail to `to`. */
    async function emailCode(to: string): Promise<string> {
      const mail = await messageTo(to, (message) => CODE_LINE.test(message.text));
      const code = CODE_LINE.exec(mail.text)?.[1] ?? '';
      expect(code, mail.text).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      return code;
    }

    const wrongCodeFor = (code: string) => (code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');

    /** The login email as the API sees it with the page's cookies. */
    async function loginEmailOf(page: Page): Promise<string> {
      const response = await page.request.get(`${run.baseUrl}/api/v1/session`);
      expect(response.status()).toBe(200);
      return ((await response.json()) as { account: { email: string } }).account.email;
    }

    /** The field's own error (below it), tied to it by aria-describedby. */
    async function fieldError(scope: Locator, label: string): Promise<string> {
      const field = scope.getByLabel(label, { exact: true });
      const error = scope
        .locator('.field')
        .filter({ has: scope.page().getByLabel(label, { exact: true }) })
        .locator('.field-error');
      await error.waitFor();
      const errorId = await error.getAttribute('id');
      expect((await field.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      return text(error);
    }

    it('German on a phone, by keyboard: a settled account confirms the change with a code; the new address’s link changes it at once', async () => {
      const w = WORDS.de;
      const login = 'jonas.berg@example.test';
      const next = 'jonas.neu@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      // Eight days later the login email counts as a settled channel.
      run.clock.advance(8 * DAY_MS);

      const { page, problems } = await run.openPage({
        lang: 'de',
        ...PHONE_DEVICE,
        expected: [
          { status: 403, path: '/api/v1/account/email' }, // verification-required
          { status: 400, path: /^\/api\/v1\/account\/verifications\/[^/]+\/code$/ }, // wrong-code
        ],
      });
      await signIn(page, run.baseUrl, login);
      await openProfilePage(page, 'signIn');
      const section = page.getByRole('region', { name: w.section });
      await expect(text(section)).resolves.toContain(login);

      // "Ändern" by keyboard: the field for the new address, focused.
      await tabTo(page, w.change);
      const field = section.getByLabel(w.newEmail, { exact: true });
      await field.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.newEmail });
      await page.keyboard.type(next);
      await check(page, failures, 'de', 'form', section);

      // "Bestätigungslink senden" → 403 verification-required → the code step in the section, its heading focused.
      const [refused] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/account/email' && r.request().method() === 'POST'),
        tabTo(page, w.submit),
      ]);
      expect(refused.status()).toBe(403);
      expect(((await refused.json()) as { code: string }).code).toBe('verification-required');
      const group = section.getByRole('group', { name: w.legend });
      await group.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.chooseTitle, section: 'signin-title' });
      await expect(text(section)).resolves.toContain(w.verifyIntro(next));
      // The login email (masked) is the only usable channel, so it is chosen already.
      const loginRadio = group.getByRole('radio', { name: new RegExp(`^${w.loginEmail}`) });
      await expect(text(group)).resolves.toContain(maskEmail(login));
      await expect(loginRadio.isChecked()).resolves.toBe(true);
      await expect(group.getByRole('radio', { disabled: false }).count()).resolves.toBe(1);
      await check(page, failures, 'de', 'verify-choose', section);

      // "Code senden" → the code step, its heading focused; the code goes to the login address.
      await tabTo(page, w.send);
      await section.getByLabel(w.code, { exact: true }).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h3', name: w.codeTitle });
      await expect(text(section)).resolves.toContain(w.sent(maskEmail(login)));
      const code = await emailCode(login);

      // A wrong code: the tries left at the field, the focus back in it.
      await tabTo(page, w.code, { press: null });
      await page.keyboard.type(wrongCodeFor(code));
      await page.keyboard.press('Enter');
      await expect(fieldError(section, w.code)).resolves.toBe(w.wrongCode);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.code });
      await check(page, failures, 'de', 'verify-wrong-code', section);

      // The right code: the change is sent again with the record's id → the link to the new address.
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(code);
      const [accepted] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/account/email' && r.request().method() === 'POST' && r.status() !== 403),
        page.keyboard.press('Enter'),
      ]);
      expect(accepted.status()).toBe(202);
      expect(JSON.parse(accepted.request().postData() ?? '{}')).toMatchObject({ newEmail: next, verificationId: expect.any(String) });
      const status = section.getByRole('status');
      await expect(text(status)).resolves.toBe(w.linkSent(next));
      await expect(section.getByRole('group', { name: w.legend }).count()).resolves.toBe(0);
      // The code step is gone; "Ändern" has the focus again (not the top of the page).
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.change, section: 'signin-title' });
      await check(page, failures, 'de', 'sent', section);
      // Nothing changed yet: the old address still signs in, and was not told of a waiting change.
      expect(await loginEmailOf(page)).toBe(login);

      // The new address's link, in another browser (not signed in): the page asks, its button changes it at once.
      const link = await linkIn(next, w.confirmMail, '/confirm-email-change');
      const other = await run.openPage({ lang: 'de', ...PHONE_DEVICE });
      await other.page.goto(link);
      await heading(other.page, w.confirmTitle).waitFor();
      await check(other.page, failures, 'de', 'confirm', 'page');
      await tabTo(other.page, w.confirmSubmit);
      await expect(text(other.page.getByRole('main').getByRole('status'))).resolves.toBe(w.confirmed(next));
      await check(other.page, failures, 'de', 'confirmed', 'page');

      // The old address is told; the profile shows the new address after a reload.
      await messageTo(login, (message) => message.subject === w.changedMail);
      await page.reload();
      await heading(page, w.profile).waitFor();
      await expect(text(page.getByRole('region', { name: w.section }))).resolves.toContain(next);
      expect(await loginEmailOf(page)).toBe(next);
      await check(page, failures, 'de', 'profile-after', page.getByRole('region', { name: w.section }));

      expect(problems, 'the phone’s browser').toEqual([]);
      expect(other.problems, 'the browser of the new address').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English on desktop: a fresh account changes without a code; the old address cancels it, and the new address’s link then fails', async () => {
      const w = WORDS.en;
      const login = 'mara.olsen@example.test';
      const next = 'mara.new@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });

      const { page, problems } = await run.openPage({ lang: 'en' });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      await openProfilePage(page, 'signIn', 'en');
      const section = page.getByRole('region', { name: w.section });
      await section.getByRole('button', { name: w.change, exact: true }).click();
      await section.getByLabel(w.newEmail, { exact: true }).fill(next);
      const [accepted] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/account/email' && r.request().method() === 'POST'),
        section.getByRole('button', { name: w.submit, exact: true }).click(),
      ]);
      // No code asked for: nothing of the account was confirmed 7 days ago.
      expect(accepted.status()).toBe(202);
      await expect(text(section.getByRole('status'))).resolves.toMatch(WORDS.en.linkSentWaiting(next));
      await expect(section.getByRole('heading', { level: 3, name: 'Request a code' }).count()).resolves.toBe(0);
      await check(page, failures, 'en', 'sent', section);

      // The old address hears of it at once, with the link that cancels it; the new one gets its link.
      const waiting = await messageTo(login, (message) => message.subject === w.waitingMail);
      expect(waiting.text).toContain(next);
      const cancelLink = await linkIn(login, w.waitingMail, '/cancel-email-change');
      const confirmLink = await linkIn(next, w.confirmMail, '/confirm-email-change');

      // The cancel link, in another browser: the page asks; its button cancels.
      const owner = await run.openPage({ lang: 'en' });
      await owner.page.goto(cancelLink);
      await heading(owner.page, w.cancelTitle).waitFor();
      await check(owner.page, failures, 'en', 'cancel', 'page');
      await owner.page.getByRole('button', { name: w.cancelSubmit, exact: true }).click();
      await expect(text(owner.page.getByRole('main').getByRole('status'))).resolves.toBe(w.cancelled);
      await expect(owner.page.getByRole('button', { name: w.cancelSubmit, exact: true }).count()).resolves.toBe(0);
      await check(owner.page, failures, 'en', 'cancelled', 'page');

      // The new address's link now fails, and says so; the login email stays.
      const newcomer = await run.openPage({
        lang: 'en',
        expected: [
          { status: 400, path: '/api/v1/account/email/confirm' },
          { status: 410, path: '/api/v1/account/email/confirm' },
        ],
      });
      await newcomer.page.goto(confirmLink);
      await heading(newcomer.page, w.confirmTitle).waitFor();
      const [refused] = await Promise.all([
        newcomer.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/account/email/confirm'),
        newcomer.page.getByRole('button', { name: w.confirmSubmit, exact: true }).click(),
      ]);
      expect([400, 410]).toContain(refused.status());
      await expect(text(newcomer.page.getByRole('main').getByRole('alert'))).resolves.toBe(w.deadLink);
      // A dead link asks no more: no button to press again, the way to the profile instead.
      await expect(newcomer.page.getByRole('button', { name: w.confirmSubmit, exact: true }).count()).resolves.toBe(0);
      await newcomer.page.getByRole('main').getByRole('link', { name: w.toProfile, exact: true }).waitFor();
      await check(newcomer.page, failures, 'en', 'confirm-failed', 'page');
      expect(await loginEmailOf(page)).toBe(login);
      await page.reload();
      await heading(page, w.profile).waitFor();
      await expect(text(page.getByRole('region', { name: w.section }))).resolves.toContain(login);

      // Asked again (another address), and this time confirmed: the page says when the change takes effect.
      const later = 'mara.later@example.org';
      await page.getByRole('region', { name: w.section }).getByRole('button', { name: w.change, exact: true }).click();
      await page.getByRole('region', { name: w.section }).getByLabel(w.newEmail, { exact: true }).fill(later);
      await page.getByRole('region', { name: w.section }).getByRole('button', { name: w.submit, exact: true }).click();
      await expect(text(page.getByRole('region', { name: w.section }).getByRole('status'))).resolves.toMatch(WORDS.en.linkSentWaiting(later));
      const laterLink = await linkIn(later, w.confirmMail, '/confirm-email-change');
      await newcomer.page.goto(laterLink);
      await heading(newcomer.page, w.confirmTitle).waitFor();
      await newcomer.page.getByRole('button', { name: w.confirmSubmit, exact: true }).click();
      await expect(text(newcomer.page.getByRole('main').getByRole('status'))).resolves.toMatch(w.waits(login));
      await check(newcomer.page, failures, 'en', 'confirmed-waiting', 'page');
      expect(await loginEmailOf(page)).toBe(login);

      expect(problems, 'the profile’s browser').toEqual([]);
      expect(owner.problems, 'the old address’s browser').toEqual([]);
      expect(newcomer.problems, 'the new address’s browser').toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
