import { describe, expect, it } from 'vitest';
import { accentPalette } from '../core/accent-colour.js';
import { createTranslator, locales } from '../i18n/translator.js';
import { messageCatalogue, type MessageDefinition } from './catalogue.js';
import { renderMessage, type RenderContext } from './render-message.js';

/** Every mail with the host's branding (docs/operations.md "Branding"): logo, accent colour, footer links. */
const translator = createTranslator();
const branding: NonNullable<RenderContext['branding']> = {
  logoUrl: 'https://cdn.example.com/brand/logo.svg?v=2&size=l',
  accent: accentPalette('#ffd400'),
  links: {
    support: 'mailto:hilfe@example.com',
    privacy: 'https://www.example.com/datenschutz',
    terms: 'https://www.example.com/agb',
    imprint: 'https://www.example.com/impressum',
  },
};
const context = (locale: 'de' | 'en', extra: Partial<RenderContext> = {}): RenderContext => ({
  translator,
  locale,
  appName: 'Acme',
  publicUrl: 'https://id.example.com',
  branding,
  ...extra,
});

describe('renderMessage with branding', () => {
  for (const [kind, definition] of Object.entries(messageCatalogue) as [string, MessageDefinition][]) {
    if (definition.channel !== 'email') continue;
    it(`case=${kind}: logo, accent and footer in HTML; footer links in text`, () => {
      for (const locale of locales) {
        const rendered = renderMessage(definition, { ...definition.exampleParams, ...(definition.undo ? { undoToken: 'Undo1234' } : {}) }, context(locale));
        const html = rendered.html ?? '';
        expect(html).toContain('<img src="https://cdn.example.com/brand/logo.svg?v=2&amp;size=l" alt="Acme" height="40"');
        expect(html).toContain(
          `href="mailto:hilfe@example.com" style="color:#5b6478;text-decoration:underline">${locale === 'de' ? 'Hilfe &amp; Support' : 'Help &amp; support'}</a>`,
        );
        expect(html).toContain('href="https://www.example.com/impressum"');
        expect(html).toContain('href="https://www.example.com/datenschutz"');
        // Terms of use are for the pages; a notice names help, privacy and the imprint.
        expect(html).not.toContain('/agb');
        // The one button: "Das war ich nicht" (red) where the recipient has the link, else the action in the accent colour.
        if (definition.undo) expect(html).toContain('background:#a4262c;color:#ffffff');
        else if (definition.action) expect(html).toContain('background:#ffd400;color:#000000');
        expect(rendered.text).toContain(
          locale === 'de'
            ? 'Hilfe & Support: hilfe@example.com\nDatenschutz: https://www.example.com/datenschutz\nImpressum: https://www.example.com/impressum'
            : 'Legal notice: https://www.example.com/impressum',
        );
        // Still exactly one image and no script; action links still only to PUBLIC_URL.
        expect(html.match(/<img/g)).toHaveLength(1);
        expect(html).not.toMatch(/<script|<link|@import|url\(/i);
      }
    });
  }

  it("case=without branding a mail has no image and no footer links (Lifeline's look)", () => {
    const definition = messageCatalogue['account.signup-confirmation'];
    const rendered = renderMessage(definition, definition.exampleParams, context('de', { branding: undefined }));
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).toContain('background:#1f5fbf;color:#ffffff');
    expect(rendered.text).not.toContain('Impressum');
  });

  it('case=only what is configured: a support link alone', () => {
    const definition = messageCatalogue['operator.test-mail'];
    const rendered = renderMessage(
      definition,
      {},
      context('en', {
        branding: {
          logoUrl: undefined,
          accent: undefined,
          links: { support: 'https://help.example.com/', privacy: undefined, terms: undefined, imprint: undefined },
        },
      }),
    );
    expect(rendered.text.endsWith('This message was sent automatically by Acme.\nHelp & support: https://help.example.com/')).toBe(true);
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).not.toContain('&middot;');
  });

  it('case=a hostile product name and link values are escaped in HTML (defence in depth behind the start check)', () => {
    const definition = messageCatalogue['operator.test-mail'];
    const rendered = renderMessage(
      definition,
      {},
      context('de', {
        appName: '"><script>alert(1)</script>',
        branding: {
          ...branding,
          logoUrl: 'https://cdn.example.com/"onerror="alert(1)',
          links: { ...branding.links, imprint: 'https://www.example.com/"><b>x' },
        },
      }),
    );
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).not.toContain('"onerror=');
    expect(rendered.html).not.toContain('<b>x');
    expect(rendered.html).toContain('alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });
});
