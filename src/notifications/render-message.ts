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
 * The profile's address as text to type, without a scheme ("id.example.com/profile"): a mail
 * names it where it has no button for the step, so the reader opens the page themselves
 * (docs/architecture.md "Messages: one answer each").
 */
export function profileAddress(publicUrl: string): string {
  return `${publicUrl.replace(/^https?:\/\//, '')}/profile`;
}

/**
 * Renders a catalogue entry into subject, plain text and HTML. Texts come from the i18n
 * catalogues (with the overrides of TEMPLATES_DIR) and are text, never markup: in HTML the
 * whole interpolated text is escaped, the catalogue's words as much as the params, so an
 * override cannot add markup either. The HTML has no scripts and no tracking; its one button
 * links to PUBLIC_URL. Branding adds the operator's logo (the one remote resource, the
 * same URL for every recipient), the accent colour and a footer with the help and legal links
 * checked at start (docs/operations.md "Branding").
 *
 * A mail gives one answer (docs/architecture.md "Messages: one answer each"): the account line
 * ("Konto: m***@example.com bei Lifeline"), the greeting, what happened, the code, then by the
 * entry's category the "if it was you" and "if not" lines of a notice or the "if you ignore it"
 * line of a code mail, and at most one button — the recipient's "Das war ich nicht" link when it
 * has one, else the entry's action.
 */
