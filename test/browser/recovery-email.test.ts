import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

import { waitFor } from '../helpers/browser.js';
import { createAccount, mailsTo, NO_API_RATE_LIMIT, PASSWORD, tokenLink, type Lang } from '../helpers/browser-instance.js';
import {
  checkState,
  focusInfo,
  heading,
  RECOVERY_SECTION_WORDS,
  profileTime,
  recoveryRowNotSetUp,
  PHONE,
  recoveryView,
  signIn,
  tabTo,
  text,
} from '../helpers/browser-page.js';
import { useBrowserRun } from '../helpers/browser-run.js';

/**
 * The seed's "Kontowiederherstellung → E-Mail-Adresse" step by step in a real Chromium, against
 * a real server whose privileged window is 1 minute on a manual clock (the test closes it by
 * moving time, so "Geben Sie zunächst Ihr Passwort ein" comes first): Profil →
 * Kontowiederherstellung (the overview's card, then its page) → "Jetzt einrichten" → the password → the login address (refused, the
 * explanation next to the field) → a good address → "Bestätigung ausstehend" with "Erneut
 * senden" (and from when) and "Abbrechen" → the link from the development mailbox opened in
 * another browser (another device) → active, with "Verwalten" → Ändern → both addresses →
 * Abbrechen → the active one remains → Entfernen (asks first) → "Nicht eingerichtet"; then a shorter flow
 * in English. Everything by keyboard; on every step no console error, failed request or CSP
 * report, no serious axe violation, no sideways scrolling at 375 px; screenshots of each state
 * at 1280 and 375 px in test-results/screenshots/recovery-email-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The words of the flow in each language (the seed's wording in German). */
