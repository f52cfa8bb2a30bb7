import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, GOOD_PASSWORD, lastMailTo, uniqueEmail } from '../helpers/api-client.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { BRAND_SETTINGS } from '../helpers/test-config.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Branding (docs/operations.md "Branding"): the host's name, logo, accent colour and links on
 * the pages, in GET /api/v1/meta and in the mails, with the German texts of TEMPLATES_DIR laid
 * over the built-in ones; the logo's origin in img-src and nowhere else; markup in the product
 * name stays text everywhere.
 */
const BRANDING = { APP_NAME: 'Acme <Konto>', ...BRAND_SETTINGS };

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: branding`, () => {
    let t: TestApp;
    let plain: TestApp;
    let templates: string;
    beforeAll(async () => {
      templates = mkdtempSync(join(tmpdir(), 'lifeline-branding-'));
      writeFileSync(
        join(templates, 'de.json'),
        JSON.stringify({
          mail: {
            'signup-confirmation': {
              subject: 'Willkommen bei {{appName}}: noch ein Klick',
              paragraphs: ['schön, dass Sie da sind! Bestätigen Sie Ihre Adresse mit der Schaltfläche unten; der Link gilt 24 Stunden.'],
            },
            layout: { signature: 'Ihr Kundenservice von {{appName}}' },
          },
        }),
      );
      [t, plain] = await Promise.all([createTestApp(dialect, { env: { ...BRANDING, TEMPLATES_DIR: templates } }), createTestApp(dialect)]);
    });
    afterAll(async () => {
      await Promise.all([t?.close(), plain?.close()]);
      rmSync(templates, { recursive: true, force: true });
    });

    it('a German sign-up mail carries the override text, the logo, the accent colour and the footer links', async () => {
      const email = uniqueEmail('brand');
      expect((await apiClient(t.app).post('/api/v1/signup', { email, password: GOOD_PASSWORD, locale: 'de' })).status).toBe(202);
      const mail = await lastMailTo(t, email);
      expect(mail?.subject).toBe('Willkommen bei Acme <Konto>: noch ein Klick');
      expect(mail?.text).toContain('schön, dass Sie da sind!');
      expect(mail?.text).toContain('Ihr Kundenservice von Acme <Konto>');
      expect(mail?.text).toContain(
        'Hilfe & Support: hilfe@example.com\nDatenschutz: https://www.example.com/datenschutz\nImpressum: https://www.example.com/impressum',
      );
      const html = mail?.html ?? '';
      expect(html).toContain('<img src="https://cdn.example.com/brand/logo.svg" alt="Acme &lt;Konto&gt;" height="40"');
      expect(html).toContain('style="background:#0b6e4f;color:#ffffff;');
      expect(html).toContain('Ihr Kundenservice von Acme &lt;Konto&gt;');
      expect(html).toContain('<a href="https://www.example.com/impressum" style="color:#5b6478;text-decoration:underline">Impressum</a>');
      expect(html).toContain('<a href="mailto:hilfe@example.com" style="color:#5b6478;text-decoration:underline">Hilfe &amp; Support</a>');
      expect(html).not.toContain('<Konto>');
      // The action link is still the only link to PUBLIC_URL, and still carries the token.
      expect(html).toMatch(/href="http:\/\/127\.0\.0\.1:3000\/confirm-email\?token=[^"]+"/);
    });

    it('an English mail keeps the built-in text (there is no en.json), with the same branding', async () => {
      const email = uniqueEmail('brand-en');
      expect((await apiClient(t.app).post('/api/v1/signup', { email, password: GOOD_PASSWORD, locale: 'en' })).status).toBe(202);
      const mail = await lastMailTo(t, email);
      expect(mail?.subject).toBe('Acme <Konto>: Please confirm your email address');
      expect(mail?.text).toContain('Help & support: hilfe@example.com');
      expect(mail?.text).toContain('Legal notice: https://www.example.com/impressum');
      expect(mail?.html).toContain('alt="Acme &lt;Konto&gt;"');
    });

    it('GET /api/v1/meta tells the UI the branding; without it every field is null', async () => {
      const meta = await apiClient(t.app).get('/api/v1/meta');
      expect(meta.status).toBe(200);
      expect(meta.body.name).toBe('Acme <Konto>');
      expect(meta.body.branding).toEqual({
        logoUrl: 'https://cdn.example.com/brand/logo.svg',
        accentColor: '#0b6e4f',
        supportUrl: 'mailto:hilfe@example.com',
        privacyUrl: 'https://www.example.com/datenschutz',
        termsUrl: 'https://www.example.com/agb',
        imprintUrl: 'https://www.example.com/impressum',
      });
      expect((await apiClient(plain.app).get('/api/v1/meta')).body.branding).toEqual({
        logoUrl: null,
        accentColor: null,
        supportUrl: null,
        privacyUrl: null,
        termsUrl: null,
        imprintUrl: null,
      });
    });

    it('/static/brand.css carries the accent (a darker shade for text where needed), revalidated by ETag', async () => {
      const css = await t.app.inject({ method: 'GET', url: '/static/brand.css' });
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.body).toBe('html:root { --accent: #0b6e4f; --accent-fill: #0b6e4f; --accent-ink: #ffffff; }\n');
      const again = await t.app.inject({ method: 'GET', url: '/static/brand.css', headers: { 'if-none-match': String(css.headers.etag) } });
      expect(again.statusCode).toBe(304);
      const none = await plain.app.inject({ method: 'GET', url: '/static/brand.css' });
      expect(none.statusCode).toBe(200);
      expect(none.body).not.toContain('--accent');
    });

    it("the logo's origin is allowed in img-src, and nothing else of the policy changes", async () => {
      const branded = String((await t.app.inject({ method: 'GET', url: '/api/v1/meta' })).headers['content-security-policy']);
      const unbranded = String((await plain.app.inject({ method: 'GET', url: '/api/v1/meta' })).headers['content-security-policy']);
      expect(branded).toContain("img-src 'self' data: https://cdn.example.com;");
      expect(unbranded).toContain("img-src 'self' data:;");
      expect(branded.replace(' https://cdn.example.com', '')).toBe(unbranded);
    });

    it("the provider's pages show the logo (alt: the name, escaped), the footer links and the brand's stylesheet", async () => {
      const page = await apiClient(t.app).get(
        '/oidc/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fevil.example%2Fcb',
        { accept: 'text/html' },
      );
      expect(page.status).toBe(400);
      expect(page.text).toContain('<p class="oidc-brand"><img class="brand-logo" src="https://cdn.example.com/brand/logo.svg" alt="Acme &lt;Konto&gt;"></p>');
      expect(page.text).toContain('<link rel="stylesheet" href="/static/brand.css">');
      expect(page.text).toMatch(
        /<footer class="site-footer"><nav aria-label="Hilfe und rechtliche Hinweise"><ul><li><a href="mailto:hilfe@example.com">Hilfe &amp; Support<\/a><\/li><li><a href="https:\/\/www.example.com\/datenschutz">Datenschutz<\/a><\/li><li><a href="https:\/\/www.example.com\/agb">Nutzungsbedingungen<\/a><\/li><li><a href="https:\/\/www.example.com\/impressum">Impressum<\/a><\/li><\/ul><\/nav><\/footer>/,
      );
      expect(page.text).not.toContain('<Konto>');
      const unbranded = await apiClient(plain.app).get(
        '/oidc/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fevil.example%2Fcb',
        { accept: 'text/html' },
      );
      expect(unbranded.text).toContain('<p class="oidc-brand">Lifeline</p>');
      expect(unbranded.text).not.toContain('site-footer');
    });
  });
}
