import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../../core/html.js';
import type { Translator } from '../../i18n/translator.js';
import { PAGES_STYLESHEET_PATH, pagesStylesheet, renderPage } from '../pages/page-layout.js';

/**
 * The start page: says the service runs and links what a developer looks for first. The web
 * UI replaces it with the sign-in page.
 */
export function registerPageRoutes(app: FastifyInstance, deps: { translator: Translator; appName: string; devMailbox: boolean }): void {
  const { translator } = deps;

  app.get(PAGES_STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return pagesStylesheet;
  });

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const locale = request.locale;
    const t = (key: string) => translator.html(locale, key, { appName: deps.appName });
    const links = [
      `<li><a href="/openapi.json">${t('pages.home.openapi')}</a></li>`,
      `<li><a href="/health">${t('pages.home.health')}</a></li>`,
      ...(deps.devMailbox ? [`<li><a href="/dev/mailbox">${t('pages.home.mailbox')}</a></li>`] : []),
    ];
    const body = [
      `<h1>${escapeHtml(deps.appName)}</h1>`,
      `<p>${t('pages.home.running')}</p>`,
      `<p class="muted">${t('pages.home.links')}</p>`,
      `<ul class="links">${links.join('')}</ul>`,
    ].join('\n');
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return renderPage({ locale, title: translator.text(locale, 'pages.home.title', { appName: deps.appName }), body });
  });
}
