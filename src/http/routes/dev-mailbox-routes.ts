import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LifelineError } from '../../core/errors.js';
import { escapeHtml } from '../../core/html.js';
import type { DevMailboxRow } from '../../db/tables.js';
import type { DevMailbox } from '../../delivery/channels/dev-mailbox-channel.js';
import type { Translator } from '../../i18n/translator.js';
import { isLoopback } from '../../security/client-address.js';
import { renderPage } from '../pages/page-layout.js';

export interface DevMailboxRoutesDeps {
  readonly devMailbox: DevMailbox;
  readonly translator: Translator;
  readonly appName: string;
  readonly publicUrl: string;
}

/** The JSON shape of the contract: `{id, channel, to, subject, text, html, createdAt}`. */
function toJson(row: DevMailboxRow) {
  return {
    id: row.id,
    channel: row.channel,
    to: row.recipient,
    subject: row.subject,
    text: row.text,
    html: row.html,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const forwardingHeaders = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];
const loopbackHost = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/**
 * Only this machine may read the mailbox. The socket peer and the client address (which
 * differs when TRUST_PROXY names a proxy) must be loopback, the request must not have come
 * through a proxy (a reverse proxy or tunnel on the same machine connects from loopback, so
 * the peer alone proves nothing), and it must be addressed to a loopback host name. Anyone
 * else gets the same 404 as for a path that does not exist.
 */
function assertLoopback(request: FastifyRequest): void {
  const local =
    isLoopback(request.socket.remoteAddress) &&
    isLoopback(request.ip) &&
    forwardingHeaders.every((name) => request.headers[name] === undefined) &&
    loopbackHost.test(request.headers.host ?? '');
  if (!local) throw new LifelineError('not-found');
}

/** Makes links to this service clickable in an escaped text; other URLs stay plain text. */
function linkify(escapedText: string, publicUrl: string): string {
  const prefix = escapeHtml(publicUrl);
  return escapedText.replace(/https?:\/\/[^\s<]+/g, (url) => (url.startsWith(prefix + '/') ? `<a href="${url}">${url}</a>` : url));
}

/**
 * The development mailbox (docs/operations.md): mounted only in the embedded default
 * and only when PUBLIC_URL is a loopback URL (build-app.ts; docs/operations.md), answering
 * loopback clients only. `/dev/mailbox` is the page, `/dev/mailbox/messages` the
 * JSON list, newest first; `/dev/mailbox/messages/:id/html` shows a mail's HTML in a sandbox.
 */
export function registerDevMailboxRoutes(app: FastifyInstance, deps: DevMailboxRoutesDeps): void {
  const { translator } = deps;
  const hidden = { schema: { hide: true }, onRequest: async (request: FastifyRequest) => assertLoopback(request) };

  app.get('/dev/mailbox/messages', hidden, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return (await deps.devMailbox.list()).map(toJson);
  });

  app.get<{ Params: { id: string } }>('/dev/mailbox/messages/:id/html', hidden, async (request, reply) => {
    const row = await deps.devMailbox.get(request.params.id);
    if (!row?.html) throw new LifelineError('not-found');
    // The mail's own HTML, with its inline styles, but sandboxed: no scripts, no requests.
    reply
      .header('content-security-policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8');
    return row.html;
  });

  app.get('/dev/mailbox', hidden, async (request, reply) => {
    const locale = request.locale;
    const t = (key: string) => translator.html(locale, `pages.devMailbox.${key}`, { appName: deps.appName });
    const rows = await deps.devMailbox.list();
    const cards = rows.map((row) => {
      return [
        `<article class="card" aria-labelledby="m-${escapeHtml(row.id)}">`,
        `<h2 id="m-${escapeHtml(row.id)}">${escapeHtml(row.subject)}</h2>`,
        `<p class="meta"><span>${t('to')}: ${escapeHtml(row.recipient)}</span>`,
        `<span>${t('channel')}: <span class="badge">${t(row.channel === 'sms' ? 'channelSms' : 'channelEmail')}</span></span>`,
        `<span>${t('sent')}: <time datetime="${new Date(row.created_at).toISOString()}">${escapeHtml(new Date(row.created_at).toLocaleString(locale === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'UTC' }))} UTC</time></span></p>`,
        `<pre>${linkify(escapeHtml(row.text), deps.publicUrl)}</pre>`,
        ...(row.html ? [`<p><a href="/dev/mailbox/messages/${encodeURIComponent(row.id)}/html">${t('showHtml')}</a></p>`] : []),
        '</article>',
      ].join('\n');
    });
    const body = [
      `<h1>${t('title')}</h1>`,
      `<p class="muted">${t('explanation')}</p>`,
      `<p><a href="/dev/mailbox">${t('refresh')}</a></p>`,
      cards.length > 0 ? cards.join('\n') : `<p>${t('empty')}</p>`,
    ].join('\n');
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return renderPage({ locale, title: translator.text(locale, 'pages.devMailbox.title'), body });
  });
}
