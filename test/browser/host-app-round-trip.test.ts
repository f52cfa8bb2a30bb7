import { randomUUID } from 'node:crypto';
import { generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot, seriousAxeViolations, type TestBrowser, waitFor } from '../helpers/browser.js';
import { createAccount, mailbox, NO_API_RATE_LIMIT, PASSWORD, startInstance, takeConfirmingBrowser, type Instance } from '../helpers/browser-instance.js';
import { DESKTOP, heading, newPage, overflowing, scrollWidth, text, type PageOptions } from '../helpers/browser-page.js';
import { hostAddress, registerHostApp, seriousAxeViolationsNoScripts, startHostApp, type HostApp } from '../helpers/host-app.js';

/**
 * The sample host application (examples/host-app) against a real Lifeline in a real Chromium:
 * the integration guide's promises, end to end. The sample runs as a child process on
 * http://localhost:<port> (another site than Lifeline's http://127.0.0.1:<port>), registered as a
 * first-party client with the CLI command of its README.
 *
 * Round trip: the host's "Mit Lifeline anmelden" → Lifeline's sign-in (which says another
 * application sent the visitor) → back at the host, signed in, showing the email and the account
 * id → "Kontowiederherstellung einrichten" opens Lifeline's profile page "Kontowiederherstellung", the browser's back button
 * returns → on a phone, "Passwort vergessen?" in Lifeline with the mailed code → Lifeline
 * delivers a logout token to the host's /backchannel-logout, the host verifies it and ends its
 * session: after a reload the host shows "Nicht angemeldet", and Lifeline's own session of that
 * browser has ended too.
 *
 * Signing out: Lifeline's "Abmelden" ends the host's session (a logout token with sid); the
 * host's "Abmelden" (RP-initiated logout with id_token_hint and post_logout_redirect_uri) asks
 * "Abmelden?" at Lifeline and comes back to the host's /signed-out (the provider's logout token
 * then finds nothing left to end).
 *
 * The host's /backchannel-logout itself: tokens signed with Lifeline's key but wrong in one
 * respect (issuer, audience, expiry, age, jti, events, nonce, typ, neither sub nor sid), signed
 * with another key, unsigned, or not a form post are refused with 400 and end nothing; a valid
 * one ends the session, and the same jti again is answered 200 and ends nothing more.
 *
 * Every state: no console error, failed request or CSP report; no serious axe violation; no
 * sideways scrolling; screenshots at 1280 and 390 px in
 * test-results/screenshots/host-app-<state>-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

/** The phone width of this test's screenshots (a common phone's CSS width). */
const PHONE_390 = { width: 390, height: 844 } as const;
const NEW_PASSWORD = 'Wolkenband Kiesel Laterne 9';

