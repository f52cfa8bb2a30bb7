import { randomInt } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '../helpers/browser.js';
import { createAccount, mailbox, mailsTo, NO_API_RATE_LIMIT, PASSWORD, tokenLink, type Lang, type MailboxMessage } from '../helpers/browser-instance.js';
import {
  focusInfo,
  heading,
  PHONE_DEVICE,
  profileTime,
  RECOVERY_SECTION_WORDS,
  recoveryRow,
  recoveryView,
  signIn,
  tabTo,
  text,
  type PageOptions,
} from '../helpers/browser-page.js';
import { checkStateAtOwnWidth, useBrowserRun } from '../helpers/browser-run.js';

/**
 * The 72-hour hold in a real Chromium against a real server. German on a phone
 * (375 px), by keyboard: the owner's first browser A signs in and has a confirmed recovery
 * email (set up over the API with A's cookies); a second browser B (a device the account had
 * never seen) signs in and removes it (Profil → Kontowiederherstellung → Verwalten →
 * Entfernen → Ja, entfernen): the DELETE answers 202 with `effectiveAt`, the message and the
 * row's note say "wird am … entfernt" and that it stays active until then, the row's state is
 * "Wird entfernt" (not "Aktiv"), the address stays active; the login address's notice "Änderung Ihrer
 * Kontowiederherstellung wartet 72 Stunden" carries a cancel link (the recovery address gets
 * one of its own); opened in A it changes nothing until its button, pressed by keyboard →
 * the done text; B's profile, reloaded, shows the address active without the note. English
 * on a desktop: the same removal from the FIRST browser is immediate (204, "Not set up").
 * Every state: no console error, failed request, CSP report or unexpected 4xx, no serious axe
 * violation, no sideways scrolling at 375 px; screenshots at 1280 and 375 px in
 * test-results/screenshots/channel-hold-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The words of the flow (ui.profile.recovery, ui.confirm.*CancelHold and mail.change-held in src/i18n). */
