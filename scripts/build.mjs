#!/usr/bin/env node
// `npm run build` (also `prepare`, so `npm ci` leaves a runnable tree): a clean `tsc` build of
// src/ into dist/ and a Vite build of ui/ into dist/ui. Clean, because a file deleted or renamed
// in src/ must not live on in dist/; the CLI entry is made executable for `npx lifeline`.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
} catch {
  process.stderr.write('lifeline: the build failed (see the TypeScript errors above)\n');
  process.exit(1);
}
chmodSync(join(root, 'dist', 'cli', 'main.js'), 0o755);
// The web UI (React + Vite) into dist/ui, served by the service.
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
try {
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });
} catch {
  process.stderr.write('lifeline: the web UI build failed (see above)\n');
  process.exit(1);
}
