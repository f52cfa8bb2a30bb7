import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of a reachable PostgreSQL, or null: integration suites then run on SQLite only. */
    postgresUrl: string | null;
    /** Path of a working Chromium, or null: browser tests then do not run. */
    chromiumPath: string | null;
  }
}

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function probePostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return (error as Error).message || (error as NodeJS.ErrnoException).code || 'unreachable';
  } finally {
    await client.end().catch(() => undefined);
  }
}

function probeChromium(path: string): string | null {
  if (!existsSync(path)) return `${path} does not exist (Debian: apt-get install -y chromium)`;
  try {
    execFileSync(path, ['--headless', '--no-sandbox', '--version'], { stdio: 'pipe', timeout: 15_000 });
    return null;
  } catch (error) {
    return `${path} --version failed: ${(error as Error).message}`;
  }
}

/**
 * Runs once before all tests: finds out which optional parts can run here and tells the
 * test files through `inject()`. Loud on purpose: a skipped part must never look like a pass.
 */
export default async function setup(project: TestProject): Promise<void> {
  const ci = process.env.CI === 'true' || process.env.CI === '1';
  const pgUrl = process.env.LIFELINE_TEST_PG_URL ?? DEFAULT_PG_URL;
  const chromium = process.env.LIFELINE_CHROMIUM ?? '/usr/bin/chromium';
  // Each Vitest project runs this setup; probe and print once per run, reuse the answers after.
  const cached = process.env.LIFELINE_TEST_PROBES;
  const probes = cached
    ? (JSON.parse(cached) as { pgProblem: string | null; chromiumProblem: string | null })
    : { pgProblem: await probePostgres(pgUrl), chromiumProblem: probeChromium(chromium) };
  const { pgProblem, chromiumProblem } = probes;

  const lines = [
    `PostgreSQL (${pgUrl.replace(/:[^:@/]*@/, ':***@')}): ${pgProblem === null ? 'reachable, integration suites run on SQLite and PostgreSQL' : `NOT REACHABLE (${pgProblem}), integration suites run on SQLite ONLY`}`,
    `Chromium (${chromium}): ${chromiumProblem === null ? 'found, browser tests run' : `MISSING (${chromiumProblem}), browser tests are SKIPPED`}`,
  ];
  const banner = '='.repeat(78);
  if (!cached) process.stderr.write(`\n${banner}\nLifeline test environment\n${lines.map((l) => `  ${l}`).join('\n')}\n${banner}\n\n`);

  const missing = [...(pgProblem === null ? [] : ['PostgreSQL']), ...(chromiumProblem === null ? [] : ['Chromium'])];
  if (ci && missing.length > 0) {
    throw new Error(`CI=true: ${missing.join(' and ')} must be available (see the lines above); .ci/run installs and starts them.`);
  }
  process.env.LIFELINE_TEST_PROBES = JSON.stringify(probes);
  project.provide('postgresUrl', pgProblem === null ? pgUrl : null);
  project.provide('chromiumPath', chromiumProblem === null ? chromium : null);
}
