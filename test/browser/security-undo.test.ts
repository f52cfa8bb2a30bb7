import { randomInt } from 'node:crypto';
import type { Page } from 'playwright-core';

import { describe, expect, inject, it } from 'vitest';
import type { RecoveryView } from '../../src/contract/recovery.js';
import { apiClient } from '../helpers/api-client.js';
import { waitFor } from '../helpers/browser.js';
import {
  createAccount,
  ownerApi,
  mailbox,
  mailsTo,
  NO_API_RATE_LIMIT,
  PASSWORD,
  tokenLink,
  type Lang,
  type MailboxMessage,
} from '../helpers/browser-instance.js';
import { focusInfo, heading, PHONE_DEVICE, recoveryView, signIn, tabTo, text } from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';

/**
 * "Das war ich nicht" (docs/security.md "The owner wins") in a real Chromium against a real server: a security
 * notice's one-time link (/undo?token=…, read from the development mailbox over HTTP) secures the
 * account. German on a phone (375 px): the owner has a confirmed recovery email A, set up from
 * the account's first device; an attacker (another browser, signed in with the stolen password
 * more than 7 days earlier and kept alive, so his device is no longer new and nothing he does is
 * held) replaces it with B and confirms B; the owner (a third browser, not signed in) opens "Das
 * war ich nicht" from the "Wiederherstellungs-E-Mail geändert" notice to the login address: the
 * page takes the token out of the address bar and changes nothing until its button, pressed by
 * keyboard → "Ihr Konto ist gesichert" (focus on the heading) with the list of what was done,
 * B under "Entfernte Wiederherstellungsoptionen" and "Neues Passwort festlegen"; the attacker's
 * session is gone, signing in with the password answers 403 password-reset-required, the same
 * link opened again says "Link nicht mehr gültig" at once, and after a reset through "Passwort
 * vergessen?" A is the recovery email again and B is gone. English: the same page for a password
 * change made by the attacker. Then "the owner's undo page says what was removed": an
 * intruder on a new device adds a recovery email with a long address and a phone (both held 72
 * hours), and the owner's phone lists both after the link of the new-device notice; in English an
 * intruder on a device older than 7 days adds both (active at once, not settled), and the link of
 * "Recovery email set up" lists both. On every state no console error, failed request or CSP
 * report, no serious axe violation, no sideways scrolling at 375 px; screenshots at 1280 and
 * 375 px in test-results/screenshots/security-undo-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The attacker's password (the English case changes it) and the owner's after the reset. */
const ATTACKER_PASSWORD = 'Fremder Schlüssel Nebelhorn 3';
const NEW_PASSWORD = 'Wolkenband Kiesel Laterne 9';

