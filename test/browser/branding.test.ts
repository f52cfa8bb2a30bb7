import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { accentPalette } from '../../src/core/accent-colour.js';
import { freePort, launchChromium, screenshot, seriousAxeViolations, type TestBrowser } from '../helpers/browser.js';
import { NO_API_RATE_LIMIT, startInstance, type Instance } from '../helpers/browser-instance.js';
import { focusInfo, heading, newPage, scrollWidth, text } from '../helpers/browser-page.js';

/**
 * Branding in the web UI (docs/operations.md "Branding"): a host's logo from another origin in
 * the header (alt text: the product name), its accent colour on the primary button with text
 * that reads on it, a darker shade of it for links and the focus outline, and the footer's help
 * and legal links, on the sign-in page of a phone (390 × 844), German and English, under the
 * real Content-Security-Policy (the logo's origin in img-src; any violation would be reported).
 * Screenshots: test-results/screenshots/branding-login-<lang>-390.png.
 */
const chromiumPath = inject('chromiumPath');

// Run in Chromium by page.evaluate(); the project compiles without the DOM library.
interface StyledElement {
  readonly naturalWidth?: number;
  readonly complete?: boolean;
}
declare function getComputedStyle(element: StyledElement): { readonly backgroundColor: string; readonly color: string; readonly outlineColor: string };

const PHONE_390 = { width: 390, height: 844 } as const;
const ACCENT = '#e85d04';
const palette = accentPalette(ACCENT);
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

/** A wordmark as a host would serve it from its own CDN. */
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40" viewBox="0 0 180 40"><rect width="40" height="40" rx="8" fill="${ACCENT}"/><path d="M11 29 20 10l9 19h-5l-4-9-4 9z" fill="#fff"/><text x="50" y="28" font-family="Arial, sans-serif" font-size="22" font-weight="700" fill="#1b2230">Acme Cloud</text></svg>`;

