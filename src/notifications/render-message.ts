import type { BrandingConfig } from '../config/config.js';
import { escapeHtml } from '../core/html.js';
import type { Locale, Translator } from '../i18n/translator.js';
import type { MessageDefinition } from './catalogue.js';

export interface RenderContext {
  readonly translator: Translator;
  readonly locale: Locale;
  readonly appName: string;
  /** PUBLIC_URL without trailing slash: the only origin an action link may have (docs/reference/security-requirements.md 3.8). */
  readonly publicUrl: string;
  /** The host's logo, accent colour and footer links (docs/operations.md "Branding"); none: Lifeline's look. */
  readonly branding?: Pick<BrandingConfig, 'logoUrl' | 'accent' | 'links'>;
}

/** Lifeline's own button and link colour, when no BRAND_ACCENT_COLOR is set. */
const DEFAULT_ACCENT = { color: '#1f5fbf', ink: '#ffffff', text: '#1f5fbf' } as const;

/** The footer's links in a mail, in this order, each only when configured: help first, then the legal ones. */
const MAIL_FOOTER_LINKS = ['support', 'privacy', 'imprint'] as const;

/** A mailto: link shows its address; any other link itself. */
function shownUrl(url: string): string {
  if (!url.startsWith('mailto:')) return url;
  const address = url.slice('mailto:'.length);
  try {
    return decodeURIComponent(address);
  } catch {
    // A stray % (the start check let the address through): shown as written, never a failed mail.
    return address;
  }
}

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  /** The secret values inside text and html (codes, link tokens). */
  readonly secrets: readonly string[];
}

export type MessageParams = Readonly<Record<string, string | number>>;

/** Days a "Das war ich nicht" link lives unless the notice says otherwise (`undoDays`). */
export const UNDO_LINK_DAYS = 7;

/**
 * `${PUBLIC_URL}/<page>?token=<token>&lang=<locale>`, or `${PUBLIC_URL}/<page>?lang=<locale>`
 * without a token: the contract's link shape (docs/reference/contracts.md "Links and codes in
 * messages"). `lang` is the mail's language, so the page it opens speaks it too (ui/src/i18n.tsx).
 */
export function linkTo(publicUrl: string, page: string, locale: Locale, token?: string): string {
  return token === undefined ? `${publicUrl}/${page}?lang=${locale}` : `${publicUrl}/${page}?token=${encodeURIComponent(token)}&lang=${locale}`;
}

function requireParam(params: MessageParams, name: string, template: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw new Error(`message ${template} needs the param ${name}`);
  return String(value);
}

/**
 * Renders a catalogue entry into subject, plain text and HTML. Texts come from the i18n
 * catalogues (with the overrides of TEMPLATES_DIR) and are text, never markup: in HTML the
 * whole interpolated text is escaped, the catalogue's words as much as the params, so an
 * override cannot add markup either. The HTML has no scripts and no tracking; its action links
 * are built from PUBLIC_URL. Branding adds the operator's logo (the one remote resource, the
 * same URL for every recipient), the accent colour and a footer with the help and legal links
 * checked at start (docs/operations.md "Branding").
 */