if (chromiumPath) {
  describe('browser: the sample host application signs in and out through Lifeline (OpenID Connect)', () => {
    let instance: Instance;
    let chrome: TestBrowser;
    let host: HostApp;
    let clientId: string;

    beforeAll(async () => {
      [instance, chrome] = await Promise.all([startInstance('lifeline-host-app-', NO_API_RATE_LIMIT), launchChromium(chromiumPath)]);
      const address = await hostAddress();
      const client = await registerHostApp(instance, address.url);
      clientId = client.clientId;
      host = await startHostApp({ issuer: `${instance.baseUrl}/oidc`, client, ...address });
    });

    afterAll(async () => {
      await chrome?.close();
      await host?.close();
      await instance?.close();
    });

    const openPage = (options: PageOptions = {}) => newPage(chrome, { timezoneId: 'Europe/Berlin', lang: 'de', ...options });

    /**
     * One state: the document's language, axe (serious and critical), no sideways scrolling and
     * full-page screenshots at 1280 and 390 px; the page is at its own width again after.
     */
    async function check(page: Page, failures: string[], state: string): Promise<void> {
      const size = page.viewportSize();
      expect(await page.getAttribute('html', 'lang'), state).toBe('de');
      // The host's pages allow no script at all; Lifeline's allow its own origin's.
      const axe = new URL(page.url()).origin === host.url ? seriousAxeViolationsNoScripts : seriousAxeViolations;
      for (const v of await axe(page))
        failures.push(`${state}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
      for (const width of [DESKTOP, PHONE_390]) {
        await page.setViewportSize(width);
        const name = `host-app-${state}-${width.width}`;
        const scrolled = await scrollWidth(page);
        if (scrolled > width.width) failures.push(`${name}: scrollWidth ${scrolled} (${(await page.evaluate(overflowing)).join(', ')})`);
        await screenshot(page, name, { fullPage: true });
      }
      await page.setViewportSize(size ?? DESKTOP);
    }

    /** The first browser of an account made by createAccount is the one that confirmed its sign-up (its first device). */
    async function asFirstDevice(page: Page, email: string): Promise<void> {
      const device = takeConfirmingBrowser(email);
      if (device) await page.context().addCookies([{ ...device, url: instance.baseUrl }]);
    }

    /** The account id Lifeline gives `email` (the host's sub). */
    async function accountId(email: string): Promise<string> {
      const row = await instance.server.services.database.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow();
      return row.id;
    }

    /** From the host's signed-out page through Lifeline's sign-in form back to the host, signed in. */
    async function signInThroughHost(page: Page, email: string, password: string, failures?: string[]): Promise<void> {
      await page.getByRole('link', { name: 'Mit Lifeline anmelden', exact: true }).click();
      await page.waitForURL(
        (url) => url.origin === instance.baseUrl && url.pathname === '/login' && (url.searchParams.get('return_to') ?? '').startsWith('/oidc/interaction/'),
      );
      await heading(page, 'Anmelden').waitFor();
      await expect(text(page.getByRole('main').getByRole('status').or(page.getByRole('main').getByRole('alert')).first())).resolves.toBe(
        'Eine andere Anwendung hat Sie zur Anmeldung hierher geschickt. Nach der Anmeldung geht es dort weiter.',
      );
      if (failures) await check(page, failures, 'lifeline-sign-in');
      await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
      await page.getByLabel('Passwort', { exact: true }).fill(password);
      await page.getByRole('main').getByRole('button', { name: 'Anmelden', exact: true }).click();
      await page.waitForURL(`${host.url}/`);
      await heading(page, 'Angemeldet').waitFor();
    }

    /** The host's page after a reload: signed in (true) or not (false). */
    async function hostSignedIn(page: Page): Promise<boolean> {
      await page.goto(`${host.url}/`);
      const h1 = await text(page.getByRole('heading', { level: 1 }));
      if (h1 === 'Angemeldet') return true;
      expect(h1).toBe('Nicht angemeldet');
      return false;
    }

    /** The newest reset code (8 Crockford characters alone on a line) mailed to `email`. */
    async function resetCode(email: string): Promise<string> {
      const mail = await waitFor(
        async () => (await mailbox(instance.baseUrl)).find((m) => m.to === email && m.channel === 'email' && m.text.includes('/reset-password?token=')),
        `a reset mail to ${email}`,
      );
      const code = /^\s*([0-9A-HJKMNP-TV-Z]{8})\s*$/m.exec(mail.text)?.[1];
      expect(code, mail.text).toBeDefined();
      return code ?? '';
    }

    it('signs in through Lifeline, shows the account, visits the profile and back; a password reset elsewhere ends the host session by back-channel logout', async () => {
      const email = 'hanna.gastgeber@example.test';
      const failures: string[] = [];
      const start = host.lines.length;
      await createAccount(instance, email, { locale: 'de' });
      const sub = await accountId(email);
      const { page, problems } = await openPage();
      await asFirstDevice(page, email);

      // The host, signed out.
      await page.goto(`${host.url}/`);
      await heading(page, 'Nicht angemeldet').waitFor();
      await check(page, failures, 'signed-out');

      // "Mit Lifeline anmelden" → Lifeline's sign-in (it says another application sent us) → back, signed in.
      await signInThroughHost(page, email, PASSWORD, failures);
      await expect(text(page.locator('#email'))).resolves.toBe(email);
      await expect(text(page.locator('#sub'))).resolves.toBe(sub);
      const signedIn = await host.waitForLine(new RegExp(`^host-app: signed in sub=${sub}`));
      await check(page, failures, 'signed-in');

      // "Kontowiederherstellung einrichten" → Lifeline's page "Kontowiederherstellung" (the profile's) with its rows → back.
      await page.getByRole('link', { name: 'Kontowiederherstellung einrichten', exact: true }).click();
      await page.waitForURL(`${instance.baseUrl}/profile/recovery`);
      await heading(page, 'Kontowiederherstellung').waitFor();
      await page.getByRole('region', { name: 'Ihre Wiederherstellungsoptionen' }).getByRole('group').first().waitFor();
      await check(page, failures, 'lifeline-profile');
      await page.goBack();
      await page.waitForURL(`${host.url}/`);
      await expect(hostSignedIn(page)).resolves.toBe(true);

      // On a phone, "Passwort vergessen?" with the code from the mail.
      const linesBefore = host.lines.length;
      const phone = await openPage({ viewport: PHONE_390, isMobile: true, hasTouch: true });
      await phone.page.goto(`${instance.baseUrl}/login`);
      await phone.page.getByRole('link', { name: 'Passwort vergessen?', exact: true }).click();
      await phone.page.getByLabel('E-Mail-Adresse oder Telefonnummer', { exact: true }).fill(email);
      await phone.page.getByRole('button', { name: 'Code senden', exact: true }).click();
      await phone.page.getByLabel('Code aus der E-Mail', { exact: true }).fill(await resetCode(email));
      await phone.page.getByRole('button', { name: 'Bestätigen', exact: true }).click();
      await heading(phone.page, 'Neues Passwort festlegen').waitFor();
      await phone.page.getByLabel('Neues Passwort', { exact: true }).fill(NEW_PASSWORD);
      await phone.page.getByLabel('Neues Passwort wiederholen', { exact: true }).fill(NEW_PASSWORD);
      await phone.page.getByRole('button', { name: 'Passwort speichern', exact: true }).click();
      await phone.page.waitForURL('**/login?notice=password-reset');

      // The logout token arrives (the worker delivers it within a second or two), the host
      // verifies it and ends its session of that account: signed out after a reload.
      const ended = await host.waitForLine(new RegExp(`^host-app: back-channel logout sub=${sub} sid=- ended 1 session\\(s\\)$`), linesBefore);
      expect(ended).toBeDefined();
      await expect(hostSignedIn(page)).resolves.toBe(false);
      await check(page, failures, 'signed-out-after-reset');
      // Lifeline's own session of that browser ended with the reset, too.
      expect((await page.request.get(`${instance.baseUrl}/api/v1/session`)).status()).toBe(401);
      // The outbox row of the logout token is delivered (the host answered 2xx), not waiting for a retry.
      const rows = await instance.server.services.database.db
        .selectFrom('outbox_messages')
        .select(['status', 'recipient', 'attempts'])
        .where('kind', '=', 'oidc.backchannel-logout')
        .where('account_id', '=', sub)
        .execute();
      expect(rows).toEqual([{ status: 'sent', recipient: `${host.url}/backchannel-logout`, attempts: 1 }]);
      expect(host.lines.slice(start).filter((line) => /refused|failed|Error/.test(line))).toEqual([]);

      // Signing in again through the host takes the new password.
      await signInThroughHost(page, email, NEW_PASSWORD);
      await expect(text(page.locator('#email'))).resolves.toBe(email);

      expect(signedIn).toBeDefined();
      expect(problems).toEqual([]);
      expect(phone.problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('ends the host session when the browser signs out of Lifeline, and signs out of the host by RP-initiated logout', async () => {
      const email = 'jonas.abmelden@example.test';
      const failures: string[] = [];
      const start = host.lines.length;
      await createAccount(instance, email, { locale: 'de' });
      const sub = await accountId(email);
      const { page, problems } = await openPage();
      await asFirstDevice(page, email);

      await page.goto(`${host.url}/`);
      await signInThroughHost(page, email, PASSWORD);

      // "Abmelden" in Lifeline (on its profile's overview): a logout token with this browser's sid reaches the host.
      let linesBefore = host.lines.length;
      await page.goto(`${instance.baseUrl}/profile`);
      await heading(page, 'Sicherheit auf einen Blick').waitFor();
      await page.getByRole('main').getByRole('button', { name: 'Abmelden', exact: true }).click();
      await page.waitForURL('**/login?notice=signed-out');
      await host.waitForLine(new RegExp(`^host-app: back-channel logout sub=${sub} sid=(?!- )\\S+ ended 1 session\\(s\\)$`), linesBefore);
      await expect(hostSignedIn(page)).resolves.toBe(false);

      // Signed in again (Lifeline's session has ended: the form asks for the password), then the host's "Abmelden".
      await signInThroughHost(page, email, PASSWORD);
      linesBefore = host.lines.length;
      await page.getByRole('button', { name: 'Abmelden', exact: true }).click();
      await page.waitForURL((url) => url.origin === instance.baseUrl && url.pathname.startsWith('/oidc/session/end'));
      await heading(page, 'Abmelden?').waitFor();
      await expect(text(page.getByRole('main'))).resolves.toContain('„Beispiel-App“ möchte Sie abmelden.');
      await check(page, failures, 'lifeline-logout');
      await page.getByRole('button', { name: 'Ja, abmelden', exact: true }).click();

      // Back at the host's post_logout_redirect_uri, signed out.
      await page.waitForURL(`${host.url}/signed-out`);
      await heading(page, 'Nicht angemeldet').waitFor();
      await expect(text(page.getByRole('status'))).resolves.toContain('Sie sind abgemeldet.');
      await check(page, failures, 'rp-logout-done');
      await expect(hostSignedIn(page)).resolves.toBe(false);
      // The provider tells the host as well (its session had ended already: nothing left to end).
      await host.waitForLine(new RegExp(`^host-app: back-channel logout sub=${sub} sid=(?!- )\\S+ ended 0 session\\(s\\)$`), linesBefore);
      expect(host.lines.slice(start).filter((line) => /refused|failed|Error/.test(line))).toEqual([]);

      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    });

    it("the host's /backchannel-logout acts on a valid logout token once per jti and refuses every other kind (400)", async () => {
      const email = 'lena.token@example.test';
      await createAccount(instance, email, { locale: 'de' });
      const sub = await accountId(email);
      const { page, problems } = await openPage();
      await asFirstDevice(page, email);
      await page.goto(`${host.url}/`);
      await signInThroughHost(page, email, PASSWORD);

      // Tokens as Lifeline signs them (its current signing key, backchannel-logout.ts), and variations of them.
      const [jwk] = (await instance.server.services.oidc.signingKeys.load()).keys;
      if (!jwk) throw new Error('no signing key');
      const lifelineKey = await importJWK(jwk, 'RS256');
      const { privateKey: strangerKey } = await generateKeyPair('RS256');
      const issuer = `${instance.baseUrl}/oidc`;
      const now = Math.floor(Date.now() / 1000);
      const claims = (extra: JWTPayload = {}): JWTPayload => ({
        iss: issuer,
        aud: clientId,
        iat: now,
        exp: now + 120,
        jti: randomUUID(),
        sub,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        ...extra,
      });
      const sign = (payload: JWTPayload, options: { key?: Parameters<SignJWT['sign']>[0]; typ?: string; kid?: string } = {}) =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? jwk.kid, typ: options.typ ?? 'logout+jwt' })
          .sign(options.key ?? lifelineKey);
      const post = async (body: string, contentType = 'application/x-www-form-urlencoded') =>
        (await fetch(`${host.url}/backchannel-logout`, { method: 'POST', headers: { 'content-type': contentType }, body })).status;
      const postToken = async (token: string) => post(new URLSearchParams({ logout_token: token }).toString());

      const refused: Record<string, number> = {
        'no token': await post(''),
        'JSON instead of a form': await post(JSON.stringify({ logout_token: await sign(claims()) }), 'application/json'),
        'not a JWT': await postToken('not.a.jwt'),
        'another key under the same kid': await postToken(await sign(claims(), { key: strangerKey })),
        'unsigned (alg none)': await postToken(
          `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`,
        ),
        'another issuer': await postToken(await sign(claims({ iss: 'http://127.0.0.1:1/oidc' }))),
        'another client': await postToken(await sign(claims({ aud: 'll_someone_else' }))),
        expired: await postToken(await sign(claims({ iat: now - 600, exp: now - 480 }))),
        'issued long ago': await postToken(await sign(claims({ iat: now - 3600, exp: now + 120 }))),
        'without jti': await postToken(await sign(claims({ jti: undefined }))),
        'without events': await postToken(await sign(claims({ events: undefined }))),
        'another event': await postToken(await sign(claims({ events: { 'http://schemas.openid.net/event/other': {} } }))),
        'with a nonce (an ID token)': await postToken(await sign(claims({ nonce: 'n-0S6_WzA2Mj' }))),
        'neither sub nor sid': await postToken(await sign(claims({ sub: undefined }))),
        'typ JWT': await postToken(await sign(claims(), { typ: 'JWT' })),
      };
      expect(refused).toEqual(Object.fromEntries(Object.keys(refused).map((name) => [name, 400])));
      await expect(hostSignedIn(page)).resolves.toBe(true);

      // A valid one ends the session; the same jti again (a retry whose answer got lost) is answered 200 and does nothing.
      const linesBefore = host.lines.length;
      const valid = claims();
      expect(await postToken(await sign(valid))).toBe(200);
      await host.waitForLine(new RegExp(`^host-app: back-channel logout sub=${sub} sid=- ended 1 session\\(s\\)$`), linesBefore);
      await expect(hostSignedIn(page)).resolves.toBe(false);
      // The browser's Lifeline session is still live (only the host's ended): signing in again needs no password.
      await page.getByRole('link', { name: 'Mit Lifeline anmelden', exact: true }).click();
      await page.waitForURL(`${host.url}/`);
      await heading(page, 'Angemeldet').waitFor();
      expect(await postToken(await sign({ ...valid, iat: now + 1, exp: now + 121 }))).toBe(200);
      await host.waitForLine(new RegExp(`^host-app: back-channel logout jti=${valid.jti} seen before`), linesBefore);
      await expect(hostSignedIn(page)).resolves.toBe(true);
      expect(problems).toEqual([]);
    });
  });
}