if (chromiumPath) {
  describe('browser: branding', () => {
    let instance: Instance;
    let chrome: TestBrowser;
    let logoServer: Server;
    let logoOrigin: string;
    let logoRequests = 0;

    beforeAll(async () => {
      const port = await freePort();
      logoOrigin = `http://127.0.0.1:${port}`;
      logoServer = createServer((request, response) => {
        logoRequests += 1;
        if (request.url !== '/brand/logo.svg') return void response.writeHead(404).end();
        response.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' }).end(LOGO_SVG);
      });
      await new Promise<void>((resolve) => logoServer.listen(port, '127.0.0.1', resolve));
      [instance, chrome] = await Promise.all([
        startInstance('lifeline-branding-', {
          ...NO_API_RATE_LIMIT,
          APP_NAME: 'Acme Cloud',
          BRAND_LOGO_URL: `${logoOrigin}/brand/logo.svg`,
          BRAND_ACCENT_COLOR: ACCENT,
          BRAND_SUPPORT_URL: 'mailto:hilfe@acme.example',
          BRAND_PRIVACY_URL: 'https://www.acme.example/datenschutz',
          BRAND_TERMS_URL: 'https://www.acme.example/agb',
          BRAND_IMPRINT_URL: 'https://www.acme.example/impressum',
        }),
        launchChromium(chromiumPath),
      ]);
    });

    afterAll(async () => {
      await chrome?.close();
      await instance?.close();
      await new Promise((resolve) => logoServer?.close(resolve));
    });

    for (const lang of ['de', 'en'] as const) {
      it(`the sign-in page on a phone (${lang}): logo, accent colour, readable links and focus, footer links`, async () => {
        const words =
          lang === 'de'
            ? {
                title: 'Anmelden',
                submit: 'Anmelden',
                forgot: 'Passwort vergessen?',
                footer: 'Hilfe und rechtliche Hinweise',
                links: ['Hilfe & Support', 'Datenschutz', 'Nutzungsbedingungen', 'Impressum'],
              }
            : {
                title: 'Sign in',
                submit: 'Sign in',
                forgot: 'Forgot password?',
                footer: 'Help and legal information',
                links: ['Help & support', 'Privacy', 'Terms of use', 'Legal notice'],
              };
        const { page, problems } = await newPage(chrome, { lang, viewport: PHONE_390, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
        await page.goto(`${instance.baseUrl}/login`);
        await heading(page, words.title).waitFor();

        // The logo, from the host's origin, loaded (the policy let it through), named by the product name.
        const logo = page.getByRole('banner').getByRole('img', { name: 'Acme Cloud', exact: true });
        await logo.waitFor();
        await expect(logo.getAttribute('src')).resolves.toBe(`${logoOrigin}/brand/logo.svg`);
        await expect.poll(() => logo.evaluate((img: StyledElement) => (img.complete ? img.naturalWidth : 0))).toBeGreaterThan(0);
        await expect(page.getByRole('banner').getByRole('link', { name: 'Acme Cloud', exact: true }).getAttribute('href')).resolves.toBe('/');
        expect(logoRequests).toBeGreaterThan(0);

        // The footer: each configured link, labelled in the page's language, in this order.
        const footer = page.getByRole('contentinfo').getByRole('navigation', { name: words.footer });
        const links = footer.getByRole('link');
        await expect(links.allTextContents()).resolves.toEqual(words.links);
        const hrefs = await Promise.all((await links.all()).map((link) => link.getAttribute('href')));
        expect(hrefs).toEqual([
          'mailto:hilfe@acme.example',
          'https://www.acme.example/datenschutz',
          'https://www.acme.example/agb',
          'https://www.acme.example/impressum',
        ]);

        // The accent: the primary button's fill as configured, black text on this orange (white
        // would be 3.2:1); links and the focus outline in the darker shade that reads.
        const submit = page.getByRole('main').getByRole('button', { name: words.submit, exact: true });
        const buttonStyle = await submit.evaluate((element: StyledElement) => ({
          background: getComputedStyle(element).backgroundColor,
          color: getComputedStyle(element).color,
        }));
        expect(buttonStyle).toEqual({ background: rgb(palette.color), color: rgb(palette.ink) });
        expect(palette.ink).toBe('#000000');
        const forgot = page.getByRole('main').getByRole('link', { name: words.forgot, exact: true });
        await expect(forgot.evaluate((element: StyledElement) => getComputedStyle(element).color)).resolves.toBe(rgb(palette.text));
        await page.getByLabel(lang === 'de' ? 'Passwort' : 'Password', { exact: true }).focus();
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(focusInfo);
        expect(focused?.focusVisible).toBe(true);
        await expect(
          page.evaluate(() => getComputedStyle((globalThis as unknown as { document: { activeElement: StyledElement } }).document.activeElement).outlineColor),
        ).resolves.toBe(rgb(palette.text));
        // The screenshot without a focus ring: a click on the heading takes the focus away.
        await heading(page, words.title).click();

        expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE_390.width);
        expect(await seriousAxeViolations(page)).toEqual([]);
        await expect(text(page.getByRole('banner'))).resolves.not.toContain('Lifeline');
        await screenshot(page, `branding-login-${lang}-390`);
        expect(problems).toEqual([]);
      });
    }

    it('without branding the header shows the name and there is no footer (the policy stays as it was)', async () => {
      const plain = await startInstance('lifeline-branding-plain-', NO_API_RATE_LIMIT);
      try {
        const { page, problems } = await newPage(chrome, { viewport: PHONE_390, isMobile: true, hasTouch: true });
        const response = await page.goto(`${plain.baseUrl}/login`);
        expect(response?.headers()['content-security-policy']).toContain("img-src 'self' data:;");
        await heading(page, 'Anmelden').waitFor();
        await expect(text(page.getByRole('banner').getByRole('link').first())).resolves.toBe('Lifeline');
        await expect(page.getByRole('contentinfo').count()).resolves.toBe(0);
        expect(problems).toEqual([]);
      } finally {
        await plain.close();
      }
    });
  });
}
