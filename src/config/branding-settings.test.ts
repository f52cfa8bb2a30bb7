import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { BRAND_SETTINGS, configProblems } from '../../test/helpers/test-config.js';

/** Branding settings (docs/operations.md "Branding"): what passes, and what stops the start named. */
const KEY = Buffer.alloc(32, 1).toString('base64');
const PRODUCTION = {
  NODE_ENV: 'production',
  SECRET_KEY: KEY,
  METRICS_TOKEN: 'x'.repeat(16),
  SMTP_URL: 'smtps://mail.example.com',
  PUBLIC_URL: 'https://id.example.com',
};

describe('parseConfig: branding', () => {
  it('case=nothing set: no logo, no accent, no links, no template directory', () => {
    const config = parseConfig({ SECRET_KEY: KEY });
    expect(config.branding).toEqual({
      logoUrl: undefined,
      accent: undefined,
      links: { support: undefined, privacy: undefined, terms: undefined, imprint: undefined },
    });
    expect(config.mail.templatesDir).toBeUndefined();
  });

  it('case=every setting, as a host sets them; empty values mean "not set"', () => {
    const config = parseConfig({
      ...PRODUCTION,
      ...BRAND_SETTINGS,
      // Spaces around a value are the host's typing, not part of it.
      BRAND_TERMS_URL: ' https://www.example.com/agb ',
      TEMPLATES_DIR: '/etc/lifeline/templates',
    });
    expect(config.branding).toEqual({
      logoUrl: 'https://cdn.example.com/brand/logo.svg',
      accent: { color: '#0b6e4f', ink: '#ffffff', text: '#0b6e4f' },
      links: {
        support: 'mailto:hilfe@example.com',
        privacy: 'https://www.example.com/datenschutz',
        terms: 'https://www.example.com/agb',
        imprint: 'https://www.example.com/impressum',
      },
    });
    expect(config.mail.templatesDir).toBe('/etc/lifeline/templates');
    expect(parseConfig({ SECRET_KEY: KEY, BRAND_LOGO_URL: '', BRAND_ACCENT_COLOR: '' }).branding.logoUrl).toBeUndefined();
  });

  it('case=a logo path is taken on PUBLIC_URL (with its path) and may not climb out of it', () => {
    expect(parseConfig({ SECRET_KEY: KEY, PUBLIC_URL: 'https://id.example.com', BRAND_LOGO_URL: '/brand/logo.png?v=2' }).branding.logoUrl).toBe(
      'https://id.example.com/brand/logo.png?v=2',
    );
    expect(parseConfig({ SECRET_KEY: KEY, PUBLIC_URL: 'https://example.com/id', BRAND_LOGO_URL: '/logo.svg' }).branding.logoUrl).toBe(
      'https://example.com/id/logo.svg',
    );
    expect(configProblems({ SECRET_KEY: KEY, PUBLIC_URL: 'https://example.com/id', BRAND_LOGO_URL: '/../other/logo.svg' })).toEqual([
      'BRAND_LOGO_URL: the path must stay under PUBLIC_URL (got "/../other/logo.svg")',
    ]);
  });

  it.each([['red'], ['#fff'], ['0b6e4f'], ['#0b6e4g'], ['#0b6e4f80'], ['rgb(0,0,0)'], ['#0b6e4f;background:url(https://evil.example/x)']])(
    'case=BRAND_ACCENT_COLOR %j is not #rrggbb: the start stops, naming it',
    (value) => {
      expect(configProblems({ SECRET_KEY: KEY, BRAND_ACCENT_COLOR: value })).toEqual([
        `BRAND_ACCENT_COLOR: must be a colour as #rrggbb, e.g. #0b6e4f (got ${JSON.stringify(value)})`,
      ]);
    },
  );

  it.each([
    ['BRAND_PRIVACY_URL', 'javascript:alert(1)'],
    ['BRAND_PRIVACY_URL', 'JavaScript:alert(document.cookie)'],
    ['BRAND_IMPRINT_URL', 'data:text/html,<script>alert(1)</script>'],
    ['BRAND_TERMS_URL', 'vbscript:msgbox(1)'],
    ['BRAND_TERMS_URL', 'ftp://files.example.com/agb.pdf'],
    ['BRAND_TERMS_URL', '//evil.example/agb'],
    ['BRAND_TERMS_URL', '/agb'],
    ['BRAND_IMPRINT_URL', 'www.example.com/impressum'],
    ['BRAND_IMPRINT_URL', 'https://www.example.com/"><script>alert(1)</script>'],
    ['BRAND_IMPRINT_URL', 'https://www.example.com/impressum onmouseover=alert(1)'],
    ['BRAND_IMPRINT_URL', 'https://www.example.com@evil.example/impressum'],
    ['BRAND_IMPRINT_URL', 'https://user:pass@www.example.com/impressum'],
    ['BRAND_SUPPORT_URL', 'javascript:alert(1)'],
    ['BRAND_SUPPORT_URL', 'mailto:'],
    ['BRAND_SUPPORT_URL', 'mailto:not-an-address'],
    ['BRAND_SUPPORT_URL', 'mailto:hilfe@example.com?bcc=everyone@example.com'],
    ['BRAND_SUPPORT_URL', 'tel:+4930123456'],
    ['BRAND_PRIVACY_URL', 'mailto:datenschutz@example.com'],
    ['BRAND_LOGO_URL', 'javascript:alert(1)'],
    ['BRAND_LOGO_URL', 'data:image/svg+xml,<svg onload=alert(1)>'],
    ['BRAND_LOGO_URL', '//cdn.example.com/logo.svg'],
    ['BRAND_LOGO_URL', 'logo.svg'],
    ['BRAND_LOGO_URL', 'mailto:logo@example.com'],
  ])('case=%s=%j is refused: the start stops, naming the variable', (name, value) => {
    const problems = configProblems({ SECRET_KEY: KEY, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: must be `));
  });

  it('case=in production every branding URL must be https (the logo would be blocked, a link would leave TLS)', () => {
    const problems = configProblems({
      ...PRODUCTION,
      BRAND_LOGO_URL: 'http://cdn.example.com/logo.svg',
      BRAND_SUPPORT_URL: 'http://help.example.com',
      BRAND_IMPRINT_URL: 'https://www.example.com/impressum',
    });
    expect(problems).toEqual([
      'BRAND_LOGO_URL: must be https:// in production (got "http://cdn.example.com/logo.svg")',
      'BRAND_SUPPORT_URL: must be https:// in production (got "http://help.example.com")',
    ]);
    // mailto: is no web page: allowed in production too.
    expect(parseConfig({ ...PRODUCTION, BRAND_SUPPORT_URL: 'mailto:hilfe@example.com' }).branding.links.support).toBe('mailto:hilfe@example.com');
    // Outside production a local logo server may be plain http.
    expect(parseConfig({ SECRET_KEY: KEY, BRAND_LOGO_URL: 'http://127.0.0.1:8080/logo.svg' }).branding.logoUrl).toBe('http://127.0.0.1:8080/logo.svg');
  });

  it('case=APP_NAME heads every mail subject: a line break or control character in it stops the start', () => {
    expect(configProblems({ SECRET_KEY: KEY, APP_NAME: 'Acme\r\nBcc: x@example.com' })[0]).toMatch(
      /^APP_NAME: must not contain line breaks or control characters/,
    );
    // Markup is allowed as text: every page and mail escapes it.
    expect(parseConfig({ SECRET_KEY: KEY, APP_NAME: '<b>Acme</b> & Co' }).appName).toBe('<b>Acme</b> & Co');
  });
});
