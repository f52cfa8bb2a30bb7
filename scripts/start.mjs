#!/usr/bin/env node
// `npm start`: runs the built server (dist/main.js), building it first when dist/ is missing
// (ARCHITECTURE.md: no TypeScript loader at run time).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');

if (!existsSync(entry)) {
  process.stderr.write('lifeline: dist/ is missing, building it first (npm run build)…\n');
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root });
}

await import(entry);
