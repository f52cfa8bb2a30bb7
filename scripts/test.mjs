#!/usr/bin/env node
// `npm test`: everything, in the order that fails fastest: types, lint, dependency directions,
// build (the two-process tests run the built CLI), then every Vitest project (unit, integration
// on SQLite and PostgreSQL, browser). Missing PostgreSQL or Chromium is announced loudly by the
// test setup and skipped; with CI=true it fails the run.
import { spawnSync } from 'node:child_process';

const steps = [
  ['types', ['run', 'typecheck']],
  ['lint', ['run', 'lint']],
  ['dependency directions', ['run', 'depcheck']],
  ['build', ['run', 'build']],
  ['tests', ['run', 'vitest', '--', ...process.argv.slice(2)]],
];

const started = Date.now();
for (const [name, args] of steps) {
  process.stderr.write(`\n── npm test: ${name} ──\n`);
  const result = spawnSync('npm', args, { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`\nnpm test: ${name} FAILED (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}
process.stderr.write(`\nnpm test: all steps passed in ${Math.round((Date.now() - started) / 1000)} s\n`);
