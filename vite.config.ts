import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web UI (ui/) is built into dist/ui, which the service serves. Everything is bundled and
 * served from our own origin: no CDN, no inline scripts (the Content-Security-Policy allows
 * only 'self'), no source maps in production.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./ui', import.meta.url)),
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // Module preload polyfill would be an inline script; every target browser supports modulepreload.
    modulePreload: { polyfill: false },
    // The password-strength dictionaries (zxcvbn) are large, but load only on the pages that
    // show the strength meter, after the page itself.
    chunkSizeWarningLimit: 1600,
  },
});
