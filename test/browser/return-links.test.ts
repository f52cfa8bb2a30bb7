import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot, type TestBrowser } from '../helpers/browser.js';
import { createAccount, NO_API_RATE_LIMIT, PASSWORD, startInstance, tokenLink, type Instance } from '../helpers/browser-instance.js';
import { checkState, heading, newPage, overflowing, PHONE, scrollWidth, signIn, text, type PageOptions } from '../helpers/browser-page.js';

/**
 * Return links (docs/integration.md "Return links") in a real Chromium against a real server,
 * with a host application of its own: a tiny node:http server on loopback whose pages below
 * `/account/` are ALLOWED_RETURN_ORIGINS' "Mein Shop" (and whose origin is in CORS_ORIGINS: its
 * page asks GET /api/v1/session with the browser's cookie and says who is signed in).
 *
 * The sign-in with a valid `return_to` names the application ("Mein Shop hat Sie zur Anmeldung
 * hierher geschickt …"), offers "Zurück zu Mein Shop", carries the way back to "Jetzt
 * registrieren" and "Passwort vergessen?", and lands on the host's page after signing in, where
 * the host's page reads the session (CORS). The profile opened with a return link shows "Zurück
 * zu Mein Shop" above its heading (screenshot at 390×844). A sign-up on the way: the
 * confirmation link's page offers "Zurück zu Mein Shop" after the confirmation. Hostile values
 * (another origin, a path beside the prefix, `..` and encoded tricks, `//host`, `/\host`, user
 * info, a look-alike host, `javascript:`, `data:`, overlong) are ignored without a word: no hint,
 * no link, nothing remembered, the sign-in goes to the profile. Every state: no console error,
 * failed request or CSP report, no serious axe violation, no sideways scrolling at 375 px;
 * screenshots in test-results/screenshots/return-links-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The phone of the profile's screenshot (a current phone's CSS size). */
const PHONE_390 = { width: 390, height: 844 } as const;

const WORDS = {
  de: {
    signInTitle: 'Anmelden',
    hint: 'Mein Shop hat Sie zur Anmeldung hierher geschickt. Nach der Anmeldung geht es dorthin zurück.',
    registerHint:
      'Mein Shop hat Sie hierher geschickt. Wenn Sie Ihre Adresse bestätigt haben und sich innerhalb einer Stunde in diesem Browser anmelden, geht es dorthin zurück.',
    back: 'Zurück zu Mein Shop',
    email: 'E-Mail-Adresse',
    password: 'Passwort',
    submit: 'Anmelden',
    register: 'Jetzt registrieren',
    forgot: 'Passwort vergessen?',
    registerTitle: 'Registrieren',
    create: 'Konto anlegen',
    registerDone: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
    confirmTitle: 'E-Mail-Adresse bestätigen',
    confirm: 'E-Mail-Adresse bestätigen',
    toLogin: 'Zur Anmeldung',
    profile: 'Sicherheit auf einen Blick',
  },
  en: {
    hint: 'Mein Shop sent you here to sign in. After signing in, you will go back there.',
    back: 'Back to Mein Shop',
  },
} as const;

/** The host application's words (its own pages, German). */
const HOST = { title: 'Mein Shop', signedIn: (email: string) => `Angemeldet bei Lifeline als ${email}`, anonymous: 'Nicht bei Lifeline angemeldet' } as const;

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The host application: its origin, the paths its pages were opened at, and how to stop it. */
interface HostApp {
  readonly origin: string;
  /** Lifeline's address, known once the instance runs (whose settings need this origin first). */
  connect(lifeline: string): void;
  readonly visits: string[];
  close(): Promise<void>;
}

/**
 * The host application, a node:http server on 127.0.0.1 (a random port): every page under
 * /account/ (and /admin, outside the allowed prefix) says "Mein Shop" and, through /who.js, who
 * is signed in at Lifeline: `fetch(GET /api/v1/session?optional=true, {credentials: 'include'})`,
 * which the browser lets it read only with Lifeline's CORS headers.
 */
