import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { Instance } from './browser-instance.js';
import { freePort, waitFor, type AxeViolation } from './browser.js';
import { testEnvironment } from './test-config.js';

/**
 * The sample host application (examples/host-app/server.mjs) as a browser test runs it: a
 * client registered with the built CLI, exactly as its README says, and the sample started as
 * a child process with the three variables, its output kept for the test to read.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const HOST_APP = join(ROOT, 'examples', 'host-app', 'server.mjs');

/** The environment of `instance` as its CLI needs it (the same database, data directory and key). */
export function instanceEnvironment(instance: Instance): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...testEnvironment({
      PORT: new URL(instance.baseUrl).port,
      PUBLIC_URL: instance.baseUrl,
      DATABASE_URL: `sqlite:${join(instance.dir, 'lifeline.db')}`,
      DATA_DIR: instance.dir,
    }),
  };
}

/** Runs `node dist/cli/main.js …args` against `instance`; its stdout and stderr. */
export async function lifelineCli(instance: Instance, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  return promisify(execFile)(process.execPath, [CLI, ...args], { cwd: ROOT, env: instanceEnvironment(instance), timeout: 30_000 });
}

/** A client registered with `lifeline client create … --json`. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Registers the sample as a first-party client of `instance` with the command of its README:
 * the callback, the page after RP-initiated logout and the back-channel logout address, all
 * below `hostUrl`.
 */
export async function registerHostApp(instance: Instance, hostUrl: string, name = 'Beispiel-App'): Promise<RegisteredClient> {
  const { stdout } = await lifelineCli(instance, [
    'client',
    'create',
    name,
    '--redirect-uri',
    `${hostUrl}/callback`,
    '--post-logout-redirect-uri',
    `${hostUrl}/signed-out`,
    '--backchannel-logout-uri',
    `${hostUrl}/backchannel-logout`,
    '--first-party',
    '--json',
  ]);
  const created = JSON.parse(stdout) as Partial<RegisteredClient>;
  if (typeof created.clientId !== 'string' || typeof created.clientSecret !== 'string') throw new Error(`unexpected output of client create: ${stdout}`);
  return { clientId: created.clientId, clientSecret: created.clientSecret };
}

/** The sample running as a child process. */
export interface HostApp {
  /** Where browsers open it (HOST_URL): http://localhost:<port>. */
  readonly url: string;
  /** Its stdout and stderr so far, line by line. */
  readonly lines: readonly string[];
  /** The first line matching `pattern` that came after the first `after` lines (waits for it). */
  waitForLine(pattern: RegExp, after?: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** A free port for the sample and the address browsers reach it by (localhost: another site than Lifeline's 127.0.0.1). */
export async function hostAddress(): Promise<{ port: number; url: string }> {
  const port = await freePort();
  return { port, url: `http://localhost:${port}` };
}

/** Starts examples/host-app/server.mjs with the three variables, PORT and HOST_URL; resolves once it listens. */
export async function startHostApp(input: { issuer: string; client: RegisteredClient; port: number; url: string }): Promise<HostApp> {
  const child: ChildProcess = spawn(process.execPath, [HOST_APP], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      OIDC_ISSUER: input.issuer,
      OIDC_CLIENT_ID: input.client.clientId,
      OIDC_CLIENT_SECRET: input.client.clientSecret,
      PORT: String(input.port),
      HOST_URL: input.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let exited: number | null = null;
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      rest += chunk;
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const gone = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code ?? -1), resolve())));

  const waitForLine = (pattern: RegExp, after = 0, timeoutMs = 10_000) =>
    waitFor(
      async () => {
        if (exited !== null) throw new Error(`the host app exited with ${exited}:\n${lines.join('\n')}`);
        return lines.slice(after).find((line) => pattern.test(line));
      },
      `the host app to log ${pattern} (so far:\n${lines.join('\n')})`,
      timeoutMs,
    );

  const close = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (exited === null) child.kill('SIGKILL');
    }
  };

  try {
    await waitForLine(/^host-app: listening on /);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: input.url, lines, waitForLine, close };
}

let axeSource: string | undefined;

/**
 * axe-core's serious and critical violations on a page whose Content-Security-Policy allows no
 * script at all (the sample's `default-src 'none'`): browser.ts's seriousAxeViolations loads axe
 * as a script of the page's origin, which such a page refuses; an evaluation through the
 * DevTools protocol is not subject to the page's CSP. The same rules as there.
 */
export async function seriousAxeViolationsNoScripts(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if ((await page.evaluate('typeof window.axe === "object"')) !== true) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }).then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
