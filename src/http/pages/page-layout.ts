import type { BrandingConfig } from '../../config/config.js';
import type { AccentPalette } from '../../core/accent-colour.js';
import { escapeHtml } from '../../core/html.js';
import type { Locale, Translator } from '../../i18n/translator.js';

export const PAGES_STYLESHEET_PATH = '/static/pages.css';

/**
 * The accent colour of BRAND_ACCENT_COLOR as CSS custom properties, for the web UI and the
 * server's pages alike (docs/operations.md "Branding"): a file of its own, since the
 * Content-Security-Policy allows no inline styles. `html:root` outranks the `:root` of the
 * bundled stylesheets whichever loads last. The values come from the checked #rrggbb.
 */
export const BRAND_STYLESHEET_PATH = '/static/brand.css';

export function brandStylesheet(accent: AccentPalette | undefined): string {
  if (!accent) return '/* No BRAND_ACCENT_COLOR: the built-in colours. */\n';
  return `html:root { --accent: ${accent.text}; --accent-fill: ${accent.color}; --accent-ink: ${accent.ink}; }\n`;
}

/** The footer's links in the order the pages show them, each only when configured. */
export const FOOTER_LINKS = ['support', 'privacy', 'terms', 'imprint'] as const;

/**
 * The footer of a server page: help and legal links (BRAND_*_URL, checked at start), labelled
 * as in the web UI; nothing when none is configured.
 */
export function renderBrandFooter(translator: Translator, locale: Locale, links: BrandingConfig['links'] | undefined): string {
  const items = FOOTER_LINKS.flatMap((name) => {
    const url = links?.[name];
    return url === undefined ? [] : [`<li><a href="${escapeHtml(url)}">${escapeHtml(translator.text(locale, `ui.footer.${name}`))}</a></li>`];
  });
  if (items.length === 0) return '';
  return `<footer class="site-footer"><nav aria-label="${escapeHtml(translator.text(locale, 'ui.footer.label'))}"><ul>${items.join('')}</ul></nav></footer>`;
}

/**
 * The stylesheet of the server-rendered pages (start page, development mailbox). Served as a
 * file, since the Content-Security-Policy allows no inline styles.
 */
export const pagesStylesheet = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6478; --line: #d9dde5; --accent: #1f5fbf; --bg: #f4f5f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 960px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 8px; }
h2 { font-size: 1.1rem; margin: 0 0 4px; overflow-wrap: anywhere; }
p { margin: 0 0 12px; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.muted { color: var(--muted); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 0 0 16px; }
.card > :last-child { margin-bottom: 0; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 0.9rem; color: var(--muted); margin: 0 0 8px; }
.badge { display: inline-block; font-size: 0.8rem; border: 1px solid var(--line); border-radius: 999px; padding: 0 8px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f8f9fb; border: 1px solid var(--line); border-radius: 6px; padding: 12px; margin: 0 0 8px; font: 0.9rem/1.45 ui-monospace, Consolas, monospace; }
ul.links { padding-left: 20px; }
main:has(> h1 + .card form) { max-width: 480px; }
label { display: block; font-weight: 600; margin: 0 0 4px; }
input[type=password], input[type=email], input[type=text] { width: 100%; font: inherit; padding: 10px 12px; border: 1px solid #8a93a6; border-radius: 6px; margin: 0 0 12px; }
input:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
button { font: inherit; padding: 10px 16px; min-height: 44px; border-radius: 6px; border: 1px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
button.primary { background: var(--accent-fill, var(--accent)); border-color: var(--accent-fill, var(--accent)); color: var(--accent-ink, #fff); }
.error { color: #a3141c; font-weight: 600; }
code { font: 0.9rem ui-monospace, Consolas, monospace; overflow-wrap: anywhere; }
/* The provider's pages (consent, password, error, logout): one narrow card as on the web UI, under the service's name. */
main:has(> .oidc-card) { max-width: 492px; }
.oidc-brand { font-weight: 700; font-size: 1.15rem; margin: 0 0 16px; }
.oidc-card { padding: 20px; }
.oidc-card h1 { line-height: 1.25; margin: 0 0 16px; overflow-wrap: anywhere; }
.oidc-card form > :last-child { margin-bottom: 0; }
.oidc-card p { overflow-wrap: anywhere; }
ul.scopes { padding-left: 20px; margin: 0 0 16px; }
ul.scopes li + li { margin-top: 6px; }
.oidc-card button { font-weight: 600; }
/* Links as tap targets of at least 24 px (WCAG 2.5.8). */
.oidc-card a { display: inline-block; padding: 3px 0; min-height: 24px; }
input[aria-invalid=true] { border-color: #a3141c; box-shadow: 0 0 0 1px #a3141c; }
.field-error { color: #a3141c; font-weight: 600; margin: -6px 0 12px; }
/* Branding (docs/operations.md "Branding"): the host's logo instead of the name, its help and legal links under the card. */
.brand-logo { display: block; height: 40px; width: auto; max-width: min(240px, 100%); }
.site-footer ul { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; margin: 8px 0 0; padding: 0; font-size: 0.9rem; }
.site-footer a { display: inline-block; padding: 3px 0; min-height: 24px; color: var(--muted); }
`;

/** A complete HTML page around `body` (which the caller has escaped). */
export function renderPage(options: { locale: Locale; title: string; body: string }): string {
  return [
    '<!doctype html>',
    `<html lang="${options.locale}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    // No favicon exists: an empty data: icon keeps browsers from asking for /favicon.ico (a 404
    // in every console). img-src allows data:.
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="${PAGES_STYLESHEET_PATH}">`,
    `<link rel="stylesheet" href="${BRAND_STYLESHEET_PATH}">`,
    '</head>',
    `<body><main>${options.body}</main></body>`,
    '</html>',
  ].join('\n');
}
