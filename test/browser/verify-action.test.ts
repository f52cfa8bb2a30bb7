import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { maskEmail } from '../../src/contract/email-address.js';
import { apiClient } from '../helpers/api-client.js';
import { launchChromium, type TestBrowser, waitFor } from '../helpers/browser.js';
import {
  createAccount,
  ownerApi,
  mailbox,
  NO_API_RATE_LIMIT,
  PASSWORD,
  startInstance,
  tokenLink,
  type Instance,
  type Lang,
  type MailboxMessage,
} from '../helpers/browser-instance.js';
import { checkState, DESKTOP, focusInfo, heading, newPage, PHONE_DEVICE, tabTo, text, type PageOptions } from '../helpers/browser-page.js';

/**
 * "Aktion bestätigen" (/verify-action) in a real Chromium against a real server, with
 * a host application of its own: a tiny node:http server on loopback (its origin is the
 * instance's ALLOWED_RETURN_ORIGINS) whose page has "Daten exportieren"; that button posts to
 * the host, whose backend starts a verification with its API key (POST /api/v1/verifications)
 * and sends the browser (303) to Lifeline's `url`. Lifeline's page lets the user pick a
 * confirmed channel (masked), sends the code and checks it, then returns to the host's /done
 * with `verification=<id>`; the host's backend asks GET /verifications/{id} and consumes it
 * (200 once, 409 for a replayed return) and says "Export freigegeben".
 * German on a phone (375 px), by keyboard only: the recovery email chosen ("Code senden"
 * without a choice first), a wrong code (the tries left at the field, the focus stays in it),
 * the right one → back at the host, export granted; the same return again → 409 at the host;
 * Back from the host → the page without its token says that it is over. English: the login
 * email's link opened in a second browser confirms with its button (that browser stays on
 * Lifeline's "Confirmed"); the first page, still at the code, moves on by itself (it asks every
 * 4 s) and returns to the host; the used link then says "Confirmation no longer possible". Dead
 * tokens: a forged page token, and a record failed by five wrong codes. On every state no
 * console error, failed request or CSP report (but those the test provokes), no serious axe
 * violation, no sideways scrolling at 375 px; screenshots at 1280 and 375 px in
 * test-results/screenshots/verify-action-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The host's name for its action (shown on the page and in the message) and its API key's name (shown as who asks). */
const ACTION = 'export-data';
const KEY_NAME = 'shop';

/** The words of the page (ui.verifyAction and errors in src/i18n). */
const WORDS = {
  de: {
    title: 'Aktion bestätigen',
    intro: `${KEY_NAME} bittet Sie, die Aktion „${ACTION}“ zu bestätigen. Damit zeigen Sie, dass Sie es sind.`,
    legend: 'Wohin sollen wir den Code senden?',
    channels: {
      'login-email': (masked: string) => `E-Mail an ${masked} (Anmeldeadresse)`,
      'recovery-email': (masked: string) => `E-Mail an ${masked} (Wiederherstellungs-Adresse)`,
    },
    required: 'Bitte wählen Sie, wohin wir den Code senden sollen.',
    send: 'Code senden',
    codeTitle: 'Code eingeben',
    sentEmail: (masked: string) =>
      `Wir haben einen Code an ${masked} gesendet. Er ist 15 Minuten gültig. Sie können auch auf die Schaltfläche in der E-Mail klicken.`,
    labelEmail: 'Code aus der E-Mail (8 Zeichen)',
    wrongCode: (tries: number) => `Der Code ist falsch. Sie haben noch ${tries} ${tries === 1 ? 'Versuch' : 'Versuche'}.`,
    confirm: 'Bestätigen',
    resend: 'Code erneut senden',
    resendIn: /^Erneut senden ist in \d+ Sekunden möglich\.$/,
    other: 'Anderen Weg wählen',
    goneTitle: 'Bestätigung nicht mehr möglich',
    gone: 'Diese Bestätigung ist abgelaufen, fehlgeschlagen oder wurde schon abgeschlossen. Beginnen Sie die Aktion in der Anwendung neu.',
  },
  en: {
    title: 'Confirm an action',
    intro: `${KEY_NAME} asks you to confirm the action “${ACTION}”. This shows that it is really you.`,
    channels: { 'login-email': (masked: string) => `Email to ${masked} (sign-in address)` },
    send: 'Send code',
    codeTitle: 'Enter the code',
    sentEmail: (masked: string) => `We have sent a code to ${masked}. It is valid for 15 minutes. You can also click the button in the email.`,
    labelEmail: 'Code from the email (8 characters)',
    confirm: 'Confirm',
    other: 'Choose another channel',
    linkIntro: 'The button confirms the action you received this email for.',
    doneTitle: 'Confirmed',
    doneElsewhere: 'The action is confirmed. You can go back to the page where you started it.',
    goneTitle: 'Confirmation no longer possible',
  },
} as const;

