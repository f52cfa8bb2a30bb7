import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The paths the web UI answers (ui/src/app.tsx); other HTML requests get its 404 page. */
export const uiPaths = [
  '/',
  '/login',
  '/register',
  '/verify-email',
  '/confirm-email',
  '/confirm-email-change',
  '/confirm-recovery-email',
  '/forgot-password',
  '/reset-password',
  '/undo',
  '/verify-action',
  '/cancel-email-change',
  '/cancel-hold',
  '/profile',
  '/profile/recovery',
  '/profile/sign-in',
  '/profile/activity',
  '/profile/settings',
] as const;

/** Where `npm run build` puts the UI: dist/ui of the installation (the same from src/ and dist/). */
export const defaultUiDir = fileURLToPath(new URL('../../../dist/ui', import.meta.url));

const contentTypes: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface UiBundle {
  readonly index: string;
  readonly assets: ReadonlyMap<string, { readonly body: Buffer; readonly type: string }>;
}

/** Reads the built UI once (a few hundred kilobytes, served from memory); undefined when not built. */
export function loadUiBundle(dir: string): UiBundle | undefined {
  const indexFile = path.join(dir, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  const assets = new Map<string, { body: Buffer; type: string }>();
  const assetDir = path.join(dir, 'assets');
  if (existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) {
      assets.set(name, { body: readFileSync(path.join(assetDir, name)), type: contentTypes[path.extname(name)] ?? 'application/octet-stream' });
    }
  }
  return { index: readFileSync(indexFile, 'utf8'), assets };
}

/** Sends the UI's page (it routes on the client) with this status, or says how to build it. */
export function sendUiPage(bundle: UiBundle | undefined, reply: FastifyReply, status: number): FastifyReply {
  if (!bundle) {
    return reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send('The web UI is not built. Run `npm run build` (npm ci does it too), then start again.\n');
  }
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(bundle.index);
}

/**
 * Serves the web UI (React + Vite, built into dist/ui): `index.html` for the UI's paths, the
 * hashed assets with a year of caching. Any other page a browser asks for gets index.html with
 * status 404 from the not-found handler, so it shows the UI's own "not found". All from our
 * origin: the Content-Security-Policy allows nothing else.
 */
export function registerUiRoutes(app: FastifyInstance, bundle: UiBundle | undefined): void {
  for (const url of uiPaths) app.get(url, { schema: { hide: true } }, async (_request, reply) => sendUiPage(bundle, reply, 200));

  app.get<{ Params: { file: string } }>('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const asset = bundle?.assets.get(request.params.file);
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
  });
}

/** Whether a request is a browser asking for a page (its 404 is the UI's page, not JSON). */
export function wantsPage(method: string, accept: string | undefined, path: string): boolean {
  return method === 'GET' && typeof accept === 'string' && accept.includes('text/html') && !path.startsWith('/api/') && !path.startsWith('/dev/');
}
