import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signedInAccount } from '../helpers/api-client.js';
import { createTestApp, ipSequence, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Host applications on sibling host names (docs/integration.md "Return links" and "CORS and
 * cookie domain"), over real requests (app.inject): CORS_ORIGINS opens GET /api/v1/session and
 * its preflight to exactly the listed origins, with credentials, and nothing else; with
 * SESSION_COOKIE_DOMAIN the session cookie is `__Secure-lifeline_session` with that Domain (the
 * device cookie stays `__Host-`); ALLOWED_RETURN_ORIGINS with names and path prefixes reaches the
 * UI through GET /api/v1/meta, and a verification's returnTo is judged by the same rule.
 * docs/reference/security-requirements.md 7.5, 8.1, 8.5.
 */
const nextIp = ipSequence('198.41');

const PUBLIC_URL = 'https://id.example.com';
const APP = 'https://app.example.com';
const ENV = {
  PUBLIC_URL,
  CORS_ORIGINS: `${APP}, http://localhost:5173`,
  SESSION_COOKIE_DOMAIN: 'example.com',
  ALLOWED_RETURN_ORIGINS: 'Mein Shop=https://shop.example.com/account/,https://other.example, Shop-Verwaltung = https://shop.example.com/account/admin',
};

/** The CORS headers of an answer (all absent means: the browser keeps the answer from the page). */
function cors(response: { headers: LightMyRequestResponse['headers'] }) {
  return {
    origin: response.headers['access-control-allow-origin'],
    credentials: response.headers['access-control-allow-credentials'],
    methods: response.headers['access-control-allow-methods'],
    headers: response.headers['access-control-allow-headers'],
  };
}
const NO_CORS = { origin: undefined, credentials: undefined, methods: undefined, headers: undefined };
const varies = (response: { headers: LightMyRequestResponse['headers'] }) =>
  String(response.headers.vary ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)
    .includes('origin');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: CORS for the session check, the session cookie's domain, return links`, () => {
    let t: TestApp;
    let plain: TestApp;
    beforeAll(async () => {
      [t, plain] = await Promise.all([createTestApp(dialect, { env: ENV }), createTestApp(dialect)]);
    });
    afterAll(async () => Promise.all([t?.close(), plain?.close()]));

    const sessionCheck = (headers: Record<string, string>, url = '/api/v1/session') => t.app.inject({ method: 'GET', url, headers, remoteAddress: nextIp() });
    const preflight = (origin: string | undefined, headers: Record<string, string> = {}, app = t.app, url = '/api/v1/session') =>
      app.inject({
        method: 'OPTIONS',
        url,
        headers: { ...(origin === undefined ? {} : { origin }), 'access-control-request-method': 'GET', ...headers },
        remoteAddress: nextIp(),
      });

    it('an allowed origin reads the session check with the cookie: its origin echoed, credentials allowed, Vary: Origin', async () => {
      const { client, email } = await signedInAccount(t, { ip: nextIp() });
      const cookie = `__Secure-lifeline_session=${client.sessionCookie() ?? ''}`;
      for (const origin of [APP, 'http://localhost:5173']) {
        const r = await sessionCheck({ origin, cookie });
        expect(r.statusCode, origin).toBe(200);
        expect((JSON.parse(r.body) as { account: { email: string } }).account.email).toBe(email);
        expect(cors(r), origin).toEqual({ origin, credentials: 'true', methods: undefined, headers: undefined });
        expect(varies(r)).toBe(true);
        expect(r.headers['cache-control']).toBe('no-store');
      }
      // Without a session the answer is readable too (the page learns "not signed in", not a network error).
      const anonymous = await sessionCheck({ origin: APP });
      expect(anonymous.statusCode).toBe(401);
      expect(cors(anonymous)).toMatchObject({ origin: APP, credentials: 'true' });
      const optional = await sessionCheck({ origin: APP }, '/api/v1/session?optional=true');
      expect([optional.statusCode, optional.body]).toEqual([200, 'null']);
      expect(cors(optional)).toMatchObject({ origin: APP, credentials: 'true' });
    });

    it('another origin, a look-alike, plain http, a port, `null` and no Origin get no CORS header (never reflected), with Vary: Origin', async () => {
      const { client } = await signedInAccount(t, { ip: nextIp() });
      const cookie = `__Secure-lifeline_session=${client.sessionCookie() ?? ''}`;
      for (const origin of [
        'https://evil.example',
        'https://app.example.com.evil.example',
        'http://app.example.com',
        'https://app.example.com:8443',
        'https://sub.app.example.com',
        'null',
        'https://APP.example.com',
        `${APP}/`,
        '*',
      ]) {
        const r = await sessionCheck({ origin, cookie });
        expect(cors(r), origin).toEqual(NO_CORS);
        expect(varies(r), origin).toBe(true);
      }
      const none = await sessionCheck({ cookie });
      expect(none.statusCode).toBe(200);
      expect(cors(none)).toEqual(NO_CORS);
      expect(varies(none)).toBe(true);
    });

    it('the preflight: an allowed origin may GET (no extra request headers); others get no CORS header; a plain OPTIONS says what is allowed', async () => {
      const allowed = await preflight(APP);
      expect(allowed.statusCode).toBe(204);
      expect(cors(allowed)).toEqual({ origin: APP, credentials: 'true', methods: 'GET', headers: undefined });
      expect(allowed.headers['access-control-max-age']).toBe('600');
      expect(varies(allowed)).toBe(true);
      // A request header beyond the safelisted ones is not granted (the browser then refuses the request).
      const extraHeader = await preflight(APP, { 'access-control-request-headers': 'x-csrf-token' });
      expect(extraHeader.headers['access-control-allow-headers']).toBeUndefined();
      for (const origin of ['https://evil.example', 'null']) {
        const r = await preflight(origin);
        expect(r.statusCode, origin).toBe(204);
        expect(cors(r), origin).toEqual(NO_CORS);
        expect(r.headers['access-control-max-age'], origin).toBeUndefined();
      }
      const bare = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/session', remoteAddress: nextIp() });
      expect(bare.statusCode).toBe(204);
      expect(bare.headers.allow).toBe('GET, HEAD, OPTIONS');
      expect(cors(bare)).toEqual(NO_CORS);
    });

    it('every other route is unchanged: no CORS header for an allowed origin, OPTIONS 405, a cross-origin POST refused', async () => {
      const { client } = await signedInAccount(t, { ip: nextIp() });
      const cookie = `__Secure-lifeline_session=${client.sessionCookie() ?? ''}`;
      for (const url of ['/api/v1/meta', '/api/v1/sessions', '/api/v1/account', '/api/v1/security-log', '/health', '/']) {
        const r = await t.app.inject({ method: 'GET', url, headers: { origin: APP, cookie }, remoteAddress: nextIp() });
        expect(cors(r), url).toEqual(NO_CORS);
        expect(varies(r), url).toBe(false);
      }
      for (const url of ['/api/v1/meta', '/api/v1/logout', '/api/v1/login', '/api/v1/sessions']) {
        const r = await preflight(APP, { 'access-control-request-method': 'POST' }, t.app, url);
        expect(r.statusCode, url).toBe(405);
        expect(cors(r), url).toEqual(NO_CORS);
      }
      // The csrfToken the allowed page can read is of no use to it: state changes refuse its Origin.
      const csrfToken = client.csrfToken() ?? '';
      const logout = await t.app.inject({
        method: 'POST',
        url: '/api/v1/logout',
        headers: { origin: APP, cookie, 'x-csrf-token': csrfToken },
        remoteAddress: nextIp(),
      });
      expect(logout.statusCode).toBe(403);
      expect((JSON.parse(logout.body) as { code: string }).code).toBe('cross-origin-request');
      expect(cors(logout)).toEqual(NO_CORS);
      expect((await client.get('/api/v1/session')).status).toBe(200);
    });

    it('without CORS_ORIGINS nothing changes: the session check names no origin and has no preflight', async () => {
      const r = await plain.app.inject({ method: 'GET', url: '/api/v1/session?optional=true', headers: { origin: APP }, remoteAddress: nextIp() });
      expect(r.statusCode).toBe(200);
      expect(cors(r)).toEqual(NO_CORS);
      expect(varies(r)).toBe(false);
      const pre = await preflight(APP, {}, plain.app);
      expect(pre.statusCode).toBe(405);
      expect(cors(pre)).toEqual(NO_CORS);
    });

    it('SESSION_COOKIE_DOMAIN: __Secure-lifeline_session with Domain, Secure, HttpOnly, SameSite=Lax, Path=/; the device cookie stays __Host-; sign-out removes it with the Domain', async () => {
      const { client, email, password } = await signedInAccount(t, { ip: nextIp() });
      const login = await client.post('/api/v1/login', { email, password });
      expect(login.status).toBe(200);
      const cookies = new Map(
        login.setCookies.map((c) => [
          c.slice(0, c.indexOf('=')),
          c
            .split(';')
            .slice(1)
            .map((a) => a.trim().toLowerCase()),
        ]),
      );
      expect([...cookies.keys()].sort()).toEqual(['__Host-lifeline_device', '__Secure-lifeline_session']);
      const session = cookies.get('__Secure-lifeline_session') ?? [];
      for (const attribute of ['domain=example.com', 'secure', 'httponly', 'samesite=lax', 'path=/']) expect(session).toContain(attribute);
      const device = cookies.get('__Host-lifeline_device') ?? [];
      expect(device).toContain('secure');
      expect(device.some((a) => a.startsWith('domain='))).toBe(false);
      // Read under the configured name only: the __Host- name (of before the setting) is not looked at.
      const value = client.sessionCookie() ?? '';
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `__Secure-lifeline_session=${value}` } })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `__Host-lifeline_session=${value}` } })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `lifeline_session=${value}` } })).statusCode).toBe(401);
      const out = await client.post('/api/v1/logout');
      expect(out.status).toBe(204);
      const cleared = out.setCookies.find((c) => c.startsWith('__Secure-lifeline_session=')) ?? '';
      expect(cleared.toLowerCase()).toContain('domain=example.com');
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);
      // A stale cookie is removed with the Domain too (otherwise the browser would keep sending it).
      const stale = await t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `__Secure-lifeline_session=${value}` } });
      expect(stale.statusCode).toBe(401);
      expect(String(stale.headers['set-cookie']).toLowerCase()).toContain('domain=example.com');
    });

    it('GET /api/v1/meta lists the return links (names, origins, path prefixes) for the UI; an empty list without the setting', async () => {
      const meta = await t.app.inject({ method: 'GET', url: '/api/v1/meta' });
      expect((JSON.parse(meta.body) as { returnLinks: unknown }).returnLinks).toEqual([
        { name: 'Mein Shop', origin: 'https://shop.example.com', path: '/account' },
        { name: 'other.example', origin: 'https://other.example', path: '/' },
        { name: 'Shop-Verwaltung', origin: 'https://shop.example.com', path: '/account/admin' },
      ]);
      expect((JSON.parse((await plain.app.inject({ method: 'GET', url: '/api/v1/meta' })).body) as { returnLinks: unknown }).returnLinks).toEqual([]);
    });

    it('a verification’s returnTo follows the same rule: inside a path prefix yes, beside it or hostile no (400, nothing created)', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const key = (await t.services.apiKeys.create(`shop-${dialect}`)).key;
      const start = (returnTo: string) =>
        apiClient(t.app, { ip: '10.0.0.7' }).post(
          '/api/v1/verifications',
          { accountId: owner.accountId, action: 'export-data', returnTo },
          { authorization: `Bearer ${key}` },
        );
      for (const [returnTo, normalised] of [
        ['https://shop.example.com/account/export?x=1', 'https://shop.example.com/account/export?x=1'],
        ['https://shop.example.com/account', 'https://shop.example.com/account'],
        ['https://SHOP.example.com:443/account/a/../b', 'https://shop.example.com/account/b'],
        ['https://other.example', 'https://other.example/'],
      ] as const) {
        const started = await start(returnTo);
        expect(started.status, returnTo).toBe(201);
        const row = await t.database.db
          .selectFrom('action_verifications')
          .select('return_to')
          .where('id', '=', String(started.body.id))
          .executeTakeFirstOrThrow();
        expect(row.return_to).toBe(normalised);
      }
      const before = await t.database.db.selectFrom('action_verifications').select('id').execute();
      for (const returnTo of [
        'https://shop.example.com/',
        'https://shop.example.com/accounting',
        'https://shop.example.com/account/../admin',
        'https://shop.example.com/account/%2e%2e/admin',
        'https://shop.example.com/account%2f..%2fadmin',
        'https://shop.example.com/account@evil.example/account/',
        'https://shop.example.com.evil.example/account/',
        'http://shop.example.com/account/',
        '//shop.example.com/account/',
        '/\\shop.example.com/account/',
        'javascript:alert(1)',
        'data:text/html,x',
        `https://other.example/${'a'.repeat(2100)}`,
      ]) {
        const refused = await start(returnTo);
        expect([refused.status, refused.body.code], returnTo).toEqual([400, returnTo.length > 2048 ? 'validation-failed' : 'return-to-not-allowed']);
      }
      expect(await t.database.db.selectFrom('action_verifications').select('id').execute()).toEqual(before);
    });
  });
}
