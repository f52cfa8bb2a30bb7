import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page, type Request } from 'playwright-core';

/** Where browser tests write their screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** Headless Chromium flags: no sandbox (containers), no GPU, nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A TCP port that was free on loopback a moment ago (the OS picked it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface TestBrowser {
  readonly browser: Browser;
  /**
   * A new browser context (own cookies, storage and viewport: another device). The browser
   * keeps a list of them and close() closes them all, so a test that fails half-way leaves
   * nothing open; a test may also close its context itself, early.
   */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Closes the contexts opened through newContext(), then the browser, and removes its temporary files. */
  close(): Promise<void>;
}

/**
 * Launches the system Chromium (the path the global setup probed) through playwright-core.
 * Playwright refuses `--user-data-dir` among the args of `launch()`; it creates a fresh
 * temporary profile itself, and its temporary files go into a directory of our own (TMPDIR of
 * the browser process), removed on close.
 */
export async function launchChromium(executablePath: string): Promise<TestBrowser> {
  const tmp = mkdtempSync(join(tmpdir(), 'lifeline-chromium-'));
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, TMPDIR: tmp, HOME: tmp },
    timeout: 30_000,
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newContext(options) {
      const context = await browser.newContext(options);
      contexts.push(context);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** An error answer a test provokes on purpose (a wrong password, the UI's 404 page). */
export interface ExpectedFailure {
  readonly status: number;
  /** The path of the request (without the query), or a pattern for it. */
  readonly path: string | RegExp;
}

function isExpected(expected: readonly ExpectedFailure[], status: number, url: string): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  return expected.some((e) => e.status === status && (typeof e.path === 'string' ? e.path === path : e.path.test(path)));
}

const failedResource = /^Failed to load resource: the server responded with a status of (\d{3})/;

/**
 * Collects what a page reports as broken: console errors (CSP violations among them), uncaught
 * exceptions, failed requests, error answers and reports to the CSP report endpoint. Error
 * answers the test provokes on purpose are listed in `expected` (Chromium also logs those as
 * "Failed to load resource" in the console; that line is left out with them).
 */
export function watchProblems(page: Page, expected: readonly ExpectedFailure[] = []): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = failedResource.exec(message.text())?.[1];
    if (status !== undefined && isExpected(expected, Number(status), message.location().url)) return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // Which main-frame navigation each request started under: a read the test's own navigation
  // (goto, reload) cancels is not a failure of the product.
  let navigations = 0;
  const startedUnder = new WeakMap<Request, number>();
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations += 1;
    startedUnder.set(request, navigations);
    if (request.url().includes('/csp-reports')) problems.push(`csp-report: ${request.postData() ?? ''}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !isExpected(expected, response.status(), response.url())) problems.push(`http ${response.status()}: ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // A lazily loaded script the page was still fetching when the test navigated on: the browser
    // cancels it (ERR_ABORTED). Not a failure of the product; a missing or refused asset shows
    // as an error answer or a CSP report above.
    if (reason === 'net::ERR_ABORTED' && new URL(request.url()).pathname.startsWith('/assets/')) return;
    // The same for a GET the page was still reading when the test navigated on; a cancelled
    // write (POST, PUT, DELETE) stays a problem, as does a cancelled read with no navigation.
    const navigatedAway = navigations > (startedUnder.get(request) ?? navigations);
    if (reason === 'net::ERR_ABORTED' && request.method() === 'GET' && navigatedAway) return;
    problems.push(`requestfailed: ${request.url()} ${reason}`);
  });
  return problems;
}

let axeSource: string | undefined;
const axeRouted = new WeakSet<Page>();

/** A violation as axe-core reports it (the parts a test prints). */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA, best practices) on the page as it is now and returns the
 * violations of impact serious or critical. The page's Content-Security-Policy allows scripts
 * from its own origin only, and refuses an injected inline script; so axe is served to the
 * browser by request interception under an address of that origin, and the real policy stays
 * in force for the page (a CSP violation would still show up in watchProblems).
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const origin = new URL(page.url()).origin;
  const url = `${origin}/assets/axe-core-for-tests.js`;
  const source = axeSource;
  if (!axeRouted.has(page)) {
    axeRouted.add(page);
    await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: source }));
  }
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (loaded !== true) await page.addScriptTag({ url });
  const violations = await page.evaluate<AxeViolation[]>(`window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }).then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Saves a screenshot as test-results/screenshots/<name>.png: the full page, or only what is in
 * the viewport (a modal dialog's backdrop covers the viewport only).
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}

/**
 * Saves a screenshot of one element (a section of a page, with what is drawn over it) as
 * test-results/screenshots/<name>.png; the element is scrolled into view first.
 */
export async function screenshotOf(locator: Locator, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await locator.screenshot({ path });
  return path;
}

/** Polls `probe` until it yields a value (a delivered mail, a session row), or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
