import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot, seriousAxeViolations, waitFor, type TestBrowser } from '../helpers/browser.js';
import { createAccount, mailbox, NO_API_RATE_LIMIT, PASSWORD, startInstance, tokenLink, type Instance, type Lang } from '../helpers/browser-instance.js';
import { DESKTOP, heading, newPage, overflowing, PHONE, scrollWidth, signIn, text, type PageOptions } from '../helpers/browser-page.js';
import {
  authorizationRequest,
  idTokenClaims,
  redeemCode,
  startRelyingParty,
  type AuthorizationRequest,
  type RelyingParty,
  type RelyingPartyClient,
} from '../helpers/oidc-relying-party.js';

/**
 * Signing in to a host application through Lifeline (OpenID Connect, docs/oidc.md) in a real
 * Chromium against a real server, with a loopback host application as the redirect_uri. Without
 * a Lifeline session: /oidc/auth (PKCE S256, state, nonce, "openid email offline_access") → the
 * sign-in page, which says another application sent the user → signing in continues to the
 * client with a code and the same state; the code gives an ID token (and, first-party, a refresh
 * token). The way back survives a detour: "Jetzt registrieren" + the confirmation link, and
 * "Passwort vergessen?" + the mailed code; a `return_to` that is not an interaction path is
 * ignored (no open redirect). With a session: a third-party client's consent page in German and
 * English lists the scopes ("Ablehnen" → access_denied, "Erlauben" → a code); prompt=login and
 * max_age ask for the password (a wrong one said on the page). Every state: no console error,
 * failed request or CSP report, no serious axe violation, no sideways scrolling at 390 px (nor
 * 375 px); screenshots at 1280 and 390 px in test-results/screenshots/oidc-sign-in-<state>-<lang>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The phone of these screenshots (a current phone's CSS width); 375 px is checked too (browser-page.ts PHONE). */
const PHONE_390 = { width: 390, height: 844 } as const;

const WORDS = {
  de: {
    signInTitle: 'Anmelden',
    hint: 'Eine andere Anwendung hat Sie zur Anmeldung hierher geschickt. Nach der Anmeldung geht es dort weiter.',
    email: 'E-Mail-Adresse',
    password: 'Passwort',
    submit: 'Anmelden',
    register: 'Jetzt registrieren',
    registerTitle: 'Registrieren',
    registerHint:
      'Eine andere Anwendung hat Sie hierher geschickt. Wenn Sie Ihre Adresse bestätigt haben und sich innerhalb einer Stunde in diesem Browser anmelden, geht es dort weiter.',
    create: 'Konto anlegen',
    registerDone: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
    confirmTitle: 'E-Mail-Adresse bestätigen',
    confirm: 'E-Mail-Adresse bestätigen',
    toLogin: 'Zur Anmeldung',
    forgot: 'Passwort vergessen?',
    identifier: 'E-Mail-Adresse oder Telefonnummer',
    sendCode: 'Code senden',
    emailCode: 'Code aus der E-Mail',
    confirmCode: 'Bestätigen',
    newPasswordTitle: 'Neues Passwort festlegen',
    newPassword: 'Neues Passwort',
    repeat: 'Neues Passwort wiederholen',
    save: 'Passwort speichern',
    passwordReset: 'Ihr Passwort wurde geändert. Melden Sie sich mit dem neuen Passwort an.',
    profile: 'Sicherheit auf einen Blick',
    consentTitle: 'Zugriff erlauben?',
    consentIntro: (client: string, email: string) => `„${client}“ möchte Sie mit Ihrem Lifeline-Konto (${email}) anmelden und erhält dafür:`,
    scopes: [
      'Ihre Konto-Kennung (damit die Anwendung Sie wiedererkennt)',
      'Ihre Anmelde-E-Mail-Adresse',
      'Zugriff, solange Sie nicht da sind (bleibt angemeldet, bis Sie den Zugriff beenden)',
    ],
    allow: 'Erlauben',
    deny: 'Ablehnen',
    passwordTitle: 'Passwort bestätigen',
    passwordIntro: (client: string, email: string) => `„${client}“ verlangt, dass Sie Ihr Passwort jetzt noch einmal eingeben (${email}).`,
    passwordSubmit: 'Bestätigen und weiter',
    passwordWrong: 'Das Passwort ist nicht richtig. Bitte versuchen Sie es erneut.',
  },
  en: {
    signInTitle: 'Sign in',
    hint: 'Another application sent you here to sign in. After signing in, you will continue there.',
    email: 'Email address',
    password: 'Password',
    submit: 'Sign in',
    consentTitle: 'Allow access?',
    consentIntro: (client: string, email: string) => `“${client}” wants to sign you in with your Lifeline account (${email}) and receives:`,
    scopes: [
      'Your account identifier (so the application recognises you)',
      'Your sign-in email address',
      'Access while you are away (stays signed in until you end the access)',
    ],
    allow: 'Allow',
    deny: 'Deny',
  },
} as const;

