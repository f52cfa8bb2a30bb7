#!/usr/bin/env node
// `npm test`: everything, in the order that fails fastest: types, lint, formatting, dependency directions,
// build (the two-process tests run the built CLI), then the Vitest projects (unit, integration
// on SQLite and PostgreSQL, browser), then the statistical timing tests on their own. Missing PostgreSQL or Chromium is announced loudly by the
// test setup and skipped; with CI=true it fails the run.
import { spawnSync } from 'node:child_process';

const steps = [
  ['types', ['run', 'typecheck']],
  ['lint', ['run', 'lint']],
  ['formatting', ['run', 'format:check']],
  ['dependency directions', ['run', 'depcheck']],
  ['build', ['run', 'build']],
  ['tests', ['run', 'vitest', '--', '--project', 'unit', '--project', 'integration', '--project', 'browser', ...process.argv.slice(2)]],
  // Alone, so that no other test file competes for the CPU while they measure response times.
  ['timing tests (alone)', ['run', 'vitest', '--', '--project', 'timing', ...process.argv.slice(2)]],
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
