import { escapeHtml } from '../core/html.js';
import type { Locale, Translator } from '../i18n/translator.js';
import type { MessageDefinition } from './catalogue.js';

export interface RenderContext {
  readonly translator: Translator;
  readonly locale: Locale;
  readonly appName: string;
  /** PUBLIC_URL without trailing slash: the only origin a link may have (SECURITY.md 3.8). */
  readonly publicUrl: string;
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

/** `${PUBLIC_URL}/<page>?token=<token>`: the contract's link shape. */
export function linkTo(publicUrl: string, page: string, token: string): string {
  return `${publicUrl}/${page}?token=${encodeURIComponent(token)}`;
}

function requireParam(params: MessageParams, name: string, template: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw new Error(`message ${template} needs the param ${name}`);
  return String(value);
}

/**
 * Renders a catalogue entry into subject, plain text and HTML. Texts come from the i18n
 * catalogues; params are escaped in HTML and left alone in text. The HTML has no images,
 * no remote resources and no tracking; its one link is the action's, built from PUBLIC_URL.
 */
export function renderMessage(definition: MessageDefinition, params: MessageParams, context: RenderContext): RenderedMessage {
  const { translator, locale } = context;
  const values = { undoDays: UNDO_LINK_DAYS, ...params, appName: context.appName };
  const base = `${definition.channel === 'sms' ? 'sms' : 'mail'}.${definition.template}`;
  const paragraphCount = translator.list(locale, `${base}.paragraphs`, values).length;
  // A paragraph that is only a param left empty (e.g. "{{removed}}" when nothing was removed) is left out.
  const paragraphKeys = Array.from({ length: paragraphCount }, (_, i) => `${base}.paragraphs.${i}`).filter((key) => translator.text(locale, key, values).trim() !== '');

  const code = definition.codeParam ? requireParam(params, definition.codeParam, definition.template) : undefined;
  const action = definition.action
    ? {
        label: translator.text(locale, definition.action.labelKey, values),
        url:
          definition.action.tokenParam === undefined
            ? `${context.publicUrl}/${definition.action.page}`
            : linkTo(context.publicUrl, definition.action.page, requireParam(params, definition.action.tokenParam, definition.template)),
      }
    : undefined;
  // "Das war ich nicht": a link of this recipient's own, only where the notifier found it safe.
  const undoToken = typeof params.undoToken === 'string' && params.undoToken !== '' ? params.undoToken : undefined;
  const undo = undoToken ? { label: translator.text(locale, 'mail.actions.notMe', values), url: linkTo(context.publicUrl, 'undo', undoToken), hint: translator.text(locale, 'mail.layout.undoHint', values) } : undefined;
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
  const text = [
    translator.text(locale, `${layout}.greeting`, values),
    ...paragraphKeys.map((key) => translator.text(locale, key, values)),
    ...(code ? [code] : []),
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...(undo ? [`${undo.hint}\n${undo.label}:\n${undo.url}`] : []),
    translator.text(locale, `${layout}.signature`, values),
    `-- \n${translator.text(locale, `${layout}.footer`, values)}`,
  ].join('\n\n');

  const paragraph = (inner: string) => `<p style="margin:0 0 16px 0;line-height:1.5">${inner}</p>`;
  const html = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(translator.text(locale, `${base}.subject`, values))}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1d2433">',
    '<div style="max-width:560px;margin:0 auto;padding:24px 16px">',
    '<div style="background:#ffffff;border-radius:8px;padding:24px">',
    paragraph(translator.html(locale, `${layout}.greeting`, values)),
    ...paragraphKeys.map((key) => paragraph(translator.html(locale, key, values))),
    ...(code
      ? [`<p style="margin:0 0 16px 0;font-size:28px;letter-spacing:4px;font-weight:bold;font-family:Consolas,monospace">${escapeHtml(code)}</p>`]
      : []),
    ...(action
      ? [
          `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#1f5fbf;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(action.label)}</a></p>`,
          paragraph(`${translator.html(locale, `${layout}.linkHint`, values)}<br><a href="${escapeHtml(action.url)}" style="color:#1f5fbf;word-break:break-all">${escapeHtml(action.url)}</a>`),
        ]
      : []),
    ...(undo
      ? [
          paragraph(escapeHtml(undo.hint)),
          `<p style="margin:0 0 24px 0"><a href="${escapeHtml(undo.url)}" style="background:#a4262c;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(undo.label)}</a></p>`,
        ]
      : []),
    paragraph(translator.html(locale, `${layout}.signature`, values)),
    '</div>',
    `<p style="font-size:12px;color:#5b6478;margin:16px 0 0 0">${translator.html(locale, `${layout}.footer`, values)}</p>`,
    '</div></body></html>',
  ].join('\n');

  return { subject: translator.text(locale, `${base}.subject`, values), text, html, secrets };
}