/** The host application's words (its own page, German). */
const HOST = { title: 'Mein Shop', exportButton: 'Daten exportieren', granted: 'Export freigegeben', refused: 'Export nicht freigegeben' } as const;

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page of the host application (its own tiny HTML: a language, a title, a main landmark, no favicon request). */
function hostPage(heading: string, body: string): string {
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(HOST.title)}</title><link rel="icon" href="data:,"></head><body><main><h1>${escapeHtml(heading)}</h1>${body}</main></body></html>`;
}

/** One return to the host's /done as its backend saw it. */
interface HostReturn {
  readonly verification: string | null;
  /** The status of GET /api/v1/verifications/{id} and of the consume after it (0: not called). */
  readonly statusCheck: number;
  readonly consume: number;
  /** The Referer the browser sent (Lifeline's pages send none: their `?token=` must not leak). */
  readonly referer: string | undefined;
}

/** The host application: its origin, what its backend did, and how to stop it. */
interface HostApp {
  readonly origin: string;
  /** Lifeline's address and the API key, known once the instance runs (whose ALLOWED_RETURN_ORIGINS needs this origin first). */
  connect(lifeline: string, key: string): void;
  /** What the host's backend does behind "Daten exportieren": starts a verification, answers its id and `url`. */
  start(accountId: string): Promise<{ id: string; url: string }>;
  /** Every return to /done, in order. */
  readonly returns: HostReturn[];
  close(): Promise<void>;
}

/**
 * The host application, a node:http server on 127.0.0.1 (a random port):
 * GET /?account=<id> its page with "Daten exportieren" (a form POST to /export);
 * POST /export starts a verification with its API key and answers 303 to Lifeline's `url`;
 * GET /done?verification=<id> asks the record's status, checks it is this action for the
 * account it started it for, consumes it and says "Export freigegeben" (200), or why not (409).
 */
async function startHost(): Promise<HostApp> {
  let lifeline = '';
  let key = '';
  const started = new Map<string, { accountId: string }>();
  const returns: HostReturn[] = [];
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    fetch(`${lifeline}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function start(accountId: string): Promise<{ id: string; url: string }> {
    const response = await call('POST', '/api/v1/verifications', { accountId, action: ACTION, returnTo: `${origin}/done` });
    if (response.status !== 201) throw new Error(`POST /api/v1/verifications: ${response.status} ${await response.text()}`);
    const answer = (await response.json()) as { id: string; url: string };
    started.set(answer.id, { accountId });
    return answer;
  }

  const readBody = async (request: IncomingMessage) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    return new URLSearchParams(body);
  };
  const send = (response: ServerResponse, status: number, html: string) =>
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', origin);
    if (request.method === 'GET' && url.pathname === '/') {
      const account = url.searchParams.get('account') ?? '';
      return void send(
        response,
        200,
        hostPage(
          HOST.title,
          `<p>Ihre Bestellungen und Adressen als Datei.</p><form method="post" action="/export"><input type="hidden" name="account" value="${escapeHtml(account)}"><button type="submit">${escapeHtml(HOST.exportButton)}</button></form>`,
        ),
      );
    }
    if (request.method === 'POST' && url.pathname === '/export') {
      const { url: next } = await start((await readBody(request)).get('account') ?? '');
      return void response.writeHead(303, { location: next }).end();
    }
    if (request.method === 'GET' && url.pathname === '/done') {
      const id = url.searchParams.get('verification');
      const mine = id === null ? undefined : started.get(id);
      let statusCheck = 0;
      let consume = 0;
      let reason = 'unbekannte Bestätigung';
      if (id !== null && mine) {
        const status = await call('GET', `/api/v1/verifications/${encodeURIComponent(id)}`);
        statusCheck = status.status;
        const record = (await status.json()) as { status?: string; action?: string; accountId?: string };
        if (status.status === 200 && record.status === 'verified' && record.action === ACTION && record.accountId === mine.accountId) {
          const consumed = await call('POST', `/api/v1/verifications/${encodeURIComponent(id)}/consume`);
          consume = consumed.status;
          reason = consumed.status === 200 ? '' : `${consumed.status} ${((await consumed.json()) as { code?: string }).code ?? ''}`;
        } else {
          reason = `${status.status} ${record.status ?? ''}`;
        }
      }
      returns.push({ verification: id, statusCheck, consume, referer: request.headers.referer });
      return void (consume === 200
        ? send(response, 200, hostPage(HOST.granted, '<p>Die Datei wird erstellt.</p>'))
        : send(response, 409, hostPage(HOST.refused, `<p>${escapeHtml(reason)}</p>`)));
    }
    send(response, 404, hostPage('Nicht gefunden', ''));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, hostPage('Fehler', `<p>${escapeHtml(String(error))}</p>`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    connect(address, apiKey) {
      lifeline = address;
      key = apiKey;
    },
    start,
    returns,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: "Aktion bestätigen" for a host application (/verify-action)', () => {
    let host: HostApp;
    let instance: Instance;
    let baseUrl: string;
    let chrome: TestBrowser;
    let apiKey: string;

    beforeAll(async () => {
      host = await startHost();
      [instance, chrome] = await Promise.all([
        startInstance('lifeline-verify-action-ui-', { ...NO_API_RATE_LIMIT, ALLOWED_RETURN_ORIGINS: host.origin }),
        launchChromium(chromiumPath),
      ]);
      baseUrl = instance.baseUrl;
      ({ key: apiKey } = await instance.server.services.apiKeys.create(KEY_NAME));
      host.connect(baseUrl, apiKey);
    });

    afterAll(async () => {
      await chrome?.close();
      await instance?.close();
      await host?.close();
    });

    /** A fresh page in its own context (own cookies: another device); error answers the test provokes are listed. */
    const openPage = (options: PageOptions = {}) => newPage(chrome, { timezoneId: 'Europe/Berlin', ...options });

    /**
     * One state of the page (checkState): screenshots of the full page as
     * verify-action-<state>-<lang>-<width>.png; a phone's page is back at its own width after.
     */
    async function check(page: Page, failures: string[], lang: Lang, state: string): Promise<void> {
      const size = page.viewportSize();
      await checkState(page, failures, { prefix: 'verify-action', state, lang, target: 'page' });
      if (size && size.width !== DESKTOP.width) await page.setViewportSize(size);
    }

    /** The host's API call with its key (what its backend would do), as a status. */
    const hostCall = async (method: 'GET' | 'POST', path: string, body?: unknown) =>
      (
        await fetch(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ).status;

    /** The account id of `email` (what a host knows of its user: `account.id` of GET /api/v1/session). */
    async function accountIdOf(email: string): Promise<string> {
      const client = apiClient(instance.server.app);
      expect((await client.post('/api/v1/login', { email, password: PASSWORD })).status).toBe(200);
      const session = await client.get('/api/v1/session');
      return (session.body.account as { id: string }).id;
    }

    /** A confirmed recovery email `address` for `email`, set up over the API with the link of its mail (as security-undo.test.ts does). */
    async function withRecoveryEmail(email: string, address: string): Promise<void> {
      const client = await ownerApi(instance, email);
      expect((await client.put('/api/v1/recovery/email', { address })).status).toBe(202);
      const token = new URL(await tokenLink(baseUrl, address)).searchParams.get('token');
      expect((await apiClient(instance.server.app).post('/api/v1/recovery/email/confirm', { token })).status).toBe(200);
    }

    const isVerificationMail = (message: MailboxMessage) => message.channel === 'email' && message.text.includes('/verify-action?token=');

    /** The verification mails to `to`, newest first. */
    const verificationMails = async (to: string) => (await mailbox(baseUrl)).filter((message) => message.to === to && isVerificationMail(message));

    /** The code (8 Crockford characters alone on a line) and the link of the newest verification mail to `to`, once there are more than `before`. */
    async function verificationMail(to: string, before = 0): Promise<{ code: string; link: string; mail: MailboxMessage }> {
      const mail = await waitFor(async () => {
        const list = await verificationMails(to);
        return list.length > before ? list[0] : undefined;
      }, `a verification mail to ${to}`);
      const code = /^\s*([0-9A-HJKMNP-TV-Z]{8})\s*$/m.exec(mail.text)?.[1] ?? '';
      const link = /https?:\/\/[^\s"<>]+\/verify-action\?token=[^\s"<>]+/.exec(mail.text)?.[0] ?? '';
      expect(code, mail.text).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(new URL(link).origin).toBe(baseUrl);
      // The link's token (`id.secret`) is not the page's token: it confirms this record only.
      expect(new URL(link).searchParams.get('token')).toContain('.');
      return { code, link, mail };
    }

    /** A code that is not `code` (same form). */
    const wrongCodeFor = (code: string) => (code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');

    /** The error of the field labelled `label` (role=alert next to it). */
    const fieldError = (page: Page, label: string) =>
      page
        .locator('.field')
        .filter({ has: page.getByLabel(label, { exact: true }) })
        .getByRole('alert');

    /** The host's page with "Daten exportieren", pressed (by keyboard or click): Lifeline's page of the new record, its token gone from the address bar. */
    async function exportAtHost(page: Page, accountId: string, how: 'keyboard' | 'click'): Promise<void> {
      await page.goto(`${host.origin}/?account=${encodeURIComponent(accountId)}`);
      await page.getByRole('heading', { level: 1, name: HOST.title }).waitFor();
      if (how === 'keyboard') await tabTo(page, HOST.exportButton);
      else await page.getByRole('button', { name: HOST.exportButton, exact: true }).click();
      await page.waitForURL(`${baseUrl}/verify-action**`);
      await waitFor(async () => (new URL(page.url()).searchParams.has('token') ? undefined : true), 'the token gone from the address');
    }

    /** Back at the host's /done: its page says whether the export was granted. */
    async function atHost(page: Page, words: string): Promise<void> {
      await page.waitForURL(`${host.origin}/done?**`, { timeout: 15_000 });
      await page.getByRole('heading', { level: 1, name: words, exact: true }).waitFor();
    }

    it('German on a phone, by keyboard: the recovery email, a wrong code, the right one → back at the host, export granted once; a replayed return refused; Back says it is over', async () => {
      const w = WORDS.de;
      const login = 'jonas.brandt@example.test';
      const recovery = 'jonas.privat@example.net';
      const failures: string[] = [];
      await createAccount(instance, login, { locale: 'de' });
      await withRecoveryEmail(login, recovery);
      const accountId = await accountIdOf(login);

      const { page, problems } = await openPage({
        lang: 'de',
        ...PHONE_DEVICE,
        expected: [
          { status: 400, path: '/api/v1/verification-page/code' },
          { status: 409, path: '/done' },
        ],
      });

      // The host's page: "Daten exportieren" by keyboard → Lifeline's page, the token out of the address bar.
      await exportAtHost(page, accountId, 'keyboard');
      await heading(page, w.title).waitFor();
      const group = page.getByRole('radiogroup', { name: w.legend, exact: true });
      const radios = group.getByRole('radio');
      await expect(radios.count()).resolves.toBe(2);
      await expect(text(page.getByRole('main').locator('p').first())).resolves.toBe(w.intro);
      // Both confirmed email addresses, masked; nothing chosen: the choice is the user's.
      const labels = (await group.locator('.choice-label').allTextContents()).map((label) => label.replace(/\s+/g, ' ').trim());
      expect(labels).toEqual([w.channels['login-email'](maskEmail(login)), w.channels['recovery-email'](maskEmail(recovery))]);
      expect(labels.join(' ')).not.toContain('jonas.privat');
      for (let i = 0; i < 2; i++) await expect(radios.nth(i).isChecked()).resolves.toBe(false);
      await check(page, failures, 'de', 'choose');

      // "Code senden" without a choice: said at the group; nothing sent.
      await tabTo(page, w.send);
      await expect(text(group.getByRole('alert'))).resolves.toBe(w.required);
      await expect(group.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'button', name: w.send });
      await check(page, failures, 'de', 'choose-required');
      expect(await verificationMails(recovery)).toEqual([]);

      // Back into the group (Shift+Tab lands on its last radio, the recovery email), Space picks it.
      await page.keyboard.press('Shift+Tab');
      await expect(page.evaluate<string>('document.activeElement?.value ?? ""')).resolves.toBe('recovery-email');
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', focusVisible: true });
      await page.keyboard.press('Space');
      await expect(radios.nth(1).isChecked()).resolves.toBe(true);
      await expect(group.getByRole('alert').count()).resolves.toBe(0);
      await tabTo(page, w.send);

      // The code step: its heading has the focus; the code went to the recovery email (masked), not to the login address.
      const codeField = page.getByLabel(w.labelEmail, { exact: true });
      await codeField.waitFor();
      await heading(page, w.codeTitle).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.codeTitle, outlineStyle: 'none' });
      await expect(text(page.locator('.step-intro'))).resolves.toBe(w.sentEmail(maskEmail(recovery)));
      await expect(codeField.getAttribute('autocomplete')).resolves.toBe('one-time-code');
      const resend = page.getByRole('button', { name: w.resend, exact: true });
      await expect(resend.getAttribute('aria-disabled')).resolves.toBe('true');
      await expect(text(page.locator('.resend .hint'))).resolves.toMatch(w.resendIn);
      await expect(resend.getAttribute('aria-describedby').then((id) => text(page.locator(`[id="${id}"]`)))).resolves.toMatch(w.resendIn);
      await expect(page.getByRole('button', { name: w.other, exact: true }).count()).resolves.toBe(1);
      const { code, mail } = await verificationMail(recovery);
      expect(mail.subject).toBe(`Lifeline: Ihr Code zur Bestätigung von „${ACTION}“`);
      expect(await verificationMails(login)).toEqual([]);
      await check(page, failures, 'de', 'code');

      // A wrong code by keyboard: said at the field with the tries left; the focus stays in the field.
      await tabTo(page, w.labelEmail, { press: null, max: 1 });
      await page.keyboard.type(wrongCodeFor(code));
      await page.keyboard.press('Enter');
      await expect(text(fieldError(page, w.labelEmail))).resolves.toBe(w.wrongCode(4));
      await expect(codeField.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'input', name: w.labelEmail, focusVisible: true });
      await check(page, failures, 'de', 'wrong-code');

      // The right code, typed as a person may (lower case, a dash in the middle) → back at the host, granted.
      await page.keyboard.press('Control+A');
      await page.keyboard.type(`${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase());
      await expect(fieldError(page, w.labelEmail).count()).resolves.toBe(0);
      await page.keyboard.press('Enter');
      await atHost(page, HOST.granted);
      const id = new URL(page.url()).searchParams.get('verification');
      expect(host.returns).toEqual([{ verification: id, statusCheck: 200, consume: 200, referer: undefined }]);

      // The same return again (a reload, or a replayed redirect): the record is spent, the host refuses.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: HOST.refused, exact: true }).waitFor();
      await expect(text(page.getByRole('main').locator('p'))).resolves.toBe('409 verification-not-redeemable');
      expect(host.returns.map((r) => r.consume)).toEqual([200, 409]);
      expect(await hostCall('POST', `/api/v1/verifications/${id}/consume`)).toBe(409);

      // Back from the host: Lifeline's page (its address no longer has the token) says it is over.
      await page.goBack();
      await page.waitForURL(`${baseUrl}/verify-action`);
      await heading(page, w.goneTitle).waitFor();
      await expect(text(page.getByRole('main').locator('p'))).resolves.toBe(w.gone);
      await check(page, failures, 'de', 'gone-after-return');

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('English: the email’s link confirms in a second browser; the first page, still at the code, returns to the host by itself; the used link is dead', async () => {
      const w = WORDS.en;
      const login = 'nora.quinn@example.test';
      const failures: string[] = [];
      await createAccount(instance, login, { locale: 'en' });
      const accountId = await accountIdOf(login);
      const returnsBefore = host.returns.length;

      const { page, problems } = await openPage({ lang: 'en' });
      await exportAtHost(page, accountId, 'click');
      await heading(page, w.title).waitFor();
      // The login email is the one channel: chosen already.
      const radio = page.getByRole('radio', { name: w.channels['login-email'](maskEmail(login)), exact: true });
      await expect(radio.isChecked()).resolves.toBe(true);
      await expect(text(page.getByRole('main').locator('p').first())).resolves.toBe(w.intro);
      await check(page, failures, 'en', 'choose');
      await page.getByRole('button', { name: w.send, exact: true }).click();
      await heading(page, w.codeTitle).waitFor();
      await expect(text(page.locator('.step-intro'))).resolves.toBe(w.sentEmail(maskEmail(login)));
      await page.getByLabel(w.labelEmail, { exact: true }).waitFor();
      // One channel: no "Choose another channel".
      await expect(page.getByRole('button', { name: w.other, exact: true }).count()).resolves.toBe(0);
      await check(page, failures, 'en', 'code');
      const { link } = await verificationMail(login);

      // Another browser: the link's page changes nothing until its button.
      const other = await openPage({ lang: 'en', expected: [{ status: 410, path: '/api/v1/verification-page/link' }] });
      const response = await other.page.goto(link);
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');
      await heading(other.page, w.title).waitFor();
      // It names what it confirms first (read without using the link), then what the button does.
      const concerns = other.page.getByRole('main').locator('p').first();
      await concerns.locator('time').waitFor();
      await expect(text(concerns)).resolves.toMatch(new RegExp(`^You are confirming “${ACTION}”, requested by shop on \\d{1,2} \\p{L}+ \\d{4}`, 'u'));
      await expect(text(other.page.getByRole('main').locator('p').nth(1))).resolves.toBe(w.linkIntro);
      await waitFor(async () => (new URL(other.page.url()).searchParams.has('token') ? undefined : true), 'the token gone from the address');
      await check(other.page, failures, 'en', 'link');

      // Its button by keyboard: confirmed there; that browser is not the one that asked, so it stays on Lifeline.
      await tabTo(other.page, w.confirm);
      await heading(other.page, w.doneTitle).waitFor();
      await expect(other.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.doneTitle, outlineStyle: 'none' });
      await expect(text(other.page.getByRole('main').locator('p'))).resolves.toBe(w.doneElsewhere);
      expect(new URL(other.page.url()).origin).toBe(baseUrl);
      await check(other.page, failures, 'en', 'link-done');

      // The first page moves on by itself (it asks every 4 s) and returns to the host: granted.
      await atHost(page, HOST.granted);
      expect(host.returns.slice(returnsBefore)).toEqual([
        { verification: new URL(page.url()).searchParams.get('verification'), statusCheck: 200, consume: 200, referer: undefined },
      ]);

      // The link again: used up. The page reads the link first and says so without a button.
      await other.page.goto(link);
      await heading(other.page, w.goneTitle).waitFor();
      await expect(other.page.getByRole('button', { name: w.confirm, exact: true }).count()).resolves.toBe(0);
      await expect(other.page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.goneTitle, outlineStyle: 'none' });
      await check(other.page, failures, 'en', 'gone');

      expect(problems).toEqual([]);
      expect(other.problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('dead tokens: a forged page token, and a record failed by five wrong codes, say “Bestätigung nicht mehr möglich”', async () => {
      const w = WORDS.de;
      const login = 'ella.vogt@example.test';
      const recovery = 'ella.zweit@example.org';
      const failures: string[] = [];
      await createAccount(instance, login, { locale: 'de' });
      await withRecoveryEmail(login, recovery);
      const accountId = await accountIdOf(login);

      const { page, problems } = await openPage({
        lang: 'de',
        expected: [
          { status: 410, path: '/api/v1/verification-page' },
          { status: 400, path: '/api/v1/verification-page/code' },
        ],
      });

      // A token of the right form that no record has.
      await page.goto(`${baseUrl}/verify-action?token=${'Q'.repeat(43)}`);
      await heading(page, w.goneTitle).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.goneTitle, outlineStyle: 'none' });
      await expect(text(page.getByRole('main').locator('p'))).resolves.toBe(w.gone);
      await waitFor(async () => (new URL(page.url()).searchParams.has('token') ? undefined : true), 'the token gone from the address');
      await check(page, failures, 'de', 'gone');

      // A real record: the code to the login address first, then "Anderen Weg wählen" (the heading
      // takes the focus, the channel of the code step is still chosen) and the recovery email.
      const started = await host.start(accountId);
      await page.goto(started.url);
      await heading(page, w.title).waitFor();
      await page.getByRole('radio', { name: w.channels['login-email'](maskEmail(login)), exact: true }).check();
      await page.getByRole('button', { name: w.send, exact: true }).click();
      const codeField = page.getByLabel(w.labelEmail, { exact: true });
      await codeField.waitFor();
      await expect(text(page.locator('.step-intro'))).resolves.toBe(w.sentEmail(maskEmail(login)));
      await verificationMail(login);
      await page.getByRole('button', { name: w.other, exact: true }).click();
      await heading(page, w.title).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.title, outlineStyle: 'none' });
      await expect(page.getByRole('radio', { name: w.channels['login-email'](maskEmail(login)), exact: true }).isChecked()).resolves.toBe(true);
      await page.getByRole('radio', { name: w.channels['recovery-email'](maskEmail(recovery)), exact: true }).check();
      await page.getByRole('button', { name: w.send, exact: true }).click();
      await codeField.waitFor();
      await expect(text(page.locator('.step-intro'))).resolves.toBe(w.sentEmail(maskEmail(recovery)));

      // Its code guessed five times: the fifth wrong code fails the record, and the page says so (not "0 Versuche").
      const { code } = await verificationMail(recovery);
      for (let tries = 4; tries >= 1; tries--) {
        await codeField.fill(wrongCodeFor(code));
        await page.getByRole('button', { name: w.confirm, exact: true }).click();
        await expect(text(fieldError(page, w.labelEmail))).resolves.toBe(w.wrongCode(tries));
      }
      await codeField.fill(wrongCodeFor(code));
      await page.getByRole('button', { name: w.confirm, exact: true }).click();
      await heading(page, w.goneTitle).waitFor();
      await expect(page.evaluate(focusInfo)).resolves.toMatchObject({ tag: 'h1', name: w.goneTitle });
      const status = await fetch(`${baseUrl}/api/v1/verifications/${started.id}`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(((await status.json()) as { status: string }).status).toBe('failed');
      // The right code no longer helps: the record is over.
      expect(await hostCall('POST', `/api/v1/verifications/${started.id}/code`, { code })).toBe(409);
      expect(await hostCall('POST', `/api/v1/verifications/${started.id}/consume`)).toBe(409);
      await check(page, failures, 'de', 'gone-failed');

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
