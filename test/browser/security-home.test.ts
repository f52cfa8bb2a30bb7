import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { screenshot, seriousAxeViolations, waitFor } from '../helpers/browser.js';
import { createAccount, mailbox, NO_API_RATE_LIMIT, ownerApi, PASSWORD, tokenLink, type Lang } from '../helpers/browser-instance.js';
import {
  focusInfo,
  heading,
  openProfilePage,
  PROFILE_PAGES,
  profileTime,
  recoveryRow,
  recoveryView,
  signIn,
  text,
  type ProfilePageName,
} from '../helpers/browser-page.js';
import { useBrowserRun } from '../helpers/browser-run.js';
import { apiClient } from '../helpers/api-client.js';

/**
 * The profile as a security home (docs/ui.md "The profile") in a real Chromium: the overview
 * "Sicherheit auf einen Blick" with no, one and both recovery channels, German and English, at
 * 390×844 and 1280×900 (screenshots in test-results/screenshots/security-home-<state>-<lang>-<width>.png):
 * at most 2,000 px tall on the phone, "Kontowiederherstellung" within the first screen, the
 * warning while the account cannot be recovered, axe-core clean; each of the four pages reached
 * from the overview by keyboard within 8 Tab presses (skip link and header first), its own
 * heading (with the focus), title and way back, back and forward, deep links; removing the
 * recovery email asks first (one click removes nothing, Escape keeps it); a removal held for
 * 72 hours says when, on the page and on the overview; the times name the account's zone.
 * The same as /work/shared/acceptance/14-ux.mjs measures, and more.
 */
const chromiumPath = inject('chromiumPath');

const PHONE_390 = { width: 390, height: 844 } as const;
const WIDE = { width: 1280, height: 900 } as const;

