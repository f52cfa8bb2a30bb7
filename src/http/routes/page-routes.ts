import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AccentPalette } from '../../core/accent-colour.js';
import { BRAND_STYLESHEET_PATH, brandStylesheet, PAGES_STYLESHEET_PATH, pagesStylesheet } from '../pages/page-layout.js';

/**
 * The stylesheet of the server-rendered pages (the provider's pages, the development mailbox;
 * the web UI brings its own, built by Vite), and the brand's colours that both use
 * (docs/operations.md "Branding"). The brand's file is revalidated on every load (no-cache with
 * an ETag): a new BRAND_ACCENT_COLOR shows right after the restart, at the cost of a 304.
 */
export function registerPageStyles(app: FastifyInstance, options: { accent?: AccentPalette | undefined } = {}): void {
  app.get(PAGES_STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return pagesStylesheet;
  });
  const brand = brandStylesheet(options.accent);
  const etag = `"${createHash('sha256').update(brand).digest('base64url').slice(0, 22)}"`;
  app.get(BRAND_STYLESHEET_PATH, { schema: { hide: true } }, async (request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return brand;
  });
}
