import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { apiClient, type ApiClient } from './api-client.js';
import { freePort, waitFor } from './browser.js';
import { testConfig } from './test-config.js';

/**
 * The server side of the browser tests (test/browser/): a real instance on a loopback port, its
 * development mailbox read over HTTP as a person would, and accounts made through the API. The
 * page side (focus, checks, signing in through the form) is in browser-page.ts.
 */

/** The password of every account the browser tests make (strong enough for the sign-up's check). */
export const PASSWORD = 'Lichtung Ameise Paddel 7';

/** The languages of the UI; an account's locale and the choice a visitor makes in the header. */
export type Lang = 'de' | 'en';

/**
 * Every test talks from 127.0.0.1; the per-client API limit is not what the browser tests test,
 * and a long flow would run into it.
 */
export const NO_API_RATE_LIMIT = { RATE_LIMIT_API_PER_MINUTE: '100000' } as const;

/** A running server of a browser test, with the address the browser opens and its data directory. */
export interface Instance {
  readonly server: RunningServer;
  /** http://127.0.0.1:<port>, also the server's PUBLIC_URL: the links in its mails lead here. */
  readonly baseUrl: string;
  readonly dir: string;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

/**
 * Starts a server on a free loopback port with a SQLite database in a new temporary directory
 * (named `<tmpPrefix>…`), the development mailbox and a worker that polls the outbox every 50 ms
 * (a mail arrives while the test waits for it). `env` adds to or overrides that configuration;
 * `clock` is the manual clock a test moves to close the privileged window.
 */
export async function startInstance(tmpPrefix: string, env: Record<string, string> = {}, options: { clock?: ManualClock } = {}): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = testConfig({
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATABASE_URL: `sqlite:${join(dir, 'lifeline.db')}`,
      DATA_DIR: dir,
      OUTBOX_POLL_INTERVAL_MS: '50',
      ...env,
    });
    const server = await startServer(config, options.clock ? { clock: options.clock } : {});
    return {
      server,
      baseUrl,
      dir,
      async close() {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A message of the development mailbox as GET /dev/mailbox/messages lists it (an email or an SMS). */
export interface MailboxMessage {
  readonly id: string;
  readonly channel: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** All messages of the development mailbox of the server at `origin`, newest first (over HTTP, as a person reads them). */
export async function mailbox(origin: string): Promise<MailboxMessage[]> {
  const response = await fetch(`${origin}/dev/mailbox/messages`);
  expect(response.status).toBe(200);
  return (await response.json()) as MailboxMessage[];
}

/** The messages of the development mailbox at `origin` to `to`, newest first. */
export async function mailsTo(origin: string, to: string): Promise<MailboxMessage[]> {
  return (await mailbox(origin)).filter((mail) => mail.to === to);
}

/** The link with `?token=` of the newest mail to `to`, once there are more than `before` mails to it. */
export async function tokenLink(origin: string, to: string, before = 0): Promise<string> {
  const mail = await waitFor(async () => {
    const list = await mailsTo(origin, to);
    return list.length > before ? list[0] : undefined;
  }, `a mail to ${to}`);
  const link = /https?:\/\/[^\s"<>]+\?token=[^\s"<>]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no link with ?token= in the mail "${mail.subject}"`);
  return link;
}

/**
 * An account with PASSWORD made through the API (sign-up through the form is web-ui.test.ts's
 * subject; the other flows start from here) and confirmed with the link of its mail, unless
 * `confirm` is false. Its locale is `locale` (German by default), its time zone Europe/Berlin.
 */
export async function createAccount(instance: Instance, email: string, options: { locale?: Lang; confirm?: boolean } = {}): Promise<void> {
  const client = apiClient(instance.server.app);
  const signedUp = await client.post('/api/v1/signup', { email, password: PASSWORD, locale: options.locale ?? 'de', timeZone: 'Europe/Berlin' });
  expect(signedUp.status).toBe(202);
  if (options.confirm === false) return;
  const token = new URL(await tokenLink(instance.baseUrl, email)).searchParams.get('token');
  expect((await client.post('/api/v1/signup/confirm', { token })).status).toBe(200);
  // The browser that confirms the sign-up is the account's first device: the first page that
  // signs in to this account (browser-page.ts signIn) takes the confirming browser's device
  // cookie, as if the owner had opened the link there. Any later browser is a new device.
  const device = [...client.jar.entries()].find(([name]) => name.endsWith('lifeline_device'));
  if (device) {
    confirmingBrowsers.set(email.toLowerCase(), { name: device[0], value: device[1] });
    firstDevices.set(email.toLowerCase(), { name: device[0], value: device[1] });
  }
}

/** Device cookies of confirmed sign-ups not yet taken by a browser (see createAccount). */
const confirmingBrowsers = new Map<string, { readonly name: string; readonly value: string }>();
/** Every account's first device cookie, for the owner's arrangements over the API (ownerApi). */
const firstDevices = new Map<string, { readonly name: string; readonly value: string }>();

/**
 * The owner signed in over the API on the account's first device (the confirming browser's
 * device cookie): what a test arranges this way (a recovery channel) is the owner's, not a new
 * device's, and so not held 72 hours.
 */
export async function ownerApi(instance: Instance, email: string, password = PASSWORD): Promise<ApiClient> {
  const client = apiClient(instance.server.app);
  const device = firstDevices.get(email.toLowerCase());
  if (device) client.jar.set(device.name, device.value);
  expect((await client.post('/api/v1/login', { email, password })).status).toBe(200);
  return client;
}

/** The confirming browser's device cookie of `email`'s account, once: the first browser to sign in gets it. */
export function takeConfirmingBrowser(email: string): { readonly name: string; readonly value: string } | undefined {
  const cookie = confirmingBrowsers.get(email.toLowerCase());
  confirmingBrowsers.delete(email.toLowerCase());
  return cookie;
}