/** The words of the page (ui.undo and mail.account-secured.steps in src/i18n) and of the notices. */
const WORDS = {
  de: {
    linkLabel: 'Das war ich nicht',
    title: 'Das war ich nicht',
    submit: 'Konto jetzt sichern',
    doneTitle: 'Ihr Konto ist gesichert',
    forgot: 'Neues Passwort festlegen',
    goneTitle: 'Link nicht mehr gültig',
    steps: {
      'recovery-email-restored': 'Die vorherige Wiederherstellungs-E-Mail-Adresse ist wieder aktiv.',
      'recovery-email-removed': 'Eine Wiederherstellungs-E-Mail-Adresse, die erst seit Kurzem bestand oder noch auf ihre Freigabe wartete, wurde entfernt.',
      'recovery-phone-removed':
        'Eine Telefonnummer zur Kontowiederherstellung, die erst seit Kurzem bestand oder noch auf ihre Freigabe wartete, wurde entfernt.',
      'pending-changes-cancelled': 'Offene Änderungen wurden abgebrochen.',
      'signed-out-everywhere': 'Alle Sitzungen wurden abgemeldet.',
      'later-links-invalidated': 'Spätere „Das war ich nicht“-Links sind ungültig.',
      'sign-in-blocked': 'Die Anmeldung mit dem bisherigen Passwort ist gesperrt, bis Sie über „Passwort vergessen?“ ein neues festlegen.',
    } as Record<string, string>,
    removedTitle: 'Entfernte Wiederherstellungsoptionen',
    removedEmail: 'Wiederherstellungs-E-Mail-Adresse',
    removedPhone: 'Telefonnummer zur Kontowiederherstellung',
    removedHint:
      'Sie bestanden erst seit Kurzem: Wer Ihr Passwort kannte, kann sie hinzugefügt haben. War eine davon Ihre, richten Sie sie nach dem neuen Passwort im Profil wieder ein.',
  },
  en: {
    linkLabel: 'This wasn’t me',
    title: 'This wasn’t me',
    submit: 'Secure my account now',
    doneTitle: 'Your account is secured',
    forgot: 'Set a new password',
    goneTitle: 'Link no longer valid',
    steps: {
      'recovery-email-removed': 'A recovery email address that had been set up only recently, or was still waiting to take effect, was removed.',
      'recovery-phone-removed': 'A recovery phone number that had been set up only recently, or was still waiting to take effect, was removed.',
      'signed-out-everywhere': 'All sessions were signed out.',
      'later-links-invalidated': 'Later “This wasn’t me” links no longer work.',
      'sign-in-blocked': 'Signing in with the current password is blocked until you set a new one with “Forgot password?”.',
    } as Record<string, string>,
    removedTitle: 'Removed recovery options',
    removedEmail: 'Recovery email address',
    removedPhone: 'Recovery phone number',
    removedHint:
      'They had been set up only recently: whoever knew your password may have added them. If one of them was yours, set it up again in your profile once you have a new password.',
  },
} as const;

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: "Das war ich nicht" (security notices)', () => {
    /**
     * run.clock, the server's: an attacker's device is made older than 7 days (see below).
     * run.openPage: a fresh page in its own context (own cookies: another device); error answers the test provokes are listed.
     */
    const run = useBrowserRun(chromiumPath, 'lifeline-undo-ui-', NO_API_RATE_LIMIT, { manualClock: true });

    /**
     * One state of the page (checkState): screenshots of the full page as
     * security-undo-<state>-<lang>-<width>.png; a phone's page is back at its own width after.
     */
    const check = (page: Page, failures: string[], lang: Lang, state: string) =>
      checkStateAtOwnWidth(page, failures, { prefix: 'security-undo', state, lang, target: 'page' });

    /** The answer to signing in with `password` over the API (a client of its own, no cookies). */
    const signInAnswer = async (email: string, password: string) => apiClient(run.instance.server.app).post('/api/v1/login', { email, password });

    /** A state-changing API call with the page's cookies and its session's CSRF token: the status and the answer. */
    async function call(page: Page, method: 'PUT' | 'POST', path: string, data: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
      const session = (await (await page.request.get(`${run.baseUrl}/api/v1/session`)).json()) as { csrfToken: string };
      const response = await page.request.fetch(`${run.baseUrl}${path}`, { method, data, headers: { 'x-csrf-token': session.csrfToken } });
      const body = response.headers()['content-type']?.includes('json') ? ((await response.json()) as Record<string, unknown>) : {};
      return { status: response.status(), body };
    }

    /** As call(), the status only. */
    const send = async (page: Page, method: 'PUT' | 'POST', path: string, data: unknown): Promise<number> => (await call(page, method, path, data)).status;

    /**
     * The attacker's session kept alive while his device ages past the 7 days a device is "new"
     * (HOLD_NEW_DEVICE_DAYS): a request every 4 days, within the 7 days a session may be idle.
     */
    async function ageDevice(page: Page): Promise<void> {
      for (const hours of [4 * 24, 4 * 24 + 1]) {
        run.clock.advance(hours * 3600_000);
        expect((await page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(200);
      }
    }

    /** A German mobile number as people type it, its E.164 form and the masked form pages show. */
    function mobileNumber(): { typed: string; e164: string; masked: string } {
      const digits = String(randomInt(0, 10_000_000)).padStart(7, '0');
      return { typed: `0171 ${digits}`, e164: `+49171${digits}`, masked: `+49 *** ****${digits.slice(-3)}` };
    }

    /** The code of the newest SMS to `e164` (the development mailbox). */
    async function smsCode(e164: string): Promise<string> {
      const sms = await messageTo(e164, (message) => message.channel === 'sms' && /^\d{6}$/m.test(message.text));
      return /^(\d{6})$/m.exec(sms.text)?.[1] ?? '';
    }

    /**
     * The intruder, signed in in `page`, adds `address` as recovery email (confirmed with the
     * link of its mail) and `number` as recovery phone (confirmed with the SMS code): each
     * confirmation's status ('held' from a new device, 'active' from an older one).
     */
    async function intruderAddsChannels(page: Page, address: string, number: { typed: string; e164: string }): Promise<{ email: unknown; phone: unknown }> {
      expect(await send(page, 'PUT', '/api/v1/recovery/email', { address, password: PASSWORD })).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, address)).searchParams.get('token');
      const email = await page.request.post(`${run.baseUrl}/api/v1/recovery/email/confirm`, { data: { token } });
      expect(email.status()).toBe(200);
      // The phone a few minutes later (the server's clock stands still otherwise).
      run.clock.advance(5 * 60_000);
      expect(await send(page, 'PUT', '/api/v1/recovery/phone', { number: number.typed, password: PASSWORD })).toBe(202);
      const phone = await call(page, 'POST', '/api/v1/recovery/phone/confirm', { code: await smsCode(number.e164) });
      expect(phone.status).toBe(200);
      return { email: ((await email.json()) as { status: unknown }).status, phone: phone.body.status };
    }

    /** Newest first: the messages to `to` that `carries` says are the right kind, once there are more than `before`. */
    async function messageTo(to: string, carries: (message: MailboxMessage) => boolean, before = 0): Promise<MailboxMessage> {
      return waitFor(async () => {
        const list = (await mailbox(run.baseUrl)).filter((message) => message.to === to && carries(message));
        return list.length > before ? list[0] : undefined;
      }, `a message to ${to}`);
    }

    /** A confirmed recovery email `address` for `email`, set up over the API with the link of its mail (as forgot-password.test.ts does). */
    async function withRecoveryEmail(email: string, address: string): Promise<void> {
      const client = await ownerApi(run.instance, email);
      expect((await client.put('/api/v1/recovery/email', { address })).status).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, address)).searchParams.get('token');
      expect((await apiClient(run.instance.server.app).post('/api/v1/recovery/email/confirm', { token })).status).toBe(200);
    }

    /**
     * The "Das war ich nicht" link of the notice `subject` to `to`: in the text part the line
     * "<label>:" and the URL on the next line, to PUBLIC_URL's /undo.
     */
    async function undoLink(to: string, subject: string, label: string): Promise<string> {
      const mail = await messageTo(to, (message) => message.subject === subject);
      const lines = mail.text.split('\n').map((line) => line.trim());
      const at = lines.indexOf(`${label}:`);
      expect(at, mail.text).toBeGreaterThanOrEqual(0);
      const link = lines[at + 1] ?? '';
      expect(link).toMatch(/^https?:\/\/\S+\/undo\?token=\S+$/);
      expect(new URL(link).origin).toBe(run.baseUrl);
      return link;
    }

    /** The link opened in `page`: the page that asks (heading and button), the token gone from the address bar. */
    async function openLink(page: Page, link: string, lang: Lang): Promise<void> {
      const w = WORDS[lang];
      const response = await page.goto(link);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');
      await heading(page, w.title).waitFor();
      await page.getByRole('button', { name: w.submit, exact: true }).waitFor();
      await waitFor(async () => (new URL(page.url()).searchParams.has('token') ? undefined : true), 'the token gone from the address');
      expect(new URL(page.url()).pathname).toBe('/undo');
    }

    /** A used link opened again: the page says so at once (it reads the link without using it), no button. */
    async function openDeadLink(page: Page, link: string, lang: Lang): Promise<void> {
      const w = WORDS[lang];
      await page.goto(link);
      await heading(page, w.goneTitle).waitFor();
      expect(await page.getByRole('button', { name: w.submit, exact: true }).count()).toBe(0);
      await waitFor(async () => (new URL(page.url()).searchParams.has('token') ? undefined : true), 'the token gone from the address');
    }

    /** The `removed` of the last undo's answer (secureByKeyboard). */
    let lastRemoved: unknown[] = [];

    /** "Konto jetzt sichern" by keyboard; the POST's answer and the page's "secured" state with the focus on its heading. */
    async function secureByKeyboard(page: Page, lang: Lang): Promise<string[]> {
      const w = WORDS[lang];
      const [answer] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/security/undo' && r.request().method() === 'POST'),
        tabTo(page, w.submit),
      ]);
      expect(answer.status()).toBe(200);
      const { done, removed } = (await answer.json()) as { done: string[]; removed: unknown[] };
      lastRemoved = removed;
      await heading(page, w.doneTitle).waitFor();
      // The heading takes the focus (a screen reader reads it), without a focus ring: as the steps of "Passwort vergessen?".
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.doneTitle, outlineStyle: 'none' });
      const forgot = page.getByRole('main').getByRole('link', { name: w.forgot, exact: true });
      await expect(forgot.getAttribute('href')).resolves.toBe('/forgot-password');
      return done;
    }

    /** The list of what was done, as the page shows it (the first list after the heading). */
    const doneList = async (page: Page) =>
      (await page.getByRole('main').getByRole('list').first().getByRole('listitem').allTextContents()).map((item) => item.replace(/\s+/g, ' ').trim());

    /** The list under the heading "Entfernte Wiederherstellungsoptionen" (level 2), as the page shows it; null without the heading. */
    async function removedList(page: Page, lang: Lang): Promise<string[] | null> {
      const title = page.getByRole('main').getByRole('heading', { level: 2, name: WORDS[lang].removedTitle, exact: true });
      if ((await title.count()) === 0) return null;
      const list = page.getByRole('main').getByRole('list').nth(1);
      return (await list.getByRole('listitem').allTextContents()).map((item) => item.replace(/\s+/g, ' ').trim());
    }

    it('German on a phone: the recovery email replaced by an attacker whose device is older than 7 days, undone from the login address’s notice; B listed as removed, signed out, sign-in blocked, the link used up, A back after the reset', async () => {
      const w = WORDS.de;
      const login = 'mara.keller@example.test';
      const original = 'mara.privat@example.org';
      const evil = 'postfach.fremd@example.net';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      await withRecoveryEmail(login, original);

      // The attacker: another browser (a new device), signed in with the password; he keeps his
      // session alive for more than 7 days, so his device is no longer new: a change from a
      // newer one would be held for 72 hours (test/browser/channel-hold.test.ts); his takes effect at once.
      const attacker = await run.openPage({ lang: 'de' });
      await signIn(attacker.page, run.baseUrl, login, { newDevice: true });
      await ageDevice(attacker.page);
      expect(await send(attacker.page, 'PUT', '/api/v1/recovery/email', { address: evil, password: PASSWORD })).toBe(202);
      const evilToken = new URL(await tokenLink(run.baseUrl, evil)).searchParams.get('token');
      const confirmed = await attacker.page.request.post(`${run.baseUrl}/api/v1/recovery/email/confirm`, { data: { token: evilToken } });
      expect(confirmed.status()).toBe(200);
      expect(((await confirmed.json()) as { status: string }).status).toBe('active');
      const attackersView = async (): Promise<RecoveryView['email']> => (await recoveryView(attacker.page, run.baseUrl)).email;
      await expect(attackersView()).resolves.toMatchObject({ status: 'active', address: evil, usableFrom: expect.any(String) as unknown });

      // The notice to the login address carries the link; so does the one to A (the owner's,
      // settled: set up from the account's first device). B, the attacker's fresh address, gets none.
      const link = await undoLink(login, 'Lifeline: Wiederherstellungs-E-Mail geändert', w.linkLabel);
      const toOriginal = await messageTo(original, (message) => message.subject === 'Lifeline: Diese Adresse dient nicht mehr der Kontowiederherstellung');
      expect(toOriginal.text).toContain('/undo?token=');
      const toEvil = await messageTo(evil, (message) => message.subject === 'Lifeline: Wiederherstellungs-E-Mail geändert');
      expect(toEvil.text).not.toContain('/undo?token=');
      expect((await mailsTo(run.baseUrl, evil)).filter((message) => message.text.includes('/undo?token='))).toEqual([]);

      // The owner: a third browser on a phone, not signed in. Opening the link changes nothing.
      const owner = await run.openPage({ lang: 'de', ...PHONE_DEVICE, expected: [{ status: 410, path: '/api/v1/security/undo' }] });
      await openLink(owner.page, link, 'de');
      await expect(text(owner.page.getByRole('main'))).resolves.toContain(w.submit);
      await check(owner.page, failures, 'de', 'ask');
      await expect(attackersView()).resolves.toMatchObject({ status: 'active', address: evil, usableFrom: expect.any(String) as unknown });
      expect((await attacker.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(200);

      // The button by keyboard: secured, the list of what was done (B removed as not settled, A
      // back), B under "Entfernte Wiederherstellungsoptionen", "Neues Passwort festlegen".
      const done = await secureByKeyboard(owner.page, 'de');
      const steps = ['recovery-email-removed', 'recovery-email-restored', 'signed-out-everywhere', 'later-links-invalidated', 'sign-in-blocked'];
      expect(done).toEqual(steps);
      expect(lastRemoved).toEqual([{ channel: 'recovery-email', address: evil }]);
      await expect(doneList(owner.page)).resolves.toEqual(steps.map((step) => w.steps[step]));
      await expect(removedList(owner.page, 'de')).resolves.toEqual([`${w.removedEmail} ${evil}`]);
      await check(owner.page, failures, 'de', 'done');

      // The attacker is signed out; the password no longer signs in, until a reset.
      expect((await attacker.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);
      const blocked = await signInAnswer(login, PASSWORD);
      expect(blocked.status).toBe(403);
      expect(blocked.body.code).toBe('password-reset-required');

      // The same link again: the page says at once that it is used up.
      await openDeadLink(owner.page, link, 'de');
      await expect(owner.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.goneTitle, outlineStyle: 'none' });
      await owner.page.getByRole('main').getByRole('link', { name: w.forgot, exact: true }).waitFor();
      await check(owner.page, failures, 'de', 'gone');

      // The way back, "Passwort vergessen?" with the login address (over the API; its UI is
      // forgot-password.test.ts's subject): then A is the recovery email again, B is gone.
      const isReset = (message: MailboxMessage) => message.text.includes('/reset-password?token=');
      const resets = (await mailsTo(run.baseUrl, login)).filter(isReset).length;
      const client = apiClient(run.instance.server.app);
      expect((await client.post('/api/v1/password/forgot', { identifier: login })).status).toBe(202);
      const resetMail = await messageTo(login, isReset, resets);
      const code = /^\s*([0-9A-HJKMNP-TV-Z]{8})\s*$/m.exec(resetMail.text)?.[1];
      expect(code, resetMail.text).toBeDefined();
      expect((await client.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
      expect((await client.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
      expect((await client.post('/api/v1/login', { email: login, password: NEW_PASSWORD })).status).toBe(200);
      const recovery = await client.get('/api/v1/recovery');
      expect(recovery.status).toBe(200);
      // A is back (as new: "Passwort vergessen?" reaches it again 7 days after the undo), and the reset kept it.
      expect(recovery.body.email).toMatchObject({ status: 'active', address: original, usableFrom: expect.any(String) as unknown });
      expect(recovery.text).not.toContain(evil);

      expect(owner.problems, 'the owner’s browser').toEqual([]);
      expect(attacker.problems, 'the attacker’s browser').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English: a password change by the attacker undone from “Your password was changed”; both states, and the used link', async () => {
      const w = WORDS.en;
      const login = 'nora.quinn@example.test';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      const attacker = await run.openPage({ lang: 'en' });
      await signIn(attacker.page, run.baseUrl, login, { lang: 'en', newDevice: true });
      // A few minutes later (the server's clock stands still otherwise): the sign-in's own notice
      // is an earlier event, whose link this undo leaves alone.
      run.clock.advance(5 * 60_000);
      expect(await send(attacker.page, 'PUT', '/api/v1/account/password', { currentPassword: PASSWORD, newPassword: ATTACKER_PASSWORD })).toBe(200);
      const link = await undoLink(login, 'Lifeline: Your password was changed', w.linkLabel);

      const owner = await run.openPage({ lang: 'en', expected: [{ status: 410, path: '/api/v1/security/undo' }] });
      await openLink(owner.page, link, 'en');
      await check(owner.page, failures, 'en', 'ask');
      expect((await attacker.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(200);

      const done = await secureByKeyboard(owner.page, 'en');
      expect(done).toEqual(['signed-out-everywhere', 'sign-in-blocked']);
      expect(lastRemoved).toEqual([]);
      await expect(doneList(owner.page)).resolves.toEqual([w.steps['signed-out-everywhere'], w.steps['sign-in-blocked']]);
      // Nothing removed: no such heading.
      await expect(removedList(owner.page, 'en')).resolves.toBeNull();
      await check(owner.page, failures, 'en', 'done');

      // Signed out; the attacker's new password is blocked as well.
      expect((await attacker.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);
      const blocked = await signInAnswer(login, ATTACKER_PASSWORD);
      expect(blocked.status).toBe(403);
      expect(blocked.body.code).toBe('password-reset-required');

      await openDeadLink(owner.page, link, 'en');
      await check(owner.page, failures, 'en', 'gone');

      expect(owner.problems, 'the owner’s browser').toEqual([]);
      expect(attacker.problems, 'the attacker’s browser').toEqual([]);
      expect(failures).toEqual([]);
    });

    /**
     * The removed channels on the owner's phone: under the heading, each in a line of its own
     * with its label, then the hint; the long address wraps inside the card (no sideways
     * scrolling), in two lines or more at 375 px; the masked number does not break.
     */
    async function expectRemovedShown(page: Page, lang: Lang, address: string, masked: string): Promise<void> {
      const w = WORDS[lang];
      await expect(removedList(page, lang)).resolves.toEqual([`${w.removedEmail} ${address}`, `${w.removedPhone} ${masked}`]);
      await expect(text(page.getByRole('main').getByRole('list').nth(1).locator('xpath=following-sibling::p[1]'))).resolves.toBe(w.removedHint);
      // The heading comes after the list of what was done, before the hint and the way back.
      const main = await text(page.getByRole('main'));
      expect(main.indexOf(w.steps['sign-in-blocked'] ?? '?')).toBeLessThan(main.indexOf(w.removedTitle));
      expect(main.indexOf(w.removedTitle)).toBeLessThan(main.indexOf(address));
      expect(main.indexOf(address)).toBeLessThan(main.indexOf(w.removedHint));
      expect(page.viewportSize()?.width).toBe(PHONE_DEVICE.viewport?.width);
      const strong = page.getByRole('main').locator('.removed-list strong').first();
      await expect(text(strong)).resolves.toBe(address);
      const box = await strong.boundingBox();
      const card = await page.getByRole('main').locator('section').first().boundingBox();
      expect(box && card && box.x >= card.x && box.x + box.width <= card.x + card.width, `${JSON.stringify(box)} inside ${JSON.stringify(card)}`).toBe(true);
      const lines = await page.evaluate<number>("document.querySelector('.removed-list strong').getClientRects().length");
      expect(lines, 'the long address wraps at 375 px').toBeGreaterThanOrEqual(2);
      // The masked number stays in one piece (it has spaces a line could break at).
      await expect(text(page.getByRole('main').locator('.removed-list strong').nth(1))).resolves.toBe(masked);
      expect(await page.evaluate<number>("document.querySelectorAll('.removed-list strong')[1].getClientRects().length"), 'the number in one line').toBe(1);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE_DEVICE.viewport?.width ?? 0);
    }

    it('the owner’s undo page says what was removed: German on a phone — an intruder on a new device adds a recovery email (a long address) and a phone, both held; the link of the new-device notice lists both under “Entfernte Wiederherstellungsoptionen”', async () => {
      const w = WORDS.de;
      const login = 'ida.sommer@example.test';
      const evil = 'umleitung.an.einen.voellig.fremden.empfaenger.mit.langem.namen@postfach-des-eindringlings.example.net';
      const number = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });

      // The intruder: a new device (notified "Anmeldung auf einem neuen Gerät"); what he adds is held 72 hours.
      const intruder = await run.openPage({ lang: 'de' });
      await signIn(intruder.page, run.baseUrl, login, { newDevice: true });
      run.clock.advance(5 * 60_000);
      await expect(intruderAddsChannels(intruder.page, evil, number)).resolves.toEqual({ email: 'held', phone: 'held' });
      const view = await recoveryView(intruder.page, run.baseUrl);
      expect(view.email).toMatchObject({ status: 'none', addition: { address: evil } });
      expect(view.phone).toMatchObject({ status: 'none', addition: { masked: number.masked } });

      // The owner's phone, not signed in: the link of the new-device notice, the button by keyboard.
      const link = await undoLink(login, 'Lifeline: Anmeldung auf einem neuen Gerät', w.linkLabel);
      const owner = await run.openPage({ lang: 'de', ...PHONE_DEVICE });
      await openLink(owner.page, link, 'de');
      await expect(text(owner.page.locator('.undo-event'))).resolves.toContain('Anmeldung von einem neuen Gerät');
      const done = await secureByKeyboard(owner.page, 'de');
      // The held additions are pending changes too (their cancel links die); they wrote no event with a link of its own.
      expect(done).toEqual(['recovery-email-removed', 'recovery-phone-removed', 'pending-changes-cancelled', 'signed-out-everywhere', 'sign-in-blocked']);
      expect(lastRemoved).toEqual([
        { channel: 'recovery-email', address: evil },
        { channel: 'recovery-phone', masked: number.masked },
      ]);
      await expect(doneList(owner.page)).resolves.toEqual(done.map((step) => w.steps[step]));
      await expectRemovedShown(owner.page, 'de', evil, number.masked);
      await check(owner.page, failures, 'de', 'removed');

      // The intruder is out, and the account-secured notice to the login address names what went.
      expect((await intruder.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);
      const secured = await messageTo(login, (message) => message.subject === 'Lifeline: Ihr Konto wurde gesichert');
      expect(secured.text.replace(/\s+/g, ' ')).toContain(`Entfernt: ${evil}, ${number.masked}.`);

      expect(owner.problems, 'the owner’s browser').toEqual([]);
      expect(intruder.problems, 'the intruder’s browser').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('the owner’s undo page says what was removed: English on a phone — an intruder on a device older than 7 days adds a recovery email and a phone, active at once but not settled; the link of “Recovery email set up” lists both under “Removed recovery options”', async () => {
      const w = WORDS.en;
      const login = 'oliver.grant@example.test';
      const evil = 'forwarding.to.a.complete.stranger.with.a.rather.long.name@mailbox-of-the-intruder.example.net';
      const number = mobileNumber();
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });

      // The intruder signed in more than 7 days ago and kept his session alive: what he adds is active at once.
      const intruder = await run.openPage({ lang: 'en' });
      await signIn(intruder.page, run.baseUrl, login, { lang: 'en', newDevice: true });
      await ageDevice(intruder.page);
      await expect(intruderAddsChannels(intruder.page, evil, number)).resolves.toEqual({ email: 'active', phone: 'active' });
      const view = await recoveryView(intruder.page, run.baseUrl);
      expect(view.email).toMatchObject({ status: 'active', address: evil });
      expect(view.phone).toMatchObject({ status: 'active', masked: number.masked });

      // The owner's phone: the link of the notice of the address being set up (the phone came after it).
      const link = await undoLink(login, 'Lifeline: Recovery email set up', w.linkLabel);
      const owner = await run.openPage({ lang: 'en', ...PHONE_DEVICE });
      await openLink(owner.page, link, 'en');
      await check(owner.page, failures, 'en', 'ask-added');
      const done = await secureByKeyboard(owner.page, 'en');
      expect(done).toEqual(['recovery-email-removed', 'recovery-phone-removed', 'signed-out-everywhere', 'later-links-invalidated', 'sign-in-blocked']);
      expect(lastRemoved).toEqual([
        { channel: 'recovery-email', address: evil },
        { channel: 'recovery-phone', masked: number.masked },
      ]);
      await expect(doneList(owner.page)).resolves.toEqual(done.map((step) => w.steps[step]));
      await expectRemovedShown(owner.page, 'en', evil, number.masked);
      await check(owner.page, failures, 'en', 'removed');
      expect((await intruder.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);

      expect(owner.problems, 'the owner’s browser').toEqual([]);
      expect(intruder.problems, 'the intruder’s browser').toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