const WORDS = {
  de: {
    recoveryCard: 'Kontowiederherstellung',
    banner: 'Ihr Konto kann noch nicht wiederhergestellt werden: Es ist keine Wiederherstellungsoption eingerichtet.',
    setUp: 'Jetzt einrichten',
    none: 'Nicht eingerichtet',
    one: '1 von 2 eingerichtet',
    both: 'Eingerichtet',
    removal: 'Wird entfernt',
    back: `← ${PROFILE_PAGES.overview.de}`,
    row: 'E-Mail-Adresse',
    section: 'Ihre Wiederherstellungsoptionen',
    manage: 'Verwalten',
    remove: 'Entfernen',
    question: (address: string) =>
      `Möchten Sie die Adresse ${address} wirklich entfernen? Sie können Ihr Konto dann nicht mehr über diese Adresse wiederherstellen. Aus Sicherheitsgründen kann das Entfernen bis zu 72 Stunden dauern, wenn Sie auf einem neuen Gerät angemeldet sind.`,
    keep: 'Nein, behalten',
    confirm: 'Ja, entfernen',
    removed: 'Die Adresse zur Kontowiederherstellung wurde entfernt.',
    heldNote: (date: string) => `Wird am ${date} entfernt. Bis dahin bleibt sie aktiv.`,
    heldMessage: (date: string) => `Die Adresse wird am ${date} entfernt. Bis dahin bleibt sie aktiv, und Sie können das Entfernen abbrechen.`,
    heldFact: (date: string) => `E-Mail-Adresse wird am ${date} entfernt`,
    zone: /\d{2}:\d{2} (MEZ|MESZ)/,
  },
  en: {
    recoveryCard: 'Account recovery',
    banner: 'Your account can’t be recovered yet: no recovery option is set up.',
    setUp: 'Set up now',
    none: 'Not set up',
    one: '1 of 2 set up',
    both: 'Set up',
    removal: 'Being removed',
    back: `← ${PROFILE_PAGES.overview.en}`,
    zone: /\d{2}:\d{2} (CET|CEST)/,
  },
} as const;

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: the profile as a security home', () => {
    const run = useBrowserRun(chromiumPath, 'lifeline-home-ui-', NO_API_RATE_LIMIT);
    let accounts = 0;

    /** A fresh account in `lang`, signed in on a fresh page (the account's first device). */
    async function signedIn(lang: Lang, prefix: string) {
      accounts += 1;
      const email = `${prefix}${accounts}@example.test`;
      await createAccount(run.instance, email, { locale: lang });
      const opened = await run.openPage({ lang });
      await signIn(opened.page, run.baseUrl, email, { lang });
      return { ...opened, email };
    }

    /** A confirmed recovery email, set up by the owner over the API on the first device (not held). */
    async function addRecoveryEmail(email: string, address: string): Promise<void> {
      const owner = await ownerApi(run.instance, email);
      expect((await owner.put('/api/v1/recovery/email', { address })).status).toBe(202);
      const token = new URL(await tokenLink(run.baseUrl, address)).searchParams.get('token');
      expect((await apiClient(run.instance.server.app).post('/api/v1/recovery/email/confirm', { token })).status).toBe(200);
    }

    /** A confirmed recovery phone, set up by the owner over the API with the code of its SMS. */
    async function addRecoveryPhone(email: string): Promise<void> {
      const digits = String(1_000_000 + accounts * 7919).slice(0, 7);
      const owner = await ownerApi(run.instance, email);
      expect((await owner.put('/api/v1/recovery/phone', { number: `0171 ${digits}` })).status).toBe(202);
      const sms = await waitFor(
        async () => (await mailbox(run.baseUrl)).find((m) => m.channel === 'sms' && m.to === `+49171${digits}` && /^\d{6}$/m.test(m.text)),
        'the setup code',
      );
      expect((await owner.post('/api/v1/recovery/phone/confirm', { code: /^(\d{6})$/m.exec(sms.text)?.[1] })).status).toBe(200);
    }

    /**
     * The overview in one state, as 14-ux.mjs measures it and more: at 390×844 at most 2,000 px
     * tall with the recovery card's heading in the first screen and nothing sticking out; axe
     * clean; screenshots of the full page at 390×844 and 1280×900; back at 1280×900 after.
     */
    async function checkOverview(page: Page, failures: string[], lang: Lang, state: string): Promise<void> {
      for (const v of await seriousAxeViolations(page)) failures.push(`${state} ${lang}: axe ${v.id} (${v.help})`);
      for (const size of [PHONE_390, WIDE]) {
        await page.setViewportSize(size);
        const name = `security-home-${state}-${lang}-${size.width}`;
        const { height, width } = await page.evaluate<{ height: number; width: number }>(
          '({ height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth })',
        );
        if (width > size.width) failures.push(`${name}: scrollWidth ${width}`);
        if (size === PHONE_390) {
          if (height > 2000) failures.push(`${name}: ${height} px tall`);
          const top = (await page.getByRole('heading', { name: WORDS[lang].recoveryCard, exact: true }).boundingBox())?.y ?? Infinity;
          if (top > size.height) failures.push(`${name}: "${WORDS[lang].recoveryCard}" at ${top} px`);
        }
        await screenshot(page, name);
      }
      await page.setViewportSize(WIDE);
    }

    /** The overview's recovery card (a region named by its heading), once its state has loaded. */
    async function recoveryCard(page: Page, lang: Lang, state: string) {
      const card = page.getByRole('region', { name: WORDS[lang].recoveryCard, exact: true });
      await card.getByText(state, { exact: true }).waitFor();
      return card;
    }

    for (const lang of ['de', 'en'] as const) {
      it(`${lang === 'de' ? 'German' : 'English'}: the overview with no channel (the warning first), one, both; short, first screen, axe clean`, async () => {
        const w = WORDS[lang];
        const failures: string[] = [];
        const { page, problems, email } = await signedIn(lang, `home-${lang}-`);
        await page.setViewportSize(WIDE);

        // No channel: the card says so first, in icon and words, and the page's text starts with it.
        const card = await recoveryCard(page, lang, w.none);
        await expect(text(card)).resolves.toContain(w.banner);
        await expect(card.getByRole('link', { name: w.setUp, exact: true }).getAttribute('href')).resolves.toBe('/profile/recovery');
        await expect(card.locator('svg[aria-hidden="true"]').count()).resolves.toBeGreaterThan(0);
        const body = await page.locator('body').innerText();
        expect(body.slice(0, 1500)).toMatch(lang === 'de' ? /nicht wiederhergestellt|nicht eingerichtet/ : /can’t be recovered|not set up/);
        // The cards in their order.
        const cards = await page.getByRole('main').getByRole('heading', { level: 2 }).allTextContents();
        expect(cards).toEqual([PROFILE_PAGES.recovery[lang], PROFILE_PAGES.signIn[lang], PROFILE_PAGES.activity[lang], PROFILE_PAGES.settings[lang]]);
        await expect.poll(() => page.title()).toBe(`${PROFILE_PAGES.overview[lang]} – Lifeline`);
        await checkOverview(page, failures, lang, 'none');

        // One channel: "1 von 2 eingerichtet", no warning.
        await addRecoveryEmail(email, `home-backup-${lang}-${accounts}@example.org`);
        await page.reload();
        const one = await recoveryCard(page, lang, w.one);
        await expect(text(one)).resolves.not.toContain(w.banner);
        await checkOverview(page, failures, lang, 'one');

        // Both: "Eingerichtet".
        await addRecoveryPhone(email);
        await page.reload();
        await recoveryCard(page, lang, w.both);
        // The devices card names the last sign-in in the account's zone, named.
        const devices = page.getByRole('region', { name: PROFILE_PAGES.activity[lang], exact: true });
        await expect(text(devices)).resolves.toMatch(w.zone);
        await checkOverview(page, failures, lang, 'both');

        expect(problems).toEqual([]);
        expect(failures).toEqual([]);
      });
    }

    it('each page is reached from the overview by keyboard within 8 Tab presses; its heading has the focus; back, forward and deep links work', async () => {
      const { page, problems } = await signedIn('de', 'home-keys-');
      const pages: ProfilePageName[] = ['recovery', 'signIn', 'activity', 'settings'];
      for (const which of pages) {
        const target = PROFILE_PAGES[which];
        await page.goto(`${run.baseUrl}/profile`);
        await heading(page, PROFILE_PAGES.overview.de).waitFor();
        await recoveryCard(page, 'de', WORDS.de.none);
        let presses = 0;
        for (; presses < 8; presses++) {
          await page.keyboard.press('Tab');
          if ((await page.evaluate('document.activeElement?.getAttribute("href")')) === target.path) break;
        }
        expect(presses, `${target.path} within 8 Tab presses`).toBeLessThan(8);
        await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'a', focusVisible: true });
        await page.keyboard.press('Enter');
        await heading(page, target.de).waitFor();
        expect(new URL(page.url()).pathname).toBe(target.path);
        // The focus is on the new page's heading; the title names the page; the way back is above it.
        await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: target.de });
        // The title follows the page a render later (page-title.ts): poll it.
        await expect.poll(() => page.title()).toBe(`${target.de} – Lifeline`);
        const back = page.getByRole('main').getByRole('link').first();
        await expect(text(back)).resolves.toBe(WORDS.de.back);
        await expect(back.getAttribute('href')).resolves.toBe('/profile');
        await screenshot(page, `security-home-page-${which}-de-1280`);

        // The browser's back and forward.
        await page.goBack();
        await heading(page, PROFILE_PAGES.overview.de).waitFor();
        await page.goForward();
        await heading(page, target.de).waitFor();
        await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: target.de });
        // From the heading, Shift+Tab reaches the way back.
        await page.keyboard.press('Shift+Tab');
        await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'a', name: WORDS.de.back, focusVisible: true });

        // A deep link: the server answers with the app (200), which shows the page.
        const response = await page.goto(`${run.baseUrl}${target.path}`);
        expect(response?.status()).toBe(200);
        await heading(page, target.de).waitFor();
        await expect(page.getByRole('heading', { level: 1 }).count()).resolves.toBe(1);
      }
      expect(problems).toEqual([]);
    });

    it('a deep link to a page while signed out: the sign-in, then that page; any other "next" leads to the overview', async () => {
      accounts += 1;
      const email = `home-next-${accounts}@example.test`;
      await createAccount(run.instance, email, { locale: 'de' });
      const { page, problems } = await run.openPage({ lang: 'de' });
      const signInHere = async () => {
        await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
        await page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
        await page.getByRole('main').getByRole('button', { name: 'Anmelden', exact: true }).click();
      };
      await page.goto(`${run.baseUrl}${PROFILE_PAGES.activity.path}`);
      await page.waitForURL('**/login?next=%2Fprofile%2Factivity');
      await signInHere();
      await page.waitForURL(`**${PROFILE_PAGES.activity.path}`);
      await heading(page, PROFILE_PAGES.activity.de).waitFor();
      // Signed out again, a forged next (another site, another path) is never followed.
      for (const next of ['https://attacker.example/profile/activity', '//attacker.example', '/profile/activity/../../logout', '/undo']) {
        await page.context().clearCookies();
        await page.goto(`${run.baseUrl}/login?next=${encodeURIComponent(next)}`);
        await signInHere();
        await page.waitForURL('**/profile');
        await heading(page, PROFILE_PAGES.overview.de).waitFor();
      }
      expect(problems).toEqual([]);
    });

    it('the sign-in page keeps the password form closed behind "Passwort ändern"; opening it puts the focus in it, "Abbrechen" gives it back', async () => {
      const { page, problems } = await signedIn('de', 'home-password-');
      await openProfilePage(page, 'signIn');
      const section = page.getByRole('region', { name: 'Passwort', exact: true });
      await expect(section.getByLabel('Aktuelles Passwort', { exact: true }).count()).resolves.toBe(0);
      await section.getByRole('button', { name: 'Passwort ändern', exact: true }).click();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: 'Aktuelles Passwort' });
      await screenshot(page, 'security-home-password-open-de-1280');
      await section.getByRole('button', { name: 'Abbrechen', exact: true }).click();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: 'Passwort ändern' });
      await expect(section.getByLabel('Aktuelles Passwort', { exact: true }).count()).resolves.toBe(0);
      expect(problems).toEqual([]);
    });

    it('removing the recovery email asks first: one click removes nothing, Escape and "Nein, behalten" keep it, "Ja, entfernen" removes it', async () => {
      const w = WORDS.de;
      const failures: string[] = [];
      const { page, problems, email } = await signedIn('de', 'home-remove-');
      const address = `home-remove-backup-${accounts}@example.org`;
      await addRecoveryEmail(email, address);
      const { section, row } = await recoveryRow(page, { title: PROFILE_PAGES.recovery.de, section: w.section, row: w.row }, address);
      await row.getByRole('button', { name: w.manage, exact: true }).click();
      const remove = row.getByRole('button', { name: w.remove, exact: true });
      await remove.click();

      // The question, with the focus on it; nothing removed.
      const question = row.getByRole('group', { name: w.question(address), exact: true });
      await question.waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'p', name: w.question(address) });
      await expect(recoveryView(page, run.baseUrl)).resolves.toMatchObject({ email: { status: 'active', address } });
      for (const v of await seriousAxeViolations(page)) failures.push(`question: axe ${v.id} (${v.help})`);
      for (const size of [PHONE_390, WIDE]) {
        await page.setViewportSize(size);
        await screenshot(page, `security-home-remove-question-de-${size.width}`, { fullPage: false });
      }

      // Escape closes it; the focus is back on "Entfernen"; still there.
      await page.keyboard.press('Escape');
      await question.waitFor({ state: 'detached' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.remove });
      // "Nein, behalten" too.
      await page.keyboard.press('Enter');
      await question.getByRole('button', { name: w.keep, exact: true }).click();
      await question.waitFor({ state: 'detached' });
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.remove });
      await expect(recoveryView(page, run.baseUrl)).resolves.toMatchObject({ email: { status: 'active', address } });

      // "Ja, entfernen": removed at once (the owner's first device).
      await remove.click();
      const [answer] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/email' && r.request().method() === 'DELETE'),
        question.getByRole('button', { name: w.confirm, exact: true }).click(),
      ]);
      expect(answer.status()).toBe(204);
      await expect(text(section.getByRole('status'))).resolves.toBe(w.removed);
      await row.getByText(WORDS.de.none, { exact: true }).waitFor();
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('a removal held for 72 hours (a new device) says "Wird entfernt" and when, on the page and on the overview; the sessions name the zone', async () => {
      const w = WORDS.de;
      const failures: string[] = [];
      const first = await signedIn('de', 'home-held-');
      const address = `home-held-backup-${accounts}@example.org`;
      await addRecoveryEmail(first.email, address);
      // A second browser: a device the account has never seen.
      const { page, problems } = await run.openPage({ lang: 'de' });
      await signIn(page, run.baseUrl, first.email, { newDevice: true });
      const { section, row } = await recoveryRow(page, { title: PROFILE_PAGES.recovery.de, section: w.section, row: w.row }, address);
      await row.getByRole('button', { name: w.manage, exact: true }).click();
      await row.getByRole('button', { name: w.remove, exact: true }).click();
      const [answer] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/recovery/email' && r.request().method() === 'DELETE'),
        row.getByRole('button', { name: w.confirm, exact: true }).click(),
      ]);
      expect(answer.status()).toBe(202);
      const date = profileTime(((await answer.json()) as { effectiveAt: string }).effectiveAt, 'de');
      // The message: when, and that the address works until then; not a green success.
      const message = section.getByRole('status');
      await expect(text(message)).resolves.toBe(w.heldMessage(date));
      await expect(message.getAttribute('class')).resolves.toContain('alert-info');
      // The row: "Wird entfernt" instead of "Aktiv", and the date.
      const entry = row.locator('.recovery-entry-warning');
      await expect(text(entry.locator('.state'))).resolves.toBe(w.removal);
      await expect(text(entry)).resolves.not.toContain('Aktiv');
      await expect(text(entry.locator('.recovery-held'))).resolves.toBe(w.heldNote(date));
      await checkRegion(page, failures, 'held-removal-page');

      // The overview says the same.
      await openProfilePage(page, 'overview');
      const card = await recoveryCard(page, 'de', w.removal);
      await expect(text(card)).resolves.toContain(w.heldFact(date));
      await checkOverview(page, failures, 'de', 'held-removal');

      // The sessions: the account's zone, named, as in the security log.
      await openProfilePage(page, 'activity');
      const sessions = page.getByRole('region', { name: 'Aktive Sitzungen' });
      await sessions.getByRole('listitem').first().waitFor();
      await expect(text(sessions.getByRole('listitem').first())).resolves.toMatch(w.zone);

      expect(first.problems).toEqual([]);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('an unreachable recovery email (not sent by the API yet: the answer is changed in the browser) says so, with "Ändern" as the way out', async () => {
      const failures: string[] = [];
      const { page, problems, email } = await signedIn('de', 'home-unreachable-');
      const address = `home-bounced-${accounts}@example.org`;
      await addRecoveryEmail(email, address);
      // What recovery readiness will send (docs/ui.md "States"): the same view with `unreachable: true`.
      await page.route('**/api/v1/recovery', async (route) => {
        const response = await route.fetch();
        const view = (await response.json()) as { email: Record<string, unknown> };
        await route.fulfill({ response, json: { ...view, email: { ...view.email, unreachable: true } } });
      });
      await page.reload();
      const card = await recoveryCard(page, 'de', 'Nicht erreichbar');
      await expect(text(card)).resolves.toContain('E-Mail-Adresse nicht erreichbar');
      const { row } = await recoveryRow(page, { title: PROFILE_PAGES.recovery.de, section: WORDS.de.section, row: WORDS.de.row }, address);
      const entry = row.locator('.recovery-entry-danger');
      await expect(text(entry.locator('.state'))).resolves.toBe('Nicht erreichbar');
      await expect(text(entry.locator('.recovery-problem'))).resolves.toBe(
        'Nachrichten an diese Adresse kommen nicht an. Ändern Sie die Adresse, damit wir Sie erreichen können.',
      );
      await row.getByRole('button', { name: WORDS.de.manage, exact: true }).click();
      await row.getByRole('button', { name: 'Ändern', exact: true }).waitFor();
      await checkRegion(page, failures, 'unreachable-page');
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    /** Axe and screenshots of a page of the profile (the full page) at both sizes. */
    async function checkRegion(page: Page, failures: string[], state: string): Promise<void> {
      for (const v of await seriousAxeViolations(page)) failures.push(`${state}: axe ${v.id} (${v.help})`);
      for (const size of [PHONE_390, WIDE]) {
        await page.setViewportSize(size);
        await screenshot(page, `security-home-${state}-de-${size.width}`);
      }
      await page.setViewportSize(WIDE);
    }
  });
}