/** The new password of the reset (strong enough for the policy). */
const NEW_PASSWORD = 'Wolkenband Kiesel Laterne 9';
/** The sign-in page as the provider's interaction sends a browser there. */
const SIGN_IN_WITH_RETURN = /\/login\?return_to=%2Foidc%2Finteraction%2F[A-Za-z0-9_-]+$/;

// Without Chromium the global setup has already said loudly that browser tests do not run.
if (chromiumPath) {
  describe('browser: signing in to a host application through Lifeline (OpenID Connect)', () => {
    let instance: Instance;
    let baseUrl: string;
    let chrome: TestBrowser;
    let host: RelyingParty;
    let firstParty: RelyingPartyClient;
    let thirdParty: RelyingPartyClient;

    beforeAll(async () => {
      [instance, chrome, host] = await Promise.all([startInstance('lifeline-oidc-ui-', NO_API_RATE_LIMIT), launchChromium(chromiumPath), startRelyingParty()]);
      baseUrl = instance.baseUrl;
      const register = async (name: string, path: string, first: boolean): Promise<RelyingPartyClient> => {
        const redirectUri = `${host.origin}${path}`;
        const made = await instance.server.services.oidc.clients.create({ name, redirectUris: [redirectUri], firstParty: first, public: false });
        return { clientId: made.clientId, clientSecret: made.clientSecret ?? '', redirectUri };
      };
      firstParty = await register('Notizen', '/cb-first', true);
      thirdParty = await register('Kalender Plus', '/cb-third', false);
    });

    afterAll(async () => {
      await chrome?.close();
      await host?.close();
      await instance?.close();
    });

    const openPage = (options: PageOptions = {}) => newPage(chrome, { timezoneId: 'Europe/Berlin', ...options });

    /**
     * One state of a page: its language, axe (serious and critical), no sideways scrolling at
     * 1280, 390 and 375 px, screenshots of the full page at 1280 and 390 px; the page is back at
     * its own size after. What is off goes to `failures` (expected empty at the end).
     */
    async function check(page: Page, failures: string[], lang: Lang, state: string): Promise<void> {
      const own = page.viewportSize() ?? DESKTOP;
      expect(await page.getAttribute('html', 'lang'), state).toBe(lang);
      for (const v of await seriousAxeViolations(page))
        failures.push(`${state} ${lang}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
      for (const size of [DESKTOP, PHONE_390, PHONE]) {
        await page.setViewportSize(size);
        const name = `oidc-sign-in-${state}-${lang}-${size.width}`;
        const width = await scrollWidth(page);
        if (width > size.width) failures.push(`${name}: scrollWidth ${width} (${(await page.evaluate(overflowing)).join(', ')})`);
        if (size !== PHONE) await screenshot(page, name, { fullPage: true });
      }
      await page.setViewportSize(own);
    }

    /** Fills the sign-in form of the page the browser is on and sends it. */
    async function signInHere(page: Page, email: string, password = PASSWORD, lang: Lang = 'de'): Promise<void> {
      const w = WORDS[lang];
      await page.getByLabel(w.email, { exact: true }).fill(email);
      await page.getByLabel(w.password, { exact: true }).fill(password);
      await page.getByRole('main').getByRole('button', { name: w.submit, exact: true }).click();
    }

    /** Opens the authorization request and waits for the sign-in page with the way back and its hint. */
    async function toSignInPage(page: Page, request: AuthorizationRequest, lang: Lang = 'de'): Promise<void> {
      await page.goto(request.url);
      await page.waitForURL(SIGN_IN_WITH_RETURN);
      await heading(page, WORDS[lang].signInTitle).waitFor();
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(WORDS[lang].hint);
    }

    /** Waits until the browser is at the client's redirect_uri (the arrival after the first `before`), with the request's state. */
    async function arrived(page: Page, client: RelyingPartyClient, request: AuthorizationRequest, before: number): Promise<URLSearchParams> {
      await page.waitForURL((url) => url.href.startsWith(`${client.redirectUri}?`));
      const { query } = await host.arrivalAt(client.redirectUri, before);
      expect(query.get('state')).toBe(request.state);
      expect(new URL(page.url()).searchParams.get('state')).toBe(request.state);
      return query;
    }

    /** The code of an arrival: present, no error, the issuer named (RFC 9207). */
    function codeOf(query: URLSearchParams): string {
      expect(query.get('error'), query.toString()).toBeNull();
      expect(query.get('iss')).toBe(`${baseUrl}/oidc`);
      const code = query.get('code');
      expect(code).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      return code ?? '';
    }

    /** The way back this browser remembers for the sign-in (ui/src/return-to.ts), read on a page of Lifeline. */
    const rememberedReturnTo = (page: Page) => page.evaluate<string | null>("window.localStorage.getItem('lifeline.returnTo')");
    /** Sets that memory by hand: `path` for `ms` from now (negative: expired). */
    const remember = (page: Page, path: string, ms: number) =>
      page.evaluate(`window.localStorage.setItem('lifeline.returnTo', JSON.stringify({ path: ${JSON.stringify(path)}, until: Date.now() + ${ms} }))`);

    /** The code and link of the newest "Passwort vergessen?" mail to `address`. */
    async function resetCode(address: string): Promise<string> {
      const mail = await waitFor(
        async () => (await mailbox(baseUrl)).find((m) => m.to === address && m.text.includes('/reset-password?token=')),
        `the reset mail to ${address}`,
      );
      const code = /^\s*([0-9A-HJKMNP-TV-Z]{8})\s*$/m.exec(mail.text)?.[1] ?? '';
      expect(code, mail.text).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      return code;
    }

    it('no session: /oidc/auth → the sign-in page with the hint → signed in → the client gets a code with its state → the code gives an ID token', async () => {
      const w = WORDS.de;
      const email = 'ida.berg@example.test';
      const failures: string[] = [];
      await createAccount(instance, email, { locale: 'de' });
      const { page, problems } = await openPage();
      const request = authorizationRequest(baseUrl, firstParty);

      await toSignInPage(page, request);
      // The way back is remembered for an hour (the provider's interaction lifetime).
      const stored = JSON.parse((await rememberedReturnTo(page)) ?? '{}') as { path?: string; until?: number };
      expect(stored.path).toBe(new URL(page.url()).searchParams.get('return_to'));
      expect(stored.until).toBeGreaterThan(Date.now() + 59 * 60_000);
      expect(stored.until).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
      // "Jetzt registrieren" and "Passwort vergessen?" carry it.
      const returnTo = encodeURIComponent(stored.path ?? '');
      await expect(page.getByRole('link', { name: w.register, exact: true }).getAttribute('href')).resolves.toBe(`/register?return_to=${returnTo}`);
      await expect(page.getByRole('link', { name: w.forgot, exact: true }).getAttribute('href')).resolves.toBe(`/forgot-password?return_to=${returnTo}`);
      await check(page, failures, 'de', 'sign-in');

      const before = host.arrivals.length;
      await signInHere(page, email);
      const code = codeOf(await arrived(page, firstParty, request, before));

      // The host exchanges the code: an ID token for this account with the nonce, and (first-party, offline_access) a refresh token.
      const tokens = await redeemCode(baseUrl, firstParty, code, request);
      expect(tokens.token_type).toBe('Bearer');
      expect(tokens.refresh_token).toEqual(expect.any(String));
      const claims = await idTokenClaims(baseUrl, firstParty, tokens.id_token, request.nonce);
      expect(claims.email).toBe(email);
      expect(claims.email_verified).toBe(true);

      // Used, the way back is forgotten: the next sign-in page has no hint, and the profile is where it goes.
      await page.goto(`${baseUrl}/profile`);
      await heading(page, w.profile).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await rememberedReturnTo(page)).toBeNull();
      // With the session, a second request of the client gets its code at once (no page at all).
      const again = authorizationRequest(baseUrl, firstParty);
      const beforeAgain = host.arrivals.length;
      await page.goto(again.url);
      codeOf(await arrived(page, firstParty, again, beforeAgain));
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('return_to is followed only to an interaction of the provider: anything else is ignored (no open redirect)', async () => {
      const w = WORDS.de;
      const email = 'jan.ost@example.test';
      await createAccount(instance, email, { locale: 'de' });
      const { page, problems } = await openPage();
      const hostile = [
        'https://evil.example/oidc/interaction/abc',
        '//evil.example/oidc/interaction/abc',
        '/\\evil.example/oidc/interaction/abc',
        '/oidc/interaction/abc/../../../profile',
        '/oidc/interaction/abc?next=https://evil.example',
        '/oidc/interaction/',
        'javascript:alert(1)',
        '/oidc/auth?client_id=x',
      ];
      for (const value of hostile) {
        await page.goto(`${baseUrl}/login?return_to=${encodeURIComponent(value)}`);
        await heading(page, w.signInTitle).waitFor();
        await expect(page.getByRole('main').getByRole('status').count(), value).resolves.toBe(0);
        await expect(page.getByRole('link', { name: w.register, exact: true }).getAttribute('href'), value).resolves.toBe('/register');
        expect(await rememberedReturnTo(page), value).toBeNull();
      }
      // A remembered way back that was tampered with is not followed either.
      await remember(page, 'https://evil.example/', 60_000);
      await signInHere(page, email);
      await page.waitForURL(`${baseUrl}/profile`);
      await heading(page, w.profile).waitFor();
      expect(await rememberedReturnTo(page)).toBeNull();
      expect(problems).toEqual([]);
    });

    it('an expired remembered way back is forgotten; a valid one makes the next sign-in continue', async () => {
      const w = WORDS.de;
      const email = 'lena.moor@example.test';
      const failures: string[] = [];
      await createAccount(instance, email, { locale: 'de' });
      const { page, problems } = await openPage({ expected: [{ status: 400, path: /^\/oidc\/interaction\// }] });
      await page.goto(`${baseUrl}/login`);
      await heading(page, w.signInTitle).waitFor();
      await remember(page, '/oidc/interaction/abgelaufen', -1);
      await page.reload();
      await heading(page, w.signInTitle).waitFor();
      await expect(page.getByRole('main').getByRole('status').count()).resolves.toBe(0);
      expect(await rememberedReturnTo(page)).toBeNull();
      // One that is still valid (but whose interaction the provider does not know): the hint, and the sign-in goes there.
      await remember(page, '/oidc/interaction/unbekannt', 60_000);
      await page.reload();
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(w.hint);
      await signInHere(page, email);
      await page.waitForURL(`${baseUrl}/oidc/interaction/unbekannt`);
      // The provider's page for an interaction it does not know, in Lifeline's look.
      await heading(page, 'Anmeldung nicht möglich').waitFor();
      await expect(text(page.getByRole('alert'))).resolves.toMatch(/^Diese Anmeldung ist abgelaufen/);
      await check(page, failures, 'de', 'interaction-unknown');
      expect(await rememberedReturnTo(page)).toBeNull();
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('sign-up on the way: "Jetzt registrieren" → the confirmation link from the mailbox → signing in continues to the client', async () => {
      const w = WORDS.de;
      const email = 'mira.sand@example.test';
      const failures: string[] = [];
      const { page, problems } = await openPage();
      const request = authorizationRequest(baseUrl, firstParty);
      await toSignInPage(page, request);
      const returnTo = new URL(page.url()).searchParams.get('return_to') ?? '';

      await page.getByRole('link', { name: w.register, exact: true }).click();
      await heading(page, w.registerTitle).waitFor();
      expect(new URL(page.url()).searchParams.get('return_to')).toBe(returnTo);
      await expect(text(page.getByRole('main').getByRole('status'))).resolves.toBe(w.registerHint);
      await page.getByLabel(w.email, { exact: true }).fill(email);
      await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      await check(page, failures, 'de', 'register');
      await page.getByRole('button', { name: w.create, exact: true }).click();
      await heading(page, w.registerDone).waitFor();
      await expect(page.getByRole('link', { name: w.toLogin, exact: true }).getAttribute('href')).resolves.toBe(
        `/login?return_to=${encodeURIComponent(returnTo)}`,
      );
      await check(page, failures, 'de', 'register-done');

      // The link from the mail, opened in this browser (a new page of it, as a mail program does).
      const link = await tokenLink(baseUrl, email);
      const mailTab = await page.context().newPage();
      await mailTab.goto(link);
      await heading(mailTab, w.confirmTitle).waitFor();
      await mailTab.getByRole('button', { name: w.confirm, exact: true }).click();
      await mailTab.getByRole('link', { name: w.toLogin, exact: true }).click();
      // The plain sign-in page: the way back comes from this browser's memory.
      await mailTab.waitForURL(`${baseUrl}/login`);
      await expect(text(mailTab.getByRole('main').getByRole('status'))).resolves.toBe(w.hint);
      await check(mailTab, failures, 'de', 'sign-in-after-confirm');
      const before = host.arrivals.length;
      await signInHere(mailTab, email);
      const code = codeOf(await arrived(mailTab, firstParty, request, before));
      const tokens = await redeemCode(baseUrl, firstParty, code, request);
      expect((await idTokenClaims(baseUrl, firstParty, tokens.id_token, request.nonce)).email).toBe(email);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('"Passwort vergessen?" on the way (on a phone): the mailed code, the new password → signing in continues to the client', async () => {
      const w = WORDS.de;
      const email = 'nora.lind@example.test';
      const failures: string[] = [];
      await createAccount(instance, email, { locale: 'de' });
      const { page, problems } = await openPage({ viewport: PHONE_390, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
      const request = authorizationRequest(baseUrl, firstParty);
      await toSignInPage(page, request);
      const returnTo = new URL(page.url()).searchParams.get('return_to') ?? '';

      await page.getByRole('link', { name: w.forgot, exact: true }).click();
      await page.waitForURL(/\/forgot-password\?return_to=/);
      expect(new URL(page.url()).searchParams.get('return_to')).toBe(returnTo);
      await page.getByLabel(w.identifier, { exact: true }).fill(email);
      await page.getByRole('button', { name: w.sendCode, exact: true }).click();
      const codeField = page.getByLabel(w.emailCode, { exact: true });
      await codeField.waitFor();
      await codeField.fill(await resetCode(email));
      await page.getByRole('button', { name: w.confirmCode, exact: true }).click();
      await heading(page, w.newPasswordTitle).waitFor();
      await page.getByLabel(w.newPassword, { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel(w.repeat, { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: w.save, exact: true }).click();

      // The sign-in page says the password was changed and that another application waits.
      await page.waitForURL(/\/login\?notice=password-reset&return_to=/);
      const statuses = page.getByRole('main').getByRole('status');
      await expect(text(statuses.nth(0))).resolves.toBe(w.passwordReset);
      await expect(text(statuses.nth(1))).resolves.toBe(w.hint);
      await check(page, failures, 'de', 'sign-in-after-reset');
      const before = host.arrivals.length;
      await signInHere(page, email, NEW_PASSWORD);
      const code = codeOf(await arrived(page, firstParty, request, before));
      const tokens = await redeemCode(baseUrl, firstParty, code, request);
      expect((await idTokenClaims(baseUrl, firstParty, tokens.id_token, request.nonce)).email).toBe(email);
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('a third-party client: the consent page lists the scopes (German, English); "Ablehnen" → access_denied, "Erlauben" → a code', async () => {
      const failures: string[] = [];
      const email = 'olga.falk@example.test';
      await createAccount(instance, email, { locale: 'de' });
      const { page, problems } = await openPage();
      // prompt=consent: offline_access is kept (OIDC Core 11), so all three scopes are asked for.
      const consentFor = () => authorizationRequest(baseUrl, thirdParty, { extra: { prompt: 'consent' } });

      /** The consent page of `lang` with its intro and the three scopes. */
      async function consentPage(target: Page, lang: Lang, account: string): Promise<void> {
        const w = WORDS[lang];
        await heading(target, w.consentTitle).waitFor();
        expect(new URL(target.url()).pathname).toMatch(/^\/oidc\/interaction\/[A-Za-z0-9_-]+$/);
        await expect(text(target.getByText(w.consentIntro('Kalender Plus', account)))).resolves.toBe(w.consentIntro('Kalender Plus', account));
        expect(await target.getByRole('listitem').allTextContents()).toEqual(w.scopes);
      }

      // No session: the sign-in page first, then the consent page.
      const denied = consentFor();
      await toSignInPage(page, denied);
      await signInHere(page, email);
      await consentPage(page, 'de', email);
      await check(page, failures, 'de', 'consent');
      let before = host.arrivals.length;
      await page.getByRole('button', { name: WORDS.de.deny, exact: true }).click();
      const refusal = await arrived(page, thirdParty, denied, before);
      expect(refusal.get('error')).toBe('access_denied');
      expect(refusal.get('code')).toBeNull();

      // With the session: the consent page at once; "Erlauben".
      const allowed = consentFor();
      await page.goto(allowed.url);
      await consentPage(page, 'de', email);
      before = host.arrivals.length;
      await page.getByRole('button', { name: WORDS.de.allow, exact: true }).click();
      const tokens = await redeemCode(baseUrl, thirdParty, codeOf(await arrived(page, thirdParty, allowed, before)), allowed);
      expect(tokens.refresh_token).toEqual(expect.any(String));
      expect((await idTokenClaims(baseUrl, thirdParty, tokens.id_token, allowed.nonce)).email).toBe(email);

      // English: a browser that prefers English (Accept-Language) and an English account.
      const english = 'paul.wren@example.test';
      await createAccount(instance, english, { locale: 'en' });
      const en = await openPage({ lang: 'en' });
      const inEnglish = consentFor();
      await toSignInPage(en.page, inEnglish, 'en');
      await check(en.page, failures, 'en', 'sign-in');
      await signInHere(en.page, english, PASSWORD, 'en');
      await consentPage(en.page, 'en', english);
      await check(en.page, failures, 'en', 'consent');
      before = host.arrivals.length;
      await en.page.getByRole('button', { name: WORDS.en.allow, exact: true }).click();
      codeOf(await arrived(en.page, thirdParty, inEnglish, before));

      expect(problems).toEqual([]);
      expect(en.problems, 'the English browser').toEqual([]);
      expect(failures).toEqual([]);
    });

    it('prompt=login and max_age with a live session: the password again (a wrong one said on the page), then the code', async () => {
      const w = WORDS.de;
      const email = 'rita.stein@example.test';
      const failures: string[] = [];
      await createAccount(instance, email, { locale: 'de' });
      const { page, problems } = await openPage({ expected: [{ status: 400, path: /^\/oidc\/interaction\/[A-Za-z0-9_-]+\/password$/ }] });
      await signIn(page, baseUrl, email);
      // The profile has finished loading before the test leaves it (its requests are not cut off).
      await page.waitForLoadState('networkidle');

      const request = authorizationRequest(baseUrl, firstParty, { scope: 'openid email', extra: { prompt: 'login' } });
      await page.goto(request.url);
      await heading(page, w.passwordTitle).waitFor();
      await expect(text(page.getByText(w.passwordIntro('Notizen', email)))).resolves.toBe(w.passwordIntro('Notizen', email));
      const field = page.getByLabel(w.password, { exact: true });
      await expect(field.getAttribute('autocomplete')).resolves.toBe('current-password');
      await check(page, failures, 'de', 'password');

      await field.fill('Falsches Passwort 123');
      await page.getByRole('button', { name: w.passwordSubmit, exact: true }).click();
      await expect(text(page.getByRole('alert'))).resolves.toBe(w.passwordWrong);
      await expect(page.getByLabel(w.password, { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
      await check(page, failures, 'de', 'password-wrong');

      await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      let before = host.arrivals.length;
      await page.getByRole('button', { name: w.passwordSubmit, exact: true }).click();
      const tokens = await redeemCode(baseUrl, firstParty, codeOf(await arrived(page, firstParty, request, before)), request);
      const claims = await idTokenClaims(baseUrl, firstParty, tokens.id_token, request.nonce);
      // The ID token says the password was just entered.
      expect(Math.abs(Number(claims.auth_time) * 1000 - Date.now())).toBeLessThan(30_000);

      // max_age: a sign-in older than max_age asks again; the right password continues.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const aged = authorizationRequest(baseUrl, firstParty, { scope: 'openid email', extra: { max_age: '1' } });
      await page.goto(aged.url);
      await heading(page, w.passwordTitle).waitFor();
      await page.getByLabel(w.password, { exact: true }).fill(PASSWORD);
      before = host.arrivals.length;
      await page.getByRole('button', { name: w.passwordSubmit, exact: true }).click();
      codeOf(await arrived(page, firstParty, aged, before));
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });
  });
}
