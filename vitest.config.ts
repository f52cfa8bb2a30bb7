import { defineConfig } from 'vitest/config';

/**
 * The Vitest projects (`npm test` runs them after types, lint and the dependency check): unit
 * tests beside the code, integration tests over HTTP on SQLite and PostgreSQL, browser tests in
 * Chromium, and the timing tests alone at the end. test/global-setup.ts probes PostgreSQL and Chromium once and
 * says loudly what runs; with CI=true a missing part fails the run instead of being skipped.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Without Chromium the browser files register no tests (the setup says so loudly; with
    // CI=true it fails the run instead), and such an empty file must not fail the run.
    passWithNoTests: true,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      // A browser test drives a real Chromium through whole flows (sign-in, mails, several devices):
      // one budget for all of them, generous enough for a loaded two-core CI machine.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 90_000 } },
      // Statistical timing tests (docs/reference/security-requirements.md 3.2): `npm test` runs them in a step of their own,
      // after the rest, so no other test file competes for the CPU while they measure.
      { extends: true, test: { name: 'timing', include: ['test/timing/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
