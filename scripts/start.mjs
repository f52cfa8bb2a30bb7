#!/usr/bin/env node
// `npm start`: runs the built server (dist/main.js), building it first when dist/ is missing or
// older than the sources (docs/reference/contracts.md: no TypeScript loader at run time). The age check
// keeps a developer who pulled new code from running yesterday's build by mistake.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');

/** The newest modification time of the files below `dir` (0 when it does not exist). */
function newestIn(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

const sources = Math.max(newestIn(join(root, 'src')), newestIn(join(root, 'ui')), statSync(join(root, 'package.json')).mtimeMs);
if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
  process.stderr.write(`lifeline: ${existsSync(entry) ? 'dist/ is older than the sources' : 'dist/ is missing'}, building it first (npm run build)…\n`);
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root });
}

await import(entry);