const WORDS = {
  de: {
    ...RECOVERY_SECTION_WORDS.de,
    row: 'E-Mail-Adresse',
    setUp: 'Jetzt einrichten',
    dialog: 'Geben Sie zunächst Ihr Passwort ein',
    password: 'Passwort',
    field: 'E-Mail-Adresse zur Kontowiederherstellung',
    advice: 'Hinterlegen Sie eine E-Mail-Adresse, die nicht der E-Mail-Adresse entspricht, mit der Sie sich anmelden',
    submit: 'Bestätigungslink senden',
    sameAsLogin: 'Bitte hinterlegen Sie eine andere E-Mail-Adresse als die, mit der Sie sich anmelden',
    sent: (address: string) => `Sie erhalten nun eine E-Mail an ${address}. Bitte bestätigen Sie die Adresse mit einem Klick auf den Link in der E-Mail.`,
    pending: 'Bestätigung ausstehend',
    resend: 'Erneut senden',
    resendAt: (time: string) => `Erneut senden ist ab ${time} möglich.`,
    resent: 'Ein neuer Link ist unterwegs. Der vorige gilt nicht mehr.',
    cancel: 'Abbrechen',
    confirmTitle: 'Adresse zur Kontowiederherstellung bestätigen',
    confirmButton: 'Adresse bestätigen',
    confirmed: (address: string) => `Ihre Adresse zur Kontowiederherstellung ${address} ist jetzt aktiviert und in Ihrem Profil hinterlegt.`,
    active: 'Aktiv',
    manage: 'Verwalten',
    change: 'Ändern',
    remove: 'Entfernen',
    removeQuestion: (address: string) =>
      `Möchten Sie die Adresse ${address} wirklich entfernen? Sie können Ihr Konto dann nicht mehr über diese Adresse wiederherstellen. Aus Sicherheitsgründen kann das Entfernen bis zu 72 Stunden dauern, wenn Sie auf einem neuen Gerät angemeldet sind.`,
    removeConfirm: 'Ja, entfernen',
    newAddress: 'Neue Adresse',
    cancelled: (address: string) => `Die ausstehende Änderung wurde abgebrochen. ${address} bleibt Ihre Adresse zur Kontowiederherstellung.`,
    removed: 'Die Adresse zur Kontowiederherstellung wurde entfernt.',
  },
  en: {
    ...RECOVERY_SECTION_WORDS.en,
    row: 'Email address',
    setUp: 'Set up now',
    dialog: 'Please enter your password first',
    password: 'Password',
    field: 'Email address for account recovery',
    advice: 'Store an email address other than the one you sign in with',
    submit: 'Send confirmation link',
    sameAsLogin: 'Please use an email address other than the one you sign in with',
    sent: (address: string) => `You will now receive an email at ${address}. Please confirm the address by clicking the link in the email.`,
    pending: 'Awaiting confirmation',
    resend: 'Send again',
    resendAt: (time: string) => `You can send it again at ${time}.`,
    resent: 'A new link is on its way. The previous one no longer works.',
    cancel: 'Cancel',
    confirmTitle: 'Confirm your account recovery address',
    confirmButton: 'Confirm address',
    confirmed: (address: string) => `Your account recovery address ${address} is now activated and stored in your profile.`,
    active: 'Active',
    manage: 'Manage',
    change: 'Change',
    remove: 'Remove',
    newAddress: 'New address',
    cancelled: (address: string) => `The pending change was cancelled. ${address} remains your account recovery address.`,
    removed: 'The account recovery address was removed.',
  },
} as const;

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: recovery email (Kontowiederherstellung → E-Mail-Adresse)', () => {
    /**
     * run.clock, the server's: the privileged window (1 minute here) closes when the test moves it.
     * run.openPage: a fresh page in its own context (own cookies: another device); error answers the test provokes are listed.
     */
    const run = useBrowserRun(chromiumPath, 'lifeline-recovery-ui-', { ...NO_API_RATE_LIMIT, PRIVILEGED_WINDOW_MINUTES: '1' }, { manualClock: true });

    /** The account's recovery state as the API sees it (with the page's own cookies). */
    const recovery = async (page: Page) => (await recoveryView(page, run.baseUrl)).email;

    /**
     * One state of the page (checkState): screenshots of `target` (the section), of the viewport
     * (a modal dialog) or of the full page as recovery-email-<state>-<lang>-<width>.png.
     */
    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'viewport' | 'page') =>
      checkState(page, failures, { prefix: 'recovery-email', state, lang, target });

    /** The confirmation link, opened in a fresh browser (another device, not signed in), confirmed with its button by keyboard. */
    async function confirmElsewhere(owner: Page, link: string, address: string, lang: Lang, failures: string[]): Promise<void> {
      const words = WORDS[lang];
      expect(new URL(link).pathname).toBe('/confirm-recovery-email');
      const other = await run.openPage({ lang, viewport: PHONE, isMobile: true, hasTouch: true });
      const response = await other.page.goto(link);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');
      await heading(other.page, words.confirmTitle).waitFor();
      await check(other.page, failures, lang, 'confirm-page', 'page');
      // Opening the page confirmed nothing (a mail scanner may open links): the button does.
      await expect(recovery(owner)).resolves.toMatchObject({ pending: { address } });
      await tabTo(other.page, words.confirmButton);
      const status = other.page.getByRole('main').getByRole('status');
      await status.waitFor();
      await expect(text(status)).resolves.toBe(words.confirmed(address));
      await check(other.page, failures, lang, 'confirmed', 'page');
      expect(other.problems, 'the other device').toEqual([]);
      await other.context.close();
    }

    it('German, the whole seed flow: password first, the login address refused, pending, confirmed on another device, changed, change cancelled, removed', async () => {
      const w = WORDS.de;
      const login = 'lena.sommer@example.test';
      const first = 'lena.privat@example.org';
      const second = 'lena.neu@example.net';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const { page, problems } = await run.openPage({
        lang: 'de',
        expected: [
          { status: 422, path: '/api/v1/recovery/email' }, // same-as-login-email
          { status: 403, path: '/api/v1/recovery/email' }, // privilege-required before "Entfernen"'s password dialog
        ],
      });
      await signIn(page, run.baseUrl, login, { lang: 'de' });

      // Profil → Kontowiederherstellung → E-Mail-Adresse: "Nicht eingerichtet", "Jetzt einrichten".
      const { section, row } = await recoveryRowNotSetUp(page, w);
      await expect(text(row)).resolves.toContain(w.advice);
      await check(page, failures, 'de', 'not-set-up', section);

      // The privileged window of the sign-in has ended: "Jetzt einrichten" asks for the password first.
      run.clock.advance(61_000);
      await tabTo(page, w.setUp);
      const dialog = page.getByRole('dialog', { name: w.dialog });
      await dialog.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.password, inDialog: true, focusVisible: true });
      // The address field is not there yet: first the password, then the address.
      await expect(section.getByLabel(w.field).count()).resolves.toBe(0);
      await check(page, failures, 'de', 'password', 'viewport');
      // Escape closes it: no form, nothing said, the focus back on "Jetzt einrichten"; Enter opens it again.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.setUp, focusVisible: true });
      await expect(section.getByLabel(w.field).count()).resolves.toBe(0);
      await expect(section.getByRole('alert').count()).resolves.toBe(0);
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });

      // Then the address; the field has the focus and the seed's advice as its description.
      const field = section.getByLabel(w.field, { exact: true });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.field, focusVisible: true });
      const hintId = (await field.getAttribute('aria-describedby')) ?? '';
      await expect(text(page.locator(`[id="${hintId.split(' ')[0]}"]`))).resolves.toContain(w.advice);
      await check(page, failures, 'de', 'address', section);

      // The login address (other case) is refused; the explanation stands next to the field.
      await page.keyboard.type('Lena.Sommer@Example.TEST');
      await page.keyboard.press('Enter');
      const fieldError = section
        .locator('.field')
        .filter({ has: page.getByLabel(w.field, { exact: true }) })
        .getByRole('alert');
      await expect(text(fieldError)).resolves.toContain(w.sameAsLogin);
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      expect(((await field.getAttribute('aria-describedby')) ?? '').split(' ')).toContain(await fieldError.getAttribute('id'));
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.field });
      await expect(recovery(page)).resolves.toMatchObject({ status: 'none' });
      await check(page, failures, 'de', 'same-as-login', section);

      // A good address: "Bestätigung ausstehend", "Erneut senden" (from when) and "Abbrechen".
      await page.keyboard.press('Control+A');
      await page.keyboard.type(first);
      await page.keyboard.press('Enter');
      await expect(text(section.getByRole('status'))).resolves.toBe(w.sent(first));
      const pendingView = await recovery(page);
      expect(pendingView).toMatchObject({ status: 'pending', pending: { address: first } });
      const pendingGroup = row.getByRole('group', { name: new RegExp(w.pending) });
      await expect(text(pendingGroup)).resolves.toContain(first);
      await expect(pendingGroup.getByRole('button', { name: w.resend }).getAttribute('aria-disabled')).resolves.toBe('true');
      const at = profileTime(pendingView.pending?.resendAvailableAt ?? '', 'de', 'clock');
      await expect(text(pendingGroup)).resolves.toContain(w.resendAt(at));
      await pendingGroup.getByRole('button', { name: w.cancel, exact: true }).waitFor();
      // After sending, the focus is on the message (the form is gone), not lost on the page.
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ section: 'recovery-title' });
      await check(page, failures, 'de', 'pending', section);

      // The mail goes to the new address, and only there; its link is opened on another device.
      const link = await tokenLink(run.baseUrl, first);
      expect((await mailsTo(run.baseUrl, login)).some((mail) => mail.text.includes('/confirm-recovery-email'))).toBe(false);
      await confirmElsewhere(page, link, first, 'de', failures);
      await waitFor(
        async () =>
          (await mailsTo(run.baseUrl, login)).some((mail) => mail.subject === 'Lifeline: Wiederherstellungs-E-Mail eingerichtet') ? true : undefined,
        'the notice to the login address',
      );

      // Back on the page: the address is active, with "Verwalten".
      await page.reload();
      await heading(page, w.title).waitFor();
      await row.getByText(first, { exact: true }).waitFor();
      await expect(text(row)).resolves.toContain(w.active);
      await expect(text(row)).resolves.not.toContain(w.pending);
      await expect(text(row)).resolves.not.toContain(w.notSetUp);
      await check(page, failures, 'de', 'active', section);

      // Verwalten → Ändern, Entfernen.
      const manage = await tabTo(page, w.manage);
      expect(manage.tag).toBe('button');
      await expect(row.getByRole('button', { name: w.manage }).getAttribute('aria-expanded')).resolves.toBe('true');
      await row.getByRole('button', { name: w.change, exact: true }).waitFor();
      await row.getByRole('button', { name: w.remove, exact: true }).waitFor();
      await check(page, failures, 'de', 'manage', section);

      // Ändern (the window is open again since the password): a new address.
      await tabTo(page, w.change);
      await section.getByLabel(w.field, { exact: true }).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.field });
      await check(page, failures, 'de', 'change-address', section);
      await page.keyboard.type(second);
      await page.keyboard.press('Enter');
      await expect(text(section.getByRole('status'))).resolves.toBe(w.sent(second));
      // Both, clearly: the active one stays active until the new one is confirmed.
      await expect(recovery(page)).resolves.toMatchObject({ status: 'active', address: first, pending: { address: second } });
      const changeGroup = row.getByRole('group', { name: new RegExp(`${w.newAddress}.*${w.pending}`) });
      await expect(text(changeGroup)).resolves.toContain(second);
      await expect(text(changeGroup)).resolves.not.toContain(first);
      await row.getByText(first, { exact: true }).waitFor();
      await check(page, failures, 'de', 'change-pending', section);

      // Abbrechen (Shift+Tab from the message: the new address's own button): the pending change is gone, the active address remains.
      await tabTo(page, w.cancel, { backward: true });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.cancelled(first));
      await expect(recovery(page)).resolves.toEqual({ status: 'active', address: first });
      await expect(text(row)).resolves.not.toContain(second);
      await row.getByText(first, { exact: true }).waitFor();
      await check(page, failures, 'de', 'change-cancelled', section);

      // Verwalten → Entfernen, once the window has ended again: the question first (one press
      // removes nothing), then "Ja, entfernen", the password, and "Nicht eingerichtet".
      run.clock.advance(61_000);
      await tabTo(page, w.manage, { backward: true });
      await tabTo(page, w.remove);
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'p', name: w.removeQuestion(first) });
      await expect(recovery(page)).resolves.toMatchObject({ status: 'active', address: first });
      await check(page, failures, 'de', 'remove-question', section);
      await tabTo(page, w.removeConfirm);
      await dialog.waitFor();
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      await expect(text(section.getByRole('status'))).resolves.toBe(w.removed);
      await row.getByText(w.notSetUp, { exact: true }).waitFor();
      await row.getByRole('button', { name: w.setUp }).waitFor();
      await expect(recovery(page)).resolves.toEqual({ status: 'none' });
      await check(page, failures, 'de', 'removed', section);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English: set up, send the link again (the first one dies), confirm', async () => {
      const w = WORDS.en;
      const login = 'sam.taylor@example.test';
      const address = 'sam.recovery@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      const { page, problems } = await run.openPage({ lang: 'en' });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      const { section, row } = await recoveryRowNotSetUp(page, w);
      await check(page, failures, 'en', 'not-set-up', section);

      // Just signed in, the window is open: "Set up now" leads straight to the address.
      await tabTo(page, w.setUp);
      const field = section.getByLabel(w.field, { exact: true });
      await field.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.field });
      await expect(page.getByRole('dialog').count()).resolves.toBe(0);
      // The form's "Cancel" closes it and gives the focus back to "Set up now"; Enter opens it again.
      await tabTo(page, w.cancel);
      await field.waitFor({ state: 'detached' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.setUp, focusVisible: true });
      await page.keyboard.press('Enter');
      await field.waitFor();
      await page.keyboard.type(address);
      await check(page, failures, 'en', 'address', section);
      await page.keyboard.press('Enter');
      await expect(text(section.getByRole('status'))).resolves.toBe(w.sent(address));
      const view = await recovery(page);
      const pendingGroup = row.getByRole('group', { name: new RegExp(w.pending) });
      await expect(text(pendingGroup)).resolves.toContain(address);
      const at = profileTime(view.pending?.resendAvailableAt ?? '', 'en', 'clock');
      await expect(text(pendingGroup)).resolves.toContain(w.resendAt(at));
      await pendingGroup.getByRole('button', { name: w.cancel, exact: true }).waitFor();
      await check(page, failures, 'en', 'pending', section);

      // "Send again" once the minute has passed. The browser's clock is set to the server's
      // (Playwright's clock; the server runs on the test's manual clock), so the button unlocks;
      // the fresh link replaces the first one, which is dead from then on.
      const firstLink = await tokenLink(run.baseUrl, address);
      run.clock.advance(61_000);
      await page.clock.install({ time: run.clock.now() });
      await page.reload();
      await heading(page, w.title).waitFor();
      const resendButton = pendingGroup.getByRole('button', { name: w.resend });
      await waitFor(async () => ((await resendButton.getAttribute('aria-disabled')) === 'true' ? undefined : true), 'an unlocked "Send again"');
      await tabTo(page, w.resend);
      await expect(text(section.getByRole('status'))).resolves.toBe(w.resent);
      await check(page, failures, 'en', 'resent', section);
      const secondLink = await tokenLink(run.baseUrl, address, 1);
      expect(secondLink).not.toBe(firstLink);
      const stale = await fetch(`${run.baseUrl}/api/v1/recovery/email/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: new URL(firstLink).searchParams.get('token') }),
      });
      expect(stale.status).toBe(400);

      await confirmElsewhere(page, secondLink, address, 'en', failures);
      await page.reload();
      await heading(page, w.title).waitFor();
      await row.getByText(address, { exact: true }).waitFor();
      await row.getByRole('button', { name: w.manage }).waitFor();
      await expect(text(row)).resolves.toContain(w.active);
      await check(page, failures, 'en', 'active', section);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
