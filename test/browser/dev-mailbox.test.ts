import type { BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DevMailboxRow } from '../../src/db/tables.js';
import { queueTestMail } from '../../src/notifications/test-mail.js';
import { launchChromium, screenshot, type TestBrowser, waitFor } from '../helpers/browser.js';
import { startInstance, type Instance } from '../helpers/browser-instance.js';
import { newPage, PHONE, PHONE_DEVICE, scrollWidth } from '../helpers/browser-page.js';

/**
 * The development mailbox and the start page in a real Chromium against a real server on a
 * loopback port: a mail queued through the outbox, delivered by the in-process worker, listed
 * in German and English, its HTML view rendered; no console errors or CSP violations, no
 * horizontal scrolling on a phone, the stylesheet applied, a visible keyboard focus.
 * Screenshots land in test-results/screenshots/.
 */
const chromiumPath = inject('chromiumPath');

// The callbacks given to page.evaluate() below run in Chromium. The project compiles without the
// DOM library (server code must not see `document`), so this module names the few members they
// use (what the other browser tests share is declared in test/helpers/browser-page.ts).
interface DomElement {
  matches(selector: string): boolean;
}
interface DomStyle {
  readonly margin: string;
  readonly fontFamily: string;
  readonly backgroundColor: string;
  readonly outlineStyle: string;
  readonly outlineWidth: string;
  readonly outlineColor: string;
}
declare const document: {
  readonly body: DomElement;
  readonly activeElement: DomElement | null;
  querySelector(selector: string): DomElement | null;
};
declare function getComputedStyle(element: DomElement): DomStyle;

const RECIPIENT = 'ada.lovelace@example.test';

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: development mailbox and start page', () => {
    let instance: Instance;
    let baseUrl: string;
    let chrome: TestBrowser;
    let mail: DevMailboxRow;

    /** A fresh page in its own context (own cookies, own language, own viewport). */
    const openPage = (options: BrowserContextOptions = {}) => newPage(chrome, options);

    beforeAll(async () => {
      instance = await startInstance('lifeline-browser-');
      baseUrl = instance.baseUrl;
      const { database, notifier, devMailbox } = instance.server.services;
      const outboxId = await queueTestMail({ database, notifier }, { to: RECIPIENT, locale: 'de' });
      if (!devMailbox) throw new Error('the development mailbox must be on in the embedded default');
      mail = await waitFor(async () => (await devMailbox.list()).find((row) => row.outbox_id === outboxId), 'the worker to deliver the test mail');
      chrome = await launchChromium(chromiumPath);
    });

    afterAll(async () => {
      await chrome?.close();
      await instance?.close();
    });

    it('lists the delivered mail in German by default, with subject and recipient', async () => {
      expect(mail.subject).toContain('Test-E-Mail');
      // A language the service does not speak falls back to German.
      const { page, problems } = await openPage({ locale: 'fr-FR' });
      const response = await page.goto(`${baseUrl}/dev/mailbox`);
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      await expect(page.locator('h1').textContent()).resolves.toBe('Entwicklungs-Postfach');
      const card = page.locator('article.card').filter({ hasText: mail.subject });
      await expect(card.count()).resolves.toBe(1);
      await expect(card.locator('h2').textContent()).resolves.toBe(mail.subject);
      await expect(card.locator('.meta').textContent()).resolves.toContain(`An: ${RECIPIENT}`);
      await expect(card.locator('pre').textContent()).resolves.toContain('Test-E-Mail');
      await screenshot(page, 'dev-mailbox-de-desktop');
      expect(problems).toEqual([]);
    });

    it('speaks English to an en-GB browser', async () => {
      const { page, problems } = await openPage({ locale: 'en-GB' });
      await page.goto(`${baseUrl}/dev/mailbox`);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await expect(page.locator('h1').textContent()).resolves.toBe('Development mailbox');
      const card = page.locator('article.card').filter({ hasText: mail.subject });
      await expect(card.locator('.meta').textContent()).resolves.toContain(`To: ${RECIPIENT}`);
      await expect(card.getByRole('link', { name: 'Open HTML view' }).count()).resolves.toBe(1);
      await screenshot(page, 'dev-mailbox-en-desktop');
      expect(problems).toEqual([]);
    });

    it('opens the HTML view of the mail, which renders with its own styles', async () => {
      const { page, problems } = await openPage();
      await page.goto(`${baseUrl}/dev/mailbox`);
      const card = page.locator('article.card').filter({ hasText: mail.subject });
      await Promise.all([page.waitForURL(`**/dev/mailbox/messages/${mail.id}/html`), card.getByRole('link', { name: 'HTML-Ansicht öffnen' }).click()]);
      await expect(page.title()).resolves.toBe(mail.subject);
      await expect(page.locator('body').innerText()).resolves.toContain('Test-E-Mail');
      // The inline styles of the mail apply (the sandbox CSP allows them), nothing else loads.
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(244, 245, 247)');
      await screenshot(page, 'dev-mailbox-html-view-desktop');
      expect(problems).toEqual([]);
    });

    it('fits a phone: no horizontal scrolling on the mailbox, the HTML view and the start page', async () => {
      const { page, problems } = await openPage(PHONE_DEVICE);
      // The HTML view first, opened directly: a fresh page with nothing cached.
      await page.goto(`${baseUrl}/dev/mailbox/messages/${mail.id}/html`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'dev-mailbox-html-view-phone');

      await page.goto(`${baseUrl}/dev/mailbox`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'dev-mailbox-de-phone');

      await page.goto(`${baseUrl}/`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'start-page-phone');
      expect(problems).toEqual([]);
    });

    it('the mailbox page loads its stylesheet', async () => {
      const { page, problems } = await openPage();
      const stylesheet = page.waitForResponse((r) => r.url() === `${baseUrl}/static/pages.css`);
      await page.goto(`${baseUrl}/dev/mailbox`);
      const css = await stylesheet;
      expect(css.status()).toBe(200);
      expect(css.headers()['content-type']).toContain('text/css');
      // The browser default is an 8px body margin and a serif font; the stylesheet changes both.
      const body = await page.evaluate(() => {
        const style = getComputedStyle(document.body);
        return { margin: style.margin, fontFamily: style.fontFamily };
      });
      expect(body.margin).toBe('0px');
      expect(body.fontFamily).toContain('system-ui');
      await screenshot(page, 'dev-mailbox-styled');
      expect(problems).toEqual([]);
    });

    it('Tab reaches the first link and shows a visible focus outline', async () => {
      // The web UI's pages have their own keyboard tests (test/browser/web-ui.test.ts).
      for (const path of ['/dev/mailbox']) {
        const { page, problems } = await openPage();
        await page.goto(`${baseUrl}${path}`);
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const element = document.activeElement;
          const first = document.querySelector('a');
          if (element === null) return null;
          const style = getComputedStyle(element);
          return {
            isFirstLink: element === first,
            focusVisible: element.matches(':focus-visible'),
            outlineStyle: style.outlineStyle,
            outlineWidth: Number.parseFloat(style.outlineWidth),
            outlineColor: style.outlineColor,
          };
        });
        expect(focused, path).toMatchObject({ isFirstLink: true, focusVisible: true });
        expect(focused?.outlineStyle, path).not.toBe('none');
        expect(focused?.outlineWidth, path).toBeGreaterThanOrEqual(2);
        await screenshot(page, `focus${path === '/' ? '-start-page' : path.replaceAll('/', '-')}`);
        expect(problems, path).toEqual([]);
      }
    });
  });
}