async function startHost(): Promise<HostApp> {
  let lifeline = '';
  const visits: string[] = [];
  const send = (response: ServerResponse, status: number, type: string, body: string) =>
    response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(body);
  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', origin);
    if (url.pathname === '/who.js') {
      const script = `fetch(${JSON.stringify(`${lifeline}/api/v1/session?optional=true`)}, { credentials: 'include', headers: { accept: 'application/json' } })
  .then((r) => r.json())
  .then((session) => { document.getElementById('who').textContent = session ? ${JSON.stringify(HOST.signedIn(''))} + session.account.email : ${JSON.stringify(HOST.anonymous)}; })
  .catch((error) => { document.getElementById('who').textContent = 'Fehler: ' + error; });`;
      send(response, 200, 'text/javascript', script);
      return;
    }
    if (url.pathname.startsWith('/account/') || url.pathname === '/admin') {
      visits.push(`${url.pathname}${url.search}`);
      send(
        response,
        200,
        'text/html',
        `<!doctype html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${HOST.title}</title><link rel="icon" href="data:,"></head><body><main><h1>${HOST.title}</h1><p>${escapeHtml(url.pathname)}</p><p id="who">…</p></main><script src="/who.js"></script></body></html>`,
      );
      return;
    }
    send(response, 404, 'text/plain', 'not found');
  }
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    connect(address) {
      lifeline = address;
    },
    visits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: return links to a host application, and its session check (CORS)', () => {
    let instance: Instance;
    let baseUrl: string;
    let chrome: TestBrowser;
    let host: HostApp;

    beforeAll(async () => {
      [host, chrome] = await Promise.all([startHost(), launchChromium(chromiumPath)]);
      instance = await startInstance('lifeline-return-links-ui-', {
        ...NO_API_RATE_LIMIT,
        ALLOWED_RETURN_ORIGINS: `Mein Shop=${host.origin}/account/`,
        CORS_ORIGINS: host.origin,
      });
      baseUrl = instance.baseUrl;
      host.connect(baseUrl);
    });

    afterAll(async () => {
      await chrome?.close();
      await host?.close();
      await instance?.close();
    });

    const openPage = (options: PageOptions = {}) => newPage(chrome, { timezoneId: 'Europe/Berlin', ...options });
    const withReturn = (path: string, value: string) => `${baseUrl}${path}?return_to=${encodeURIComponent(value)}`;
    /** The way back this browser remembers (ui/src/return-to.ts), read on a page of Lifeline. */
    const remembered = async (page: Page) =>
      JSON.parse((await page.evaluate<string | null>("window.localStorage.getItem('lifeline.returnTo')")) ?? 'null') as { path?: string } | null;

    /**
     * Counts the page's requests in flight; `quiet()` waits until none has been for 300 ms (the
     * allow-list a page asks for has arrived, and nothing is left for the next navigation to cancel).
     */
    function inFlight(page: Page): { quiet(): Promise<void> } {
      let open = 0;
      page.on('request', () => void open++);
      page.on('requestfinished', () => void open--);
      page.on('requestfailed', () => void open--);
      return {
        async quiet() {
          let since = performance.now();
          while (performance.now() - since < 300) {
            if (open > 0) since = performance.now();
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        },
      };
    }

    async function signInHere(page: Page, email: string): Promise<void> {
      const w = WORDS.de;
      await page.getByLabel(w.email, { exact: true }).fill(email);
      await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await page.getByRole('main').getByRole('button', { name: w.submit, exact: true }).click();
    }

    /** The host's page at `url`, once its script has asked Lifeline who is signed in. */
    async function atHost(page: Page, url: string, who: string): Promise<void> {
      await page.waitForURL(url);
      await heading(page, HOST.title).waitFor();
      await page.getByText(who, { exact: true }).waitFor();
    }

    it('the sign-in names the application, offers the way back, carries it on, and lands on the host’s page, which reads the session (CORS)', async () => {
      const w = WORDS.de;
      const email = 'greta.hain@example.test';
      const failures: string[] = [];
      await createAccount(instance, email);
      const { page, problems } = await openPage();
      const requests = inFlight(page);
      const target = `${host.origin}/account/orders?tab=open`;

      await page.goto(withReturn('/login', target));
      await heading(page, w.signInTitle).waitFor();
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(w.hint);
      await expect(page.getByRole('link', { name: w.back, exact: true }).getAttribute('href')).resolves.toBe(target);
      await expect(page.getByRole('link', { name: w.register, exact: true }).getAttribute('href')).resolves.toBe(
        `/register?return_to=${encodeURIComponent(target)}`,
      );
      await expect(page.getByRole('link', { name: w.forgot, exact: true }).getAttribute('href')).resolves.toBe(
        `/forgot-password?return_to=${encodeURIComponent(target)}`,
      );
      expect((await remembered(page))?.path).toBe(target);
      await checkState(page, failures, { prefix: 'return-links', state: 'sign-in', lang: 'de', target: 'page' });

      // Before signing in, the host's page hears "not signed in" from the session check.
      await page.getByRole('link', { name: w.back, exact: true }).click();
      await atHost(page, target, HOST.anonymous);
      await page.goBack();
      await heading(page, w.signInTitle).waitFor();

      await signInHere(page, email);
      await atHost(page, target, HOST.signedIn(email));
      expect(host.visits).toContain('/account/orders?tab=open');
      // Used, the way back is forgotten: the profile is where the next sign-in goes.
      await requests.quiet();
      await page.goto(`${baseUrl}/profile`);
      await heading(page, w.profile).waitFor();
      await requests.quiet();
      expect(await remembered(page)).toBeNull();
      await expect(page.getByRole('link', { name: w.back, exact: true }).count()).resolves.toBe(0);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('the profile opened with a return link shows "Zurück zu Mein Shop" above its heading (phone 390×844), which leads back', async () => {
      const w = WORDS.de;
      const email = 'hanna.ried@example.test';
      const failures: string[] = [];
      await createAccount(instance, email);
      const { page, problems } = await openPage();
      const requests = inFlight(page);
      await signIn(page, baseUrl, email);
      // The profile's own requests end before the next page (the browser would cancel them).
      await requests.quiet();
      const target = `${host.origin}/account/`;

      await page.goto(withReturn('/profile', target));
      await heading(page, w.profile).waitFor();
      const back = page.getByRole('link', { name: w.back, exact: true });
      await back.waitFor();
      await expect(back.getAttribute('href')).resolves.toBe(target);
      // It is the first thing of the page's content, before the heading.
      await expect(text(page.getByRole('main').getByRole('link').first())).resolves.toBe(`←${w.back}`);
      await checkState(page, failures, { prefix: 'return-links', state: 'profile', lang: 'de', target: 'viewport' });
      await page.setViewportSize(PHONE_390);
      const width = await scrollWidth(page);
      if (width > PHONE_390.width) failures.push(`profile 390: scrollWidth ${width} (${(await page.evaluate(overflowing)).join(', ')})`);
      await screenshot(page, 'return-links-profile-de-390', { fullPage: false });
      await page.setViewportSize(PHONE);

      await back.click();
      await atHost(page, target, HOST.signedIn(email));
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('a sign-up on the way: the confirmation link’s page offers "Zurück zu Mein Shop" after confirming', async () => {
      const w = WORDS.de;
      const email = 'ilse.kamp@example.test';
      const failures: string[] = [];
      const { page, problems } = await openPage();
      const target = `${host.origin}/account/welcome`;
      await page.goto(withReturn('/register', target));
      await heading(page, w.registerTitle).waitFor();
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(w.registerHint);
      await page.getByLabel(w.email, { exact: true }).fill(email);
      await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: w.create, exact: true }).click();
      await heading(page, w.registerDone).waitFor();

      // The link from the mail, opened in this browser (a new page of it, as a mail program does): the way back comes from its memory.
      const mailTab = await page.context().newPage();
      await mailTab.goto(await tokenLink(baseUrl, email));
      await heading(mailTab, w.confirmTitle).waitFor();
      await mailTab.getByRole('button', { name: w.confirm, exact: true }).click();
      const back = mailTab.getByRole('link', { name: w.back, exact: true });
      await back.waitFor();
      await expect(back.getAttribute('class')).resolves.toBe('button-link');
      await expect(mailTab.getByRole('link', { name: w.toLogin, exact: true }).count()).resolves.toBe(1);
      await checkState(mailTab, failures, { prefix: 'return-links', state: 'confirmed', lang: 'de', target: 'page', focusKept: false });
      await back.click();
      await atHost(mailTab, target, HOST.anonymous);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English: the hint and the way back in English', async () => {
      const { page, problems } = await openPage({ lang: 'en' });
      await page.goto(withReturn('/login', `${host.origin}/account/`));
      await heading(page, 'Sign in').waitFor();
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(WORDS.en.hint);
      await expect(page.getByRole('link', { name: WORDS.en.back, exact: true }).count()).resolves.toBe(1);
      expect(problems).toEqual([]);
    });

    it('hostile return_to values are ignored without a word: no hint, no link, nothing remembered, the sign-in goes to the profile', async () => {
      const w = WORDS.de;
      const email = 'jule.berg@example.test';
      await createAccount(instance, email);
      const { page, problems } = await openPage();
      const requests = inFlight(page);
      const { host: hostPort, port } = new URL(host.origin);
      const hostile = [
        'https://evil.example/account/',
        `${host.origin}/admin`,
        `${host.origin}/accounting`,
        `${host.origin}/account/../admin`,
        `${host.origin}/account/%2e%2e/admin`,
        `${host.origin}/account%2f..%2fadmin`,
        `https://${hostPort}/account/`,
        `http://127.0.0.1:${Number(port) + 1}/account/`,
        `//${hostPort}/account/`,
        `/\\${hostPort}/account/`,
        `http://${hostPort}@evil.example/account/`,
        `http://evil.example@${hostPort}/account/`,
        `http://127.0.0.1.evil.example:${port}/account/`,
        `http:${hostPort}/account/`,
        encodeURIComponent(`${host.origin}/account/`),
        ` ${host.origin}/account/`,
        'javascript:alert(document.domain)',
        'JaVaScRiPt:alert(1)//http://',
        'data:text/html,<script>alert(1)</script>',
        `${host.origin}/account/${'a'.repeat(2100)}`,
      ];
      for (const value of hostile) {
        await page.goto(withReturn('/login', value));
        await heading(page, w.signInTitle).waitFor();
        // The allow-list has arrived (the page asks for it for an absolute URL): still nothing.
        await requests.quiet();
        await expect(page.getByRole('main').getByRole('status').count(), value).resolves.toBe(0);
        await expect(page.getByRole('link', { name: /^Zurück zu/ }).count(), value).resolves.toBe(0);
        await expect(page.getByRole('link', { name: w.register, exact: true }).getAttribute('href'), value).resolves.toBe('/register');
        expect(await remembered(page), value).toBeNull();
      }
      // Signing in from the last one goes to the profile, which shows no way back for a hostile value either.
      await signInHere(page, email);
      await page.waitForURL(`${baseUrl}/profile`);
      await heading(page, w.profile).waitFor();
      await requests.quiet();
      for (const value of hostile.slice(0, 4)) {
        await page.goto(withReturn('/profile', value));
        await heading(page, w.profile).waitFor();
        await requests.quiet();
        await expect(page.getByRole('link', { name: /^Zurück zu/ }).count(), value).resolves.toBe(0);
      }
      expect(host.visits.filter((visit) => visit.startsWith('/admin'))).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
}