export function renderMessage(definition: MessageDefinition, params: MessageParams, context: RenderContext): RenderedMessage {
  const { translator, locale } = context;
  const values = { undoDays: UNDO_LINK_DAYS, ...params, appName: context.appName };
  const base = `${definition.channel === 'sms' ? 'sms' : 'mail'}.${definition.template}`;
  const paragraphCount = translator.list(locale, `${base}.paragraphs`, values).length;
  // A paragraph that is only a param left empty (e.g. "{{removed}}" when nothing was removed) is left out.
  const paragraphKeys = Array.from({ length: paragraphCount }, (_, i) => `${base}.paragraphs.${i}`).filter(
    (key) => translator.text(locale, key, values).trim() !== '',
  );

  const code = definition.codeParam ? requireParam(params, definition.codeParam, definition.template) : undefined;
  const action = definition.action
    ? {
        label: translator.text(locale, definition.action.labelKey, values),
        url: linkTo(
          context.publicUrl,
          definition.action.page,
          locale,
          definition.action.tokenParam === undefined ? undefined : requireParam(params, definition.action.tokenParam, definition.template),
        ),
      }
    : undefined;
  // "Das war ich nicht": a link of this recipient's own, only where the notifier found it safe.
  const undoToken = typeof params.undoToken === 'string' && params.undoToken !== '' ? params.undoToken : undefined;
  const undo = undoToken
    ? {
        label: translator.text(locale, 'mail.actions.notMe', values),
        url: linkTo(context.publicUrl, 'undo', locale, undoToken),
        hint: translator.text(locale, 'mail.layout.undoHint', values),
      }
    : undefined;
  const secrets = [...definition.secretParams.map((name) => requireParam(params, name, definition.template)), ...(undoToken ? [undoToken] : [])];

  if (definition.channel === 'sms') {
    // SMS: the paragraphs, then the code alone on its line; no greeting, no link. A code ends
    // with the origin-bound line of the WebOTP format (`@host #code`): the browser offers the
    // code to the page of this host only (autocomplete="one-time-code"), never to a phishing
    // site, and a person sees which site asked for it.
    const webOtp = code ? [`@${new URL(context.publicUrl).hostname} #${code}`] : [];
    const text = [...paragraphKeys.map((key) => translator.text(locale, key, values)), ...(code ? [code, '', ...webOtp] : [])].join('\n');
    return { subject: translator.text(locale, `${base}.subject`, values), text, html: null, secrets };
  }

  const layout = 'mail.layout';
  const branding = context.branding;
  const accent = branding?.accent ?? DEFAULT_ACCENT;
  const footerLinks = MAIL_FOOTER_LINKS.flatMap((name) => {
    const url = branding?.links[name];
    return url === undefined ? [] : [{ label: translator.text(locale, `${layout}.${name}`, values), url }];
  });
  const text = [
    translator.text(locale, `${layout}.greeting`, values),
    ...paragraphKeys.map((key) => translator.text(locale, key, values)),
    ...(code ? [code] : []),
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...(undo ? [`${undo.hint}\n${undo.label}:\n${undo.url}`] : []),
    translator.text(locale, `${layout}.signature`, values),
    [`-- \n${translator.text(locale, `${layout}.footer`, values)}`, ...footerLinks.map((link) => `${link.label}: ${shownUrl(link.url)}`)].join('\n'),
  ].join('\n\n');

  // Everything from a catalogue, an override or a param is text: escaped as a whole.
  const html = (key: string) => escapeHtml(translator.text(locale, key, values));

  const paragraph = (inner: string) => `<p style="margin:0 0 16px 0;line-height:1.5">${inner}</p>`;
  const document = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(translator.text(locale, `${base}.subject`, values))}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1d2433">',
    '<div style="max-width:560px;margin:0 auto;padding:24px 16px">',
    ...(branding?.logoUrl
      ? [
          `<p style="margin:0 0 16px 0"><img src="${escapeHtml(branding.logoUrl)}" alt="${escapeHtml(context.appName)}" height="40" style="display:block;height:40px;width:auto;max-width:240px;border:0"></p>`,
        ]
      : []),
    '<div style="background:#ffffff;border-radius:8px;padding:24px">',
    paragraph(html(`${layout}.greeting`)),
    ...paragraphKeys.map((key) => paragraph(html(key))),
    ...(code ? [`<p style="margin:0 0 16px 0;font-size:28px;letter-spacing:4px;font-weight:bold;font-family:Consolas,monospace">${escapeHtml(code)}</p>`] : []),
    ...(action
      ? [
          `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:${accent.color};color:${accent.ink};padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(action.label)}</a></p>`,
          paragraph(
            `${html(`${layout}.linkHint`)}<br><a href="${escapeHtml(action.url)}" style="color:${accent.text};word-break:break-all">${escapeHtml(action.url)}</a>`,
          ),
        ]
      : []),
    ...(undo
      ? [
          paragraph(escapeHtml(undo.hint)),
          `<p style="margin:0 0 24px 0"><a href="${escapeHtml(undo.url)}" style="background:#a4262c;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(undo.label)}</a></p>`,
        ]
      : []),
    paragraph(html(`${layout}.signature`)),
    '</div>',
    `<p style="font-size:12px;color:#5b6478;margin:16px 0 0 0">${html(`${layout}.footer`)}</p>`,
    ...(footerLinks.length > 0
      ? [
          `<p style="font-size:12px;color:#5b6478;margin:8px 0 0 0">${footerLinks
            .map((link) => `<a href="${escapeHtml(link.url)}" style="color:#5b6478;text-decoration:underline">${escapeHtml(link.label)}</a>`)
            .join(' &middot; ')}</p>`,
        ]
      : []),
    '</div></body></html>',
  ].join('\n');

  return { subject: translator.text(locale, `${base}.subject`, values), text, html: document, secrets };
}
