import type { FastifyInstance } from 'fastify';
import { PAGES_STYLESHEET_PATH, pagesStylesheet } from '../pages/page-layout.js';

/**
 * The stylesheet of the server-rendered operator pages (the development mailbox). The web UI
 * brings its own, built by Vite.
 */
export function registerPageStyles(app: FastifyInstance): void {
  app.get(PAGES_STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return pagesStylesheet;
  });
}