export function renderMessage(definition: MessageDefinition, params: MessageParams, context: RenderContext): RenderedMessage {
  const { translator, locale } = context;
  const values = { undoDays: UNDO_LINK_DAYS, profileAddress: profileAddress(context.publicUrl), ...params, appName: context.appName };
  const base = `${definition.channel === 'sms' ? 'sms' : 'mail'}.${definition.template}`;
  const say = (key: string) => translator.text(locale, key, values);
  const paragraphCount = translator.list(locale, `${base}.paragraphs`, values).length;
  // A paragraph that is only a param left empty (e.g. "{{removed}}" when nothing was removed) is left out.
  const paragraphs = Array.from({ length: paragraphCount }, (_, i) => say(`${base}.paragraphs.${i}`)).filter((paragraph) => paragraph.trim() !== '');

  const code = definition.codeParam ? requireParam(params, definition.codeParam, definition.template) : undefined;
  // "Das war ich nicht": a link of this recipient's own, only where the notifier found it safe.
  const undoToken = typeof params.undoToken === 'string' && params.undoToken !== '' ? params.undoToken : undefined;
  const secrets = [...definition.secretParams.map((name) => requireParam(params, name, definition.template)), ...(undoToken ? [undoToken] : [])];
  const subject = say(`${base}.subject`);

  if (definition.channel === 'sms') {
    // SMS: the paragraphs, then the code alone on its line; no greeting, no link. A code ends
    // with the origin-bound line of the WebOTP format (`@host #code`): the browser offers the
    // code to the page of this host only (autocomplete="one-time-code"), never to a phishing
    // site, and a person sees which site asked for it.
    const webOtp = code ? [`@${new URL(context.publicUrl).hostname} #${code}`] : [];
    const text = [...paragraphs, ...(code ? [code, '', ...webOtp] : [])].join('\n');
    return { subject, text, html: null, secrets };
  }

  // One button at most: the undo link takes the action's place (docs/architecture.md "Messages: one answer each").
  const button = undoToken
    ? { label: say('mail.actions.notMe'), url: linkTo(context.publicUrl, 'undo', locale, undoToken), colour: { color: '#a4262c', ink: '#ffffff' } }
    : definition.action
      ? {
          label: say(definition.action.labelKey),
          url: linkTo(
            context.publicUrl,
            definition.action.page,
            locale,
            definition.action.tokenParam === undefined ? undefined : requireParam(params, definition.action.tokenParam, definition.template),
          ),
          colour: undefined,
        }
      : undefined;
  // "Konto: m***@example.com bei Lifeline": which account, at which product (the notifier's `account` param).
  if (!definition.noAccount) requireParam(params, 'account', definition.template);
  const account = definition.noAccount ? undefined : say('mail.layout.account');
  // The lines that answer "what do I do now?", by category; the button comes after the last of them, except in a code mail.
  const answers =
    definition.category === 'notice'
      ? [say(`${base}.ifYou`), undoToken ? say('mail.layout.undoHint') : say(`${base}.ifNot`)]
      : definition.category === 'code'
        ? [say(`${base}.ignore`)]
        : [];
  const [beforeButton, afterButton] = definition.category === 'code' ? [[], answers] : [answers, []];

  const layout = 'mail.layout';
  const branding = context.branding;
  const accent = branding?.accent ?? DEFAULT_ACCENT;
  const footerLinks = MAIL_FOOTER_LINKS.flatMap((name) => {
    const url = branding?.links[name];
    return url === undefined ? [] : [{ label: say(`${layout}.${name}`), url }];
  });
  const text = [
    ...(account ? [account] : []),
    say(`${layout}.greeting`),
    ...paragraphs,
    ...(code ? [code] : []),
    ...beforeButton,
    ...(button ? [`${button.label}:\n${button.url}`] : []),
    ...afterButton,
    say(`${layout}.signature`),
    [`-- \n${say(`${layout}.footer`)}`, ...footerLinks.map((link) => `${link.label}: ${shownUrl(link.url)}`)].join('\n'),
  ].join('\n\n');

  // Everything from a catalogue, an override or a param is text: escaped as a whole.
  const paragraph = (inner: string) => `<p style="margin:0 0 16px 0;line-height:1.5">${inner}</p>`;
  const colour = button?.colour ?? accent;
  const document = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1d2433">',
    '<div style="max-width:560px;margin:0 auto;padding:24px 16px">',
    ...(branding?.logoUrl
      ? [
          `<p style="margin:0 0 16px 0"><img src="${escapeHtml(branding.logoUrl)}" alt="${escapeHtml(context.appName)}" height="40" style="display:block;height:40px;width:auto;max-width:240px;border:0"></p>`,
        ]
      : []),
    '<div style="background:#ffffff;border-radius:8px;padding:24px">',
    ...(account ? [`<p style="margin:0 0 16px 0;font-size:13px;color:#5b6478">${escapeHtml(account)}</p>`] : []),
    paragraph(escapeHtml(say(`${layout}.greeting`))),
    ...paragraphs.map((text) => paragraph(escapeHtml(text))),
    ...(code ? [`<p style="margin:0 0 16px 0;font-size:28px;letter-spacing:4px;font-weight:bold;font-family:Consolas,monospace">${escapeHtml(code)}</p>`] : []),
    ...beforeButton.map((text) => paragraph(escapeHtml(text))),
    ...(button
      ? [
          `<p style="margin:24px 0"><a href="${escapeHtml(button.url)}" style="background:${colour.color};color:${colour.ink};padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(button.label)}</a></p>`,
          paragraph(
            `${escapeHtml(say(`${layout}.linkHint`))}<br><a href="${escapeHtml(button.url)}" style="color:${accent.text};word-break:break-all">${escapeHtml(button.url)}</a>`,
          ),
        ]
      : []),
    ...afterButton.map((text) => paragraph(escapeHtml(text))),
    paragraph(escapeHtml(say(`${layout}.signature`))),
    '</div>',
    `<p style="font-size:12px;color:#5b6478;margin:16px 0 0 0">${escapeHtml(say(`${layout}.footer`))}</p>`,
    ...(footerLinks.length > 0
      ? [
          `<p style="font-size:12px;color:#5b6478;margin:8px 0 0 0">${footerLinks
            .map((link) => `<a href="${escapeHtml(link.url)}" style="color:#5b6478;text-decoration:underline">${escapeHtml(link.label)}</a>`)
            .join(' &middot; ')}</p>`,
        ]
      : []),
    '</div></body></html>',
  ].join('\n');

  return { subject, text, html: document, secrets };
}