const WORDS = {
  de: {
    ...RECOVERY_SECTION_WORDS.de,
    row: 'E-Mail-Adresse',
    active: 'Aktiv',
    removing: 'Wird entfernt',
    manage: 'Verwalten',
    remove: 'Entfernen',
    confirmRemove: 'Ja, entfernen',
    removed: 'Die Adresse zur Kontowiederherstellung wurde entfernt.',
    held: (date: string) => `Wird am ${date} entfernt. Bis dahin bleibt sie aktiv.`,
    heldStart: 'Wird am',
    accepted: (date: string) => `Die Adresse wird am ${date} entfernt. Bis dahin bleibt sie aktiv, und Sie können das Entfernen abbrechen.`,
    change: 'Ändern',
    addressField: 'E-Mail-Adresse zur Kontowiederherstellung',
    sendLink: 'Bestätigungslink senden',
    newAddress: 'Neue Adresse, bestätigt',
    waiting: 'Wartet',
    replacementHeld: (date: string) => `Wird am ${date} aktiv. Bis dahin bleibt die bisherige aktiv.`,
    confirmTitle: 'Adresse zur Kontowiederherstellung bestätigen',
    confirmButton: 'Adresse bestätigen',
    confirmHeld: (address: string, date: string) =>
      `Die Adresse ${address} ist bestätigt. Sie wird am ${date} Ihre Adresse zur Kontowiederherstellung: Sie wurde von einer Sitzung eingerichtet, die erst seit Kurzem auf einem neuen Gerät angemeldet ist. Bis dahin bleibt alles, wie es war, und jeder Ihrer Wege hat einen Link zum Abbrechen erhalten.`,
    confirmSubject: 'Lifeline: Bitte bestätigen Sie Ihre Adresse zur Kontowiederherstellung',
    deadRecovery:
      'Ein Link zur Bestätigung gilt nur einmal und nur für die neueste Anfrage: Wurde die Einrichtung abgebrochen, durch eine neuere ersetzt oder die Adresse schon bestätigt, gilt er nicht mehr. Im Profil sehen Sie, wie es steht.',
    phoneRow: 'Telefonnummer',
    changeNumber: 'Ändern',
    numberField: 'Telefonnummer',
    codeField: 'Code aus der SMS',
    newNumber: 'Neue Nummer, bestätigt',
    cancelHeld: 'Änderung abbrechen',
    heldCancelled: 'Die Änderung ist abgebrochen; es bleibt alles, wie es war.',
    cancelledSubject: 'Lifeline: Zurückgehaltene Änderung abgebrochen',
    changeHeld: (masked: string, date: string) => `Die Nummer ${masked} ist bestätigt und wird am ${date} aktiv. Bis dahin bleibt die bisherige Nummer aktiv.`,
    heldSubject: 'Lifeline: Änderung Ihrer Kontowiederherstellung wartet 72 Stunden',
    cancelTitle: 'Änderung der Kontowiederherstellung abbrechen',
    /** The cancel page names the change and when it would take effect. */
    cancelIntro: (what: string, date: string) =>
      `Diese Änderung wartet: ${what}. Sie wird am ${date} wirksam. Mit der Schaltfläche brechen Sie sie ab; Ihre Kontowiederherstellung bleibt dann, wie sie ist.`,
    cancelButton: 'Änderung abbrechen',
    cancelDone: (what: string) =>
      `Abgebrochen: ${what}. Ihre Kontowiederherstellung bleibt unverändert. Wenn Sie die Änderung nicht selbst beantragt haben, ändern Sie jetzt Ihr Passwort.`,
    cancelledBefore: (what: string) =>
      `Diese Änderung ist bereits abgebrochen: ${what}. Ihre Kontowiederherstellung bleibt unverändert; Sie müssen nichts weiter tun.`,
    removingAddress: 'das Entfernen Ihrer Wiederherstellungs-E-Mail-Adresse',
    replacingAddress: 'das Ersetzen Ihrer Wiederherstellungs-E-Mail-Adresse',
  },
  en: {
    ...RECOVERY_SECTION_WORDS.en,
    row: 'Email address',
    active: 'Active',
    manage: 'Manage',
    remove: 'Remove',
    confirmRemove: 'Yes, remove',
    removed: 'The account recovery address was removed.',
    heldStart: 'Will be removed on',
    heldSubject: 'Lifeline: a change of your account recovery waits 72 hours',
    removedSubject: 'Lifeline: Recovery email removed',
  },
} as const;

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: the 72-hour hold on removing or replacing the recovery email', () => {
    /** run.openPage: a fresh page in its own context (own cookies: another device). No error answer is expected anywhere in this file. */
    const run = useBrowserRun(chromiumPath, 'lifeline-hold-ui-', NO_API_RATE_LIMIT);

    /**
     * One state of the page (checkState): screenshots of `target` as
     * channel-hold-<state>-<lang>-<width>.png; a phone's page is back at its own width after.
     */
    const check = (page: Page, failures: string[], lang: Lang, state: string, target: Locator | 'page') =>
      checkStateAtOwnWidth(page, failures, { prefix: 'channel-hold', state, lang, target });

    /** A state-changing API call with the page's cookies and its session's CSRF token. */
    async function send(page: Page, method: 'PUT' | 'POST', path: string, data: unknown): Promise<number> {
      const session = (await (await page.request.get(`${run.baseUrl}/api/v1/session`)).json()) as { csrfToken: string };
      const response = await page.request.fetch(`${run.baseUrl}${path}`, { method, data, headers: { 'x-csrf-token': session.csrfToken } });
      return response.status();
    }

    /** A confirmed recovery email `address`, set up over the API with `page`'s session (its device) and confirmed with the link of its mail. */
    async function withRecoveryEmail(page: Page, address: string): Promise<void> {
      expect(await send(page, 'PUT', '/api/v1/recovery/email', { address, password: PASSWORD })).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, address)).searchParams.get('token');
      expect((await page.request.post(`${run.baseUrl}/api/v1/recovery/email/confirm`, { data: { token } })).status()).toBe(200);
    }

    /** The code of the newest SMS to `e164` that carries one. */
    async function smsCode(e164: string): Promise<string> {
      const sms = await waitFor(
        async () => (await mailbox(run.baseUrl)).find((m) => m.channel === 'sms' && m.to === e164 && /^\d{6}$/m.test(m.text)),
        `an SMS with a code to ${e164}`,
      );
      return /^(\d{6})$/m.exec(sms.text)?.[1] ?? '';
    }

    /**
     * The owner's first browser A (not "a new device") signed in with a confirmed recovery email
     * `address`, and B: another browser, a device the account had never seen, signed in just now.
     */
    async function firstAndNewDevice(login: string, address: string, secondOptions: PageOptions = {}) {
      await createAccount(run.instance, login, { locale: 'de' });
      const first = await run.openPage({ lang: 'de', ...PHONE_DEVICE });
      await signIn(first.page, run.baseUrl, login);
      await withRecoveryEmail(first.page, address);
      const second = await run.openPage({ lang: 'de', ...PHONE_DEVICE, ...secondOptions });
      await signIn(second.page, run.baseUrl, login);
      return { first, second };
    }

    /** The newest message to `to` with `subject`, once there is one. */
    const messageTo = async (to: string, subject: string): Promise<MailboxMessage> =>
      waitFor(async () => (await mailbox(run.baseUrl)).find((message) => message.to === to && message.subject === subject), `"${subject}" to ${to}`);

    /** The /cancel-hold link in a message's text, to PUBLIC_URL. */
    function cancelLink(message: MailboxMessage): string {
      const link = /https?:\/\/\S+\/cancel-hold\?token=\S+/.exec(message.text)?.[0];
      expect(link, message.text).toBeDefined();
      expect(new URL(link ?? '').origin).toBe(run.baseUrl);
      return link ?? '';
    }

    /** The profile's page "Kontowiederherstellung", its section with the rows and its email row, once the row shows `address`. */
    const emailRow = (page: Page, lang: Lang, address: string): Promise<{ section: Locator; row: Locator }> => recoveryRow(page, WORDS[lang], address);

    /** Verwalten → Entfernen → (the question) Ja, entfernen, by keyboard; the DELETE's answer. */
    async function removeByKeyboard(page: Page, lang: Lang): Promise<{ status: number; body: unknown }> {
      const w = WORDS[lang];
      await tabTo(page, w.manage);
      await tabTo(page, w.remove);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/email' && r.request().method() === 'DELETE'),
        tabTo(page, w.confirmRemove),
      ]);
      const body = answer.status() === 204 ? null : ((await answer.json()) as unknown);
      return { status: answer.status(), body };
    }

    it('German on a phone: removed from a new device → held 72 hours with the date; the login address’s cancel link, opened on the first device, cancels it; the address stays', async () => {
      const w = WORDS.de;
      const login = 'jonas.berger@example.test';
      const address = 'jonas.privat@example.org';
      const failures: string[] = [];
      const { first, second } = await firstAndNewDevice(login, address);
      const { section, row } = await emailRow(second.page, 'de', address);
      await expect(text(row)).resolves.toContain(w.active);
      await expect(text(row)).resolves.not.toContain(w.heldStart);

      // Verwalten → Entfernen: held (202 with the date), not removed.
      const before = Date.now();
      const answer = await removeByKeyboard(second.page, 'de');
      expect(answer.status).toBe(202);
      const effectiveAt = (answer.body as { effectiveAt: string }).effectiveAt;
      const wait = new Date(effectiveAt).getTime() - before;
      expect(wait).toBeGreaterThan(72 * 3600_000 - 60_000);
      expect(wait).toBeLessThan(72 * 3600_000 + 60_000);
      const heldText = w.held(profileTime(effectiveAt, 'de'));
      // The success message says it waits (the note names the date: the same sentence is not said twice);
      // the focus is on it (the buttons are gone), not lost on the page.
      const status = section.getByRole('status');
      await expect(text(status)).resolves.toBe(w.accepted(profileTime(effectiveAt, 'de')));
      await expect(second.page.evaluate(focusInfo)).resolves.toMatchObject({ section: 'recovery-title', className: 'recovery-message' });
      // The row still shows the address, "Wird entfernt" (not a bare "Aktiv"), and the held note under it.
      await expect(text(row.locator('.recovery-entry-active'))).resolves.toContain(address);
      await expect(text(row.locator('.recovery-entry-active .state'))).resolves.toBe(w.removing);
      await expect(text(row.locator('.recovery-entry-active'))).resolves.not.toContain(w.active);
      await expect(text(row.locator('.recovery-held'))).resolves.toBe(heldText);
      await expect(text(row)).resolves.not.toContain(w.notSetUp);
      await expect(row.getByRole('button', { name: w.remove, exact: true }).count()).resolves.toBe(0);
      await expect(recoveryView(second.page, run.baseUrl)).resolves.toMatchObject({ email: { status: 'active', address, removalAt: effectiveAt } });
      await check(second.page, failures, 'de', 'held', section);

      // The first browser's profile says the same (the hold is the account's, not the session's).
      await first.page.reload();
      const firstRow = (await emailRow(first.page, 'de', address)).row;
      await expect(text(firstRow.locator('.recovery-held'))).resolves.toBe(heldText);

      // The notices: the login address and the recovery address, each with a cancel link of its own.
      const notice = await messageTo(login, w.heldSubject);
      expect(notice.text).toContain(address);
      const link = cancelLink(notice);
      expect(new URL(link).pathname).toBe('/cancel-hold');
      const toRecovery = await messageTo(address, w.heldSubject);
      expect(cancelLink(toRecovery)).not.toBe(link);

      // The login address's link, opened on the first device: the page asks; opening it changed nothing.
      const response = await first.page.goto(link);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');
      await heading(first.page, w.cancelTitle).waitFor();
      await expect(text(first.page.getByRole('main'))).resolves.toContain(w.cancelIntro(w.removingAddress, profileTime(effectiveAt, 'de')));
      await check(first.page, failures, 'de', 'cancel-page', 'page');
      await expect(recoveryView(first.page, run.baseUrl)).resolves.toMatchObject({ email: { removalAt: effectiveAt } });

      // Its one button, by keyboard: cancelled.
      const [cancelled] = await Promise.all([
        first.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/held/cancel' && r.request().method() === 'POST'),
        tabTo(first.page, w.cancelButton),
      ]);
      expect(cancelled.status()).toBe(200);
      const done = first.page.getByRole('main').getByRole('status');
      await expect(text(done)).resolves.toBe(w.cancelDone(w.removingAddress));
      await expect(first.page.getByRole('button', { name: w.cancelButton, exact: true }).count()).resolves.toBe(0);
      await check(first.page, failures, 'de', 'cancelled', 'page');

      // The recovery address's own link, opened afterwards: it says the change was cancelled already (no button, no "expired").
      await first.page.goto(cancelLink(toRecovery));
      await heading(first.page, w.cancelTitle).waitFor();
      await expect(text(first.page.getByRole('main').getByRole('status'))).resolves.toBe(w.cancelledBefore(w.removingAddress));
      await expect(first.page.getByRole('button', { name: w.cancelButton, exact: true }).count()).resolves.toBe(0);
      await check(first.page, failures, 'de', 'cancelled-before', 'page');

      // B's profile, reloaded: the address is still active, the note is gone.
      await second.page.reload();
      await heading(second.page, w.title).waitFor();
      const after = await emailRow(second.page, 'de', address);
      await expect(text(after.row)).resolves.toContain(w.active);
      await expect(text(after.row)).resolves.not.toContain(w.heldStart);
      await expect(after.row.locator('.recovery-held').count()).resolves.toBe(0);
      await expect(recoveryView(second.page, run.baseUrl)).resolves.toEqual({
        email: { status: 'active', address },
        phone: { status: 'none' },
        codes: { status: 'none' },
      });
      await check(second.page, failures, 'de', 'kept', after.section);

      expect(first.problems, 'the first browser').toEqual([]);
      expect(second.problems, 'the new device').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German on a phone: a new address confirmed from a new device waits 72 hours beside the active one; the old address’s cancel link, opened on the first device, drops it', async () => {
      const w = WORDS.de;
      const login = 'mara.vogt@example.test';
      const address = 'mara.privat@example.org';
      const theirs = 'mara.neu@example.net';
      const failures: string[] = [];
      // B opens the used link once more at the end: its 400 is expected.
      const { first, second } = await firstAndNewDevice(login, address, { expected: [{ status: 400, path: '/api/v1/recovery/email/confirm' }] });
      // B, the new device: Verwalten → Ändern → the new address, by keyboard.
      await emailRow(second.page, 'de', address);
      await tabTo(second.page, w.manage);
      await tabTo(second.page, w.change);
      await second.page.getByLabel(w.addressField, { exact: true }).fill(theirs);
      const [put] = await Promise.all([
        second.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/email' && r.request().method() === 'PUT'),
        tabTo(second.page, w.sendLink),
      ]);
      expect(put.status()).toBe(202);

      // The link from the new address's mail, opened in B: the page says it is confirmed and when it becomes active.
      const confirmMail = await messageTo(theirs, w.confirmSubject);
      const confirmLink = /https?:\/\/\S+\/confirm-recovery-email\?token=\S+/.exec(confirmMail.text)?.[0] ?? '';
      await second.page.goto(confirmLink);
      await heading(second.page, w.confirmTitle).waitFor();
      // The token is out of the address bar (and the history) once the page has read it.
      expect(new URL(second.page.url()).searchParams.has('token')).toBe(false);
      const before = Date.now();
      const [confirmed] = await Promise.all([
        second.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/email/confirm'),
        tabTo(second.page, w.confirmButton),
      ]);
      const body = (await confirmed.json()) as { status: string; address: string; effectiveAt: string };
      expect([confirmed.status(), body.status, body.address]).toEqual([200, 'held', theirs]);
      const wait = new Date(body.effectiveAt).getTime() - before;
      expect(Math.abs(wait - 72 * 3600_000)).toBeLessThan(60_000);
      const date = profileTime(body.effectiveAt, 'de');
      await expect(text(second.page.getByRole('main').getByRole('status'))).resolves.toBe(w.confirmHeld(theirs, date));
      // The button is gone: the focus is on the heading (the alert announces itself), and the way on is the profile (B is signed in).
      await expect(second.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1' });
      await second.page.getByRole('main').getByRole('link', { name: 'Zum Profil', exact: true }).waitFor();
      await check(second.page, failures, 'de', 'replacement-confirmed', 'page');

      // The profile: the old address active; below it the new one, "Wartet", and when.
      await second.page.goto(`${run.baseUrl}/profile`);
      const after = await emailRow(second.page, 'de', address);
      const held = after.row.getByRole('group', { name: `${w.newAddress} ${theirs} ${w.waiting}` });
      await expect(text(held.locator('.recovery-held'))).resolves.toBe(w.replacementHeld(date));
      await expect(text(after.row.locator('.recovery-entry-active'))).resolves.toContain(w.active);
      await expect(recoveryView(second.page, run.baseUrl)).resolves.toMatchObject({
        email: { status: 'active', address, replacement: { address: theirs, effectiveAt: body.effectiveAt } },
      });
      await check(second.page, failures, 'de', 'replacement-held', after.section);

      // The old (still active) address's notice names the new one; its cancel link, opened in A, drops it.
      const notice = await messageTo(address, w.heldSubject);
      expect(notice.text).toContain(`durch ${theirs} zu ersetzen`);
      await first.page.goto(cancelLink(notice));
      await heading(first.page, w.cancelTitle).waitFor();
      const [cancelled] = await Promise.all([
        first.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/held/cancel'),
        tabTo(first.page, w.cancelButton),
      ]);
      expect(cancelled.status()).toBe(200);
      await expect(text(first.page.getByRole('main').getByRole('status'))).resolves.toBe(w.cancelDone(w.replacingAddress));
      await second.page.reload();
      const kept = await emailRow(second.page, 'de', address);
      await expect(text(kept.row)).resolves.not.toContain(theirs);
      // The new address's link again: dead, and the page says why such a link can be dead.
      await second.page.goto(confirmLink);
      await heading(second.page, w.confirmTitle).waitFor();
      await tabTo(second.page, w.confirmButton);
      await second.page.getByText(w.deadRecovery, { exact: true }).waitFor();
      await expect(second.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1' });
      await expect(recoveryView(second.page, run.baseUrl)).resolves.toEqual({
        email: { status: 'active', address },
        phone: { status: 'none' },
        codes: { status: 'none' },
      });

      expect(first.problems, 'the first browser').toEqual([]);
      expect(second.problems, 'the new device').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German on a phone: a new number confirmed in the dialog on a new device waits 72 hours; the dialog’s end and the row say when', async () => {
      const w = WORDS.de;
      const login = 'lena.koch@example.test';
      const digits = () => String(randomInt(0, 10_000_000)).padStart(7, '0');
      const [old, next] = [digits(), digits()];
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const first = await run.openPage({ lang: 'de', ...PHONE_DEVICE });
      await signIn(first.page, run.baseUrl, login);
      // A's number, set up and confirmed over the API with A's cookies.
      expect(await send(first.page, 'PUT', '/api/v1/recovery/phone', { number: `0171 ${old}`, password: PASSWORD })).toBe(202);
      expect(await send(first.page, 'POST', '/api/v1/recovery/phone/confirm', { code: await smsCode(`+49171${old}`) })).toBe(200);

      // B, a new device signed in just now: Verwalten → Ändern → the number → the code, by keyboard.
      const second = await run.openPage({ lang: 'de', ...PHONE_DEVICE });
      await signIn(second.page, run.baseUrl, login);
      const { section, row } = await recoveryRow(second.page, { ...w, row: w.phoneRow }, `+49 *** ****${old.slice(-3)}`);
      await tabTo(second.page, w.manage, { row: w.phoneRow });
      await tabTo(second.page, w.changeNumber);
      const dialog = second.page.getByRole('dialog');
      await dialog.getByLabel(w.numberField, { exact: true }).waitFor();
      await second.page.keyboard.type(`0172 ${next}`);
      await second.page.keyboard.press('Enter');
      await dialog.getByLabel(w.codeField, { exact: true }).waitFor();
      await second.page.keyboard.type(await smsCode(`+49172${next}`));
      const [confirmed] = await Promise.all([
        second.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/phone/confirm'),
        second.page.keyboard.press('Enter'),
      ]);
      const body = (await confirmed.json()) as { status: string; masked: string; effectiveAt: string };
      expect([confirmed.status(), body.status]).toEqual([200, 'held']);
      const date = profileTime(body.effectiveAt, 'de');
      // The dialog is closed; the message says it waits (the note names the date), with the focus on it.
      await expect(dialog.count()).resolves.toBe(0);
      await expect(text(section.getByRole('status'))).resolves.toBe(w.changeHeld(body.masked, date));
      await expect(second.page.evaluate(focusInfo)).resolves.toMatchObject({ className: 'recovery-message' });
      // The row: the old number active; the new one below, "Wartet", and when.
      const held = row.getByRole('group', { name: `${w.newNumber} ${body.masked} ${w.waiting}` });
      await expect(text(held.locator('.recovery-held'))).resolves.toBe(w.replacementHeld(date));
      await expect(text(row.locator('.recovery-entry-active'))).resolves.toContain(old.slice(-3));
      await check(second.page, failures, 'de', 'phone-replacement-held', section);

      // The old number's SMS names the date and the profile, and carries no link (SMS phishing looks like that).
      const sms = await waitFor(
        async () =>
          (await mailbox(run.baseUrl)).find((m) => m.channel === 'sms' && m.to === `+49171${old}` && m.text.includes('Kontowiederherstellung wird am')),
        'the held-change SMS',
      );
      expect(sms.text).toContain(date.split(' um ')[0] ?? date);
      expect(sms.text).toContain('Öffnen Sie Ihr Profil bei Lifeline, um das abzubrechen.');
      expect(sms.text).not.toMatch(/https?:\/\//);

      // "Änderung abbrechen" in the profile, by keyboard (any session may: it keeps things as they are).
      const [cancelled] = await Promise.all([
        second.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/phone/held' && r.request().method() === 'DELETE'),
        tabTo(second.page, w.cancelHeld, { row: w.phoneRow }),
      ]);
      expect(cancelled.status()).toBe(204);
      await expect(text(section.getByRole('status'))).resolves.toBe(w.heldCancelled);
      await expect(held.count()).resolves.toBe(0);
      await expect(text(row)).resolves.not.toContain(body.masked);
      await expect(recoveryView(second.page, run.baseUrl)).resolves.toMatchObject({ phone: { status: 'active' } });
      await expect(recoveryView(second.page, run.baseUrl).then((view) => view.phone)).resolves.not.toHaveProperty('replacement');
      // The login address hears of the cancellation.
      await messageTo(login, w.cancelledSubject);
      await check(second.page, failures, 'de', 'phone-replacement-cancelled', section);

      expect(first.problems, 'the first browser').toEqual([]);
      expect(second.problems, 'the new device').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('German on a phone: a first address added from a new device waits 72 hours; the first device sees it ("Hinzugefügte Adresse", "Wartet"), cancels it by keyboard, and the new device is signed out', async () => {
      const w = WORDS.de;
      const login = 'ida.kranz@example.test';
      const theirs = 'ida.fremd@example.net';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'de' });
      const first = await run.openPage({ lang: 'de', ...PHONE_DEVICE });
      await signIn(first.page, run.baseUrl, login);
      const second = await run.openPage({ lang: 'de' });
      await signIn(second.page, run.baseUrl, login);
      // B, the new device, adds a first recovery address and confirms it: held.
      expect(await send(second.page, 'PUT', '/api/v1/recovery/email', { address: theirs, password: PASSWORD })).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, theirs)).searchParams.get('token');
      const confirmed = await second.page.request.post(`${run.baseUrl}/api/v1/recovery/email/confirm`, { data: { token } });
      const body = (await confirmed.json()) as { status: string; effectiveAt: string };
      expect([confirmed.status(), body.status]).toEqual([200, 'held']);
      await expect(recoveryView(first.page, run.baseUrl).then((view) => view.email)).resolves.toEqual({
        status: 'none',
        addition: { address: theirs, effectiveAt: body.effectiveAt },
      });

      // A, the owner's first device: the row says what waits and until when, with "Änderung abbrechen".
      await first.page.goto(`${run.baseUrl}/profile`);
      const { section, row } = await emailRow(first.page, 'de', theirs);
      const date = profileTime(body.effectiveAt, 'de');
      const held = row.getByRole('group', { name: `Hinzugefügte Adresse, bestätigt ${theirs} ${w.waiting}` });
      await expect(text(held.locator('.recovery-held'))).resolves.toBe(`Wird am ${date} aktiv. Bis dahin dient sie nicht zur Wiederherstellung.`);
      await check(first.page, failures, 'de', 'addition-held', section);
      const notice = await messageTo(login, w.heldSubject);
      expect(notice.text).toContain(`${theirs} als Wiederherstellungs-E-Mail-Adresse hinzuzufügen`);

      const [cancelled] = await Promise.all([
        first.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/email/held' && r.request().method() === 'DELETE'),
        tabTo(first.page, w.cancelHeld, { row: w.row }),
      ]);
      expect(cancelled.status()).toBe(204);
      await expect(text(section.getByRole('status'))).resolves.toBe(w.heldCancelled);
      await expect(held.count()).resolves.toBe(0);
      await expect(recoveryView(first.page, run.baseUrl).then((view) => view.email)).resolves.toEqual({ status: 'none' });
      await check(first.page, failures, 'de', 'addition-cancelled', section);
      // The owner's repair sticks: the device that had added it is signed out.
      expect((await second.page.request.get(`${run.baseUrl}/api/v1/session`)).status()).toBe(401);

      expect(first.problems, 'the first browser').toEqual([]);
      expect(second.problems, 'the new device').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English on a desktop: the same removal from the first browser is immediate ("Not set up"), no hold, no cancel link', async () => {
      const w = WORDS.en;
      const login = 'ellis.grant@example.test';
      const address = 'ellis.backup@example.org';
      const failures: string[] = [];
      await createAccount(run.instance, login, { locale: 'en' });
      const { page, problems } = await run.openPage({ lang: 'en' });
      await signIn(page, run.baseUrl, login, { lang: 'en' });
      await withRecoveryEmail(page, address);
      await page.reload();
      await heading(page, w.profile).waitFor();
      const { section, row } = await emailRow(page, 'en', address);

      const answer = await removeByKeyboard(page, 'en');
      expect(answer.status).toBe(204);
      await expect(text(section.getByRole('status'))).resolves.toBe(w.removed);
      await row.getByText(w.notSetUp, { exact: true }).waitFor();
      await expect(text(row)).resolves.not.toContain(address);
      await expect(text(row)).resolves.not.toContain(w.heldStart);
      await expect(recoveryView(page, run.baseUrl)).resolves.toMatchObject({ email: { status: 'none' } });
      await check(page, failures, 'en', 'removed-at-once', section);

      // The login address hears of the removal, and of no hold.
      await messageTo(login, w.removedSubject);
      const mails = await mailsTo(run.baseUrl, login);
      expect(mails.some((mail) => mail.subject === w.heldSubject || mail.text.includes('/cancel-hold?token='))).toBe(false);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
