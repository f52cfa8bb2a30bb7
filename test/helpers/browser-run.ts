import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { launchChromium, type TestBrowser } from './browser.js';
import { startInstance, type Instance } from './browser-instance.js';
import { checkState, DESKTOP, newPage, type CheckedState, type OpenedPage, type PageOptions } from './browser-page.js';

/** The server and the browser of a browser test's `describe` (useBrowserRun). */
export interface BrowserRun {
  /** The Lifeline server (startInstance). */
  readonly instance: Instance;
  /** The server's address, `instance.baseUrl`. */
  readonly baseUrl: string;
  readonly chrome: TestBrowser;
  /** The server's manual clock (only with `manualClock`): the test moves it. */
  readonly clock: ManualClock;
  /** A fresh page in its own context (own cookies: another device), in Europe/Berlin unless `options` say otherwise. */
  openPage(options?: PageOptions): Promise<OpenedPage>;
}

/**
 * For the enclosing `describe`: a `beforeAll` that starts a Lifeline server
 * (startInstance(tmpPrefix, env), with `manualClock` on a manual clock starting now) and launches
 * Chromium side by side, and an `afterAll` that closes the browser, then the server. The answer is
 * filled in by that `beforeAll`: use it in hooks and tests.
 */
export function useBrowserRun(chromiumPath: string, tmpPrefix: string, env: Record<string, string> = {}, options: { manualClock?: boolean } = {}): BrowserRun {
  const run = {
    openPage: (pageOptions: PageOptions = {}) => newPage(run.chrome, { timezoneId: 'Europe/Berlin', ...pageOptions }),
  } as { -readonly [K in keyof BrowserRun]: BrowserRun[K] };
  beforeAll(async () => {
    const clock = options.manualClock ? createManualClock(Date.now()) : undefined;
    [run.instance, run.chrome] = await Promise.all([startInstance(tmpPrefix, env, clock ? { clock } : {}), launchChromium(chromiumPath)]);
    run.baseUrl = run.instance.baseUrl;
    if (clock) run.clock = clock;
  });
  afterAll(async () => {
    await run.chrome?.close();
    await run.instance?.close();
  });
  return run;
}

/** checkState, and afterwards a page narrower than the desktop (a phone's) is back at its own width. */
export async function checkStateAtOwnWidth(page: Page, failures: string[], options: CheckedState): Promise<void> {
  const size = page.viewportSize();
  await checkState(page, failures, options);
  if (size && size.width !== DESKTOP.width) await page.setViewportSize(size);
}
