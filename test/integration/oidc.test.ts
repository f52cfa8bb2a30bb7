import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE, SECOND } from '../../src/core/clock.js';
import { inTransaction } from '../../src/db/transaction.js';
import { createHousekeeping } from '../../src/housekeeping.js';
import { PUBLISH_BEFORE_SIGNING_MS } from '../../src/oidc/signing-keys.js';
import { apiClient, codeTo, GOOD_PASSWORD, signedInAccount, tokenIn, mailsTo, type ApiClient } from '../helpers/api-client.js';
import { oidcFlow, type TestClient } from '../helpers/oidc-flow.js';
import { createTestApp, ipSequence, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * The OpenID Connect provider (docs/oidc.md) on SQLite and PostgreSQL, over app.inject: the code
 * flow with PKCE, tokens and their claims, rotation, introspection and revocation; the bridge to
 * Lifeline's session (no code on the provider's cookie alone); "sessions end together" for every
 * way Lifeline ends an account's sessions, with the logout token delivered through the outbox;
 * and the bad input and abuse of the issue, each answered with an OAuth error and nothing issued.
 */
const ISSUER = 'http://127.0.0.1:3000/oidc';
const NEW_PASSWORD = 'Neues-Passwort-fuer-Lifeline-7';
const nextIp = ipSequence('198.62');

/** A loopback receiver for back-channel logout: records every POST, answers `status()`. */
async function receiver(): Promise<{ url: string; posts: { type: string; body: string }[]; setStatus(s: number): void; close(): Promise<void> }> {
  const posts: { type: string; body: string }[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      posts.push({ type: req.headers['content-type'] ?? '', body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/bcl`,
    posts,
    setStatus: (s) => (status = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: OpenID Connect provider`, () => {
    let t: TestApp;
    let bcl: Awaited<ReturnType<typeof receiver>>;
    let firstParty: TestClient;
    let thirdParty: TestClient;
    let jwks: ReturnType<typeof createLocalJWKSet>;

    beforeAll(async () => {
      t = await createTestApp(dialect, { env: { RATE_LIMIT_API_PER_MINUTE: '100000' } });
      // oidc-provider reads the system time for its own tokens; Lifeline's clock starts there too.
      t.clock.set(Date.now());
      bcl = await receiver();
      firstParty = await register({ firstParty: true, backchannelLogoutUri: bcl.url });
      thirdParty = await register({ firstParty: false });
      const keys = await t.app.inject({ method: 'GET', url: '/oidc/jwks' });
      jwks = createLocalJWKSet(keys.json<JSONWebKeySet>());
    });
    afterAll(async () => {
      await bcl.close();
      await t.close();
    });

    const flow = oidcFlow(() => t);
    const { register, pathOf, authorize, followToClient, basic, form, redeem, refresh, introspect } = flow;
    const tokensFor = (browser: ApiClient, client = firstParty) => flow.tokensFor(browser, client);

    async function owner() {
      const o = await signedInAccount(t, { ip: nextIp() });
      await t.services.worker.runOnce();
      return o;
    }

    /** Both halves of "the provider's state of this grant has ended". */
    async function expectEnded(client: TestClient, tokens: { access_token: string; refresh_token: string }) {
      expect((await refresh(client, tokens.refresh_token)).json.error).toBe('invalid_grant');
      const seen = await introspect(client, tokens.access_token);
      expect(seen.status).toBe(200);
      expect(seen.json.active).toBe(false);
    }

    /** The worker delivers queued logout tokens; answers the verified claims of those that arrived. */
    async function deliveredLogoutTokens(from: number) {
      await t.services.worker.runOnce();
      const claims = [];
      for (const post of bcl.posts.slice(from)) {
        expect(post.type).toMatch(/^application\/x-www-form-urlencoded/);
        const token = new URLSearchParams(post.body).get('logout_token') ?? '';
        const { payload } = await jwtVerify(token, jwks, {
          issuer: ISSUER,
          audience: firstParty.clientId,
          typ: 'logout+jwt',
          currentDate: new Date(t.clock.now()),
        });
        claims.push(payload);
      }
      return claims;
    }

    it('discovery: the issuer, every endpoint of the contract, S256 only; /.well-known redirects to it', async () => {
      const d = (await t.app.inject({ method: 'GET', url: '/oidc/.well-known/openid-configuration' })).json<Record<string, unknown>>();
      expect(d.issuer).toBe(ISSUER);
      for (const key of [
        'authorization_endpoint',
        'token_endpoint',
        'userinfo_endpoint',
        'jwks_uri',
        'introspection_endpoint',
        'revocation_endpoint',
        'end_session_endpoint',
      ]) {
        expect(String(d[key])).toMatch(/^http:\/\/127\.0\.0\.1:3000\/oidc\//);
      }
      expect(d.code_challenge_methods_supported).toEqual(['S256']);
      expect(d.backchannel_logout_supported).toBe(true);
      expect(d.response_types_supported).toEqual(['code']);
      // A Host header of the client's choosing changes nothing: addresses come from PUBLIC_URL.
      const spoofed = (await t.app.inject({ method: 'GET', url: '/oidc/.well-known/openid-configuration', headers: { host: 'evil.example' } })).json<
        Record<string, unknown>
      >();
      expect(spoofed.authorization_endpoint).toBe(d.authorization_endpoint);
      const root = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
      expect(root.statusCode).toBe(302);
      expect(root.headers.location).toBe('/oidc/.well-known/openid-configuration');
      const keys = (await t.app.inject({ method: 'GET', url: '/oidc/jwks' })).json<JSONWebKeySet>();
      for (const key of keys.keys) expect(Object.keys(key).filter((k) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k))).toEqual([]);
    });

    it('the code flow: a code by GET redirects with the session, tokens for it, the ID token signed with the account id, email and nonce', async () => {
      const o = await owner();
      const tokens = await tokensFor(o.client);
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, { issuer: ISSUER, audience: firstParty.clientId });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload.sub).toBe(o.accountId);
      expect(payload.email).toBe(o.email);
      expect(payload.email_verified).toBe(true);
      expect(payload.nonce).toBe(tokens.nonce);
      const me = await t.app.inject({ method: 'GET', url: '/oidc/me', headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(me.json()).toMatchObject({ sub: o.accountId, email: o.email, email_verified: true });
      const seen = await introspect(firstParty, tokens.access_token);
      expect(seen.json).toMatchObject({ active: true, sub: o.accountId, client_id: firstParty.clientId });
    });

    it('refresh tokens rotate; the used one answers invalid_grant and takes its grant with it', async () => {
      const o = await owner();
      const tokens = await tokensFor(o.client);
      const first = await refresh(firstParty, tokens.refresh_token);
      expect(first.status).toBe(200);
      const next = first.json as { access_token: string; refresh_token: string };
      expect(next.refresh_token).not.toBe(tokens.refresh_token);
      expect((await refresh(firstParty, tokens.refresh_token)).json.error).toBe('invalid_grant');
      // The reuse revoked the whole grant: the rotated token is dead too.
      await expectEnded(firstParty, next);
    });

    it('two concurrent redemptions of one code, or of one refresh token: exactly one gets tokens', async () => {
      const o = await owner();
      const a = await authorize(o.client, firstParty);
      const both = await Promise.all([redeem(firstParty, a), redeem(firstParty, a)]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
      const tokens = await tokensFor(o.client);
      const twice = await Promise.all([refresh(firstParty, tokens.refresh_token), refresh(firstParty, tokens.refresh_token)]);
      expect(twice.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      expect(twice.some((r) => r.json.error === 'invalid_grant')).toBe(true);
    });

    it('a replayed code answers invalid_grant and revokes what the first exchange gave', async () => {
      const o = await owner();
      const a = await authorize(o.client, firstParty);
      const tokens = (await redeem(firstParty, a)).json as { access_token: string; refresh_token: string };
      const replay = await redeem(firstParty, a);
      expect(replay.status).toBe(400);
      expect(replay.json.error).toBe('invalid_grant');
      await expectEnded(firstParty, tokens);
    });

    it('revocation of an access token: it introspects inactive; revocation of a refresh token ends it', async () => {
      const o = await owner();
      const tokens = await tokensFor(o.client);
      expect((await form('/oidc/token/revocation', { token: tokens.access_token, token_type_hint: 'access_token' }, basic(firstParty))).status).toBe(200);
      expect((await introspect(firstParty, tokens.access_token)).json.active).toBe(false);
      const other = await tokensFor(o.client);
      expect((await form('/oidc/token/revocation', { token: other.refresh_token }, basic(firstParty))).status).toBe(200);
      expect((await refresh(firstParty, other.refresh_token)).json.error).toBe('invalid_grant');
    });

    it('without a Lifeline session the browser is sent to the sign-in page with the way back; prompt=none answers login_required', async () => {
      const anonymous = apiClient(t.app, { ip: nextIp() });
      const a = await authorize(anonymous, firstParty);
      expect(a.arrived).toBe(false);
      expect(a.location).toMatch(/^\/login\?return_to=%2Foidc%2Finteraction%2F[A-Za-z0-9_-]+$/);
      const none = await authorize(anonymous, firstParty, { extra: { prompt: 'none' } });
      expect(none.arrived).toBe(true);
      expect(none.params.get('error')).toBe('login_required');
      expect(none.params.get('code')).toBeNull();
    });

    it('signing in after the redirect continues the same authorization to the client', async () => {
      const o = await owner();
      const browser = apiClient(t.app, { ip: nextIp() });
      const a = await authorize(browser, firstParty);
      expect((await browser.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
      const back = await browser.get(decodeURIComponent(String(a.location).split('return_to=')[1] ?? ''), { accept: 'text/html' });
      expect(back.status).toBe(303);
      const location = await followToClient(browser, firstParty, String(back.headers.location));
      const params = new URL(location).searchParams;
      expect(params.get('state')).toBe(a.state);
      expect((await redeem(firstParty, { ...a, params })).status).toBe(200);
    });

    it('the way back survives a password reset made while the browser signs in again (an old provider session in it)', async () => {
      const o = await owner();
      await tokensFor(o.client);
      // The Lifeline session ends (timed out); the provider's cookie stays in the browser.
      for (const name of [...o.client.jar.keys()]) if (name.endsWith('lifeline_session')) o.client.jar.delete(name);
      const a = await authorize(o.client, firstParty);
      expect(a.location).toMatch(/^\/login\?return_to=/);
      const stranger = apiClient(t.app, { ip: nextIp() });
      t.clock.advance(2 * MINUTE);
      expect((await stranger.post('/api/v1/password/forgot', { identifier: o.email })).status).toBe(202);
      await t.services.passwordReset.drain();
      expect((await stranger.post('/api/v1/password/forgot/verify', { code: await codeTo(t, o.email) })).status).toBe(200);
      expect((await stranger.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
      expect((await o.client.post('/api/v1/login', { email: o.email, password: NEW_PASSWORD })).status).toBe(200);
      let location = decodeURIComponent(String(a.location).split('return_to=')[1] ?? '');
      for (let hop = 0; hop < 6 && !location.startsWith(firstParty.redirectUri); hop++) {
        const r = await o.client.get(pathOf(location), { accept: 'text/html' });
        expect(r.status, `${location} → ${/Fehlerangabe[^<]*<code>[^<]*<\/code>[^<]*/.exec(r.text)?.[0] ?? r.text.slice(0, 100)}`).toBe(303);
        location = String(r.headers.location);
      }
      const params = new URL(location).searchParams;
      expect(params.get('state')).toBe(a.state);
      expect((await redeem(firstParty, { ...a, params })).status).toBe(200);
    });

    it('"Abmelden" ends the provider session: the same browser gets no code on the provider cookie alone, and its hosts get a logout token with sid', async () => {
      const o = await owner();
      const tokens = await tokensFor(o.client);
      // The ID token names the provider session (sid), so the host can match the logout token.
      const { payload: idClaims } = await jwtVerify(tokens.id_token, jwks, { issuer: ISSUER, audience: firstParty.clientId });
      expect(typeof idClaims.sid).toBe('string');
      const sent = bcl.posts.length;
      expect((await o.client.post('/api/v1/logout')).status).toBe(204);
      // The provider's cookies are still in the jar; the Lifeline session is gone.
      expect([...o.client.jar.keys()].some((k) => k.startsWith('_lifeline_oidc'))).toBe(true);
      const again = await authorize(o.client, firstParty);
      expect(again.arrived).toBe(false);
      expect(again.location).toMatch(/^\/login\?/);
      await expectEnded(firstParty, tokens);
      const claims = await deliveredLogoutTokens(sent);
      expect(claims).toHaveLength(1);
      expect(claims[0]).toMatchObject({ sub: o.accountId, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
      expect(claims[0]?.sid).toBe(idClaims.sid);
      expect(claims[0]).not.toHaveProperty('nonce');
    });

    describe('sessions end together', () => {
      async function expectHostsTold(accountId: string, from: number) {
        const claims = await deliveredLogoutTokens(from);
        expect(claims.map((c) => c.sub)).toContain(accountId);
        for (const c of claims) {
          expect(typeof c.jti).toBe('string');
          expect(c.iat).toBeTypeOf('number');
        }
      }

      it("a password reset ends the account's grants everywhere and tells its hosts; the old browser signs in again", async () => {
        const o = await owner();
        const tokens = await tokensFor(o.client);
        const sent = bcl.posts.length;
        const stranger = apiClient(t.app, { ip: nextIp() });
        t.clock.advance(2 * MINUTE);
        expect((await stranger.post('/api/v1/password/forgot', { identifier: o.email })).status).toBe(202);
        await t.services.passwordReset.drain();
        const code = await codeTo(t, o.email);
        expect((await stranger.post('/api/v1/password/forgot/verify', { code })).status).toBe(200);
        expect((await stranger.post('/api/v1/password/reset', { password: NEW_PASSWORD })).status).toBe(200);
        await expectEnded(firstParty, tokens);
        expect((await authorize(o.client, firstParty)).arrived).toBe(false);
        await expectHostsTold(o.accountId, sent);
      });

      it('a password change ends them (the changing session stays and gets a new code at once)', async () => {
        const o = await owner();
        const tokens = await tokensFor(o.client);
        const sent = bcl.posts.length;
        expect((await o.client.put('/api/v1/account/password', { currentPassword: o.password, newPassword: NEW_PASSWORD })).status).toBe(200);
        await expectEnded(firstParty, tokens);
        await expectHostsTold(o.accountId, sent);
        expect((await authorize(o.client, firstParty)).arrived).toBe(true);
      });

      it('"Das war ich nicht" ends them, the intruder\'s grant included', async () => {
        const o = await owner();
        const intruder = apiClient(t.app, { ip: nextIp() });
        expect((await intruder.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
        const stolen = await tokensFor(intruder);
        await t.services.worker.runOnce();
        const sent = bcl.posts.length;
        let token: string | undefined;
        for (const mail of await mailsTo(t, o.email)) {
          const candidate = /\/undo\?token=([A-Za-z0-9_\-.~%]+)/.exec(mail.text)?.[1];
          if (candidate) token = decodeURIComponent(candidate);
        }
        expect(token).toBeDefined();
        expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/security/undo', { token })).status).toBe(200);
        await expectEnded(firstParty, stolen);
        expect((await authorize(intruder, firstParty)).arrived).toBe(false);
        await expectHostsTold(o.accountId, sent);
      });

      it('"Überall abmelden" ends them', async () => {
        const o = await owner();
        const elsewhere = apiClient(t.app, { ip: nextIp() });
        expect((await elsewhere.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
        const tokens = await tokensFor(elsewhere);
        const sent = bcl.posts.length;
        expect((await o.client.del('/api/v1/sessions/others')).status).toBe(204);
        await expectEnded(firstParty, tokens);
        expect((await authorize(elsewhere, firstParty)).arrived).toBe(false);
        await expectHostsTold(o.accountId, sent);
      });

      it("the owner removing what an intruder's device added (revokeDevice) ends the provider grants too", async () => {
        const o = await owner();
        const intruder = apiClient(t.app, { ip: nextIp() });
        expect((await intruder.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
        const stolen = await tokensFor(intruder);
        const current = ((await o.client.get('/api/v1/sessions')).body.sessions as { id: string; current: boolean }[]).find((x) => x.current)?.id ?? '';
        const session = await t.database.db
          .selectFrom('sessions')
          .select(['device_id'])
          .where('account_id', '=', o.accountId)
          .where('id', '!=', current)
          .executeTakeFirstOrThrow();
        const sent = bcl.posts.length;
        await inTransaction(t.database, (trx) => t.services.sessions.revokeDevice(trx, o.accountId, String(session.device_id)));
        await expectEnded(firstParty, stolen);
        await expectHostsTold(o.accountId, sent);
      });

      it("ending one session from the list ends that browser's host grants, not the owner's own", async () => {
        const o = await owner();
        const mine = await tokensFor(o.client);
        const intruder = apiClient(t.app, { ip: nextIp() });
        expect((await intruder.post('/api/v1/login', { email: o.email, password: o.password })).status).toBe(200);
        const stolen = await tokensFor(intruder);
        const sent = bcl.posts.length;
        const list = (await o.client.get('/api/v1/sessions')).body.sessions as { id: string; current: boolean }[];
        const theirs = list.find((session) => !session.current);
        expect((await o.client.del(`/api/v1/sessions/${String(theirs?.id)}`)).status).toBe(204);
        await expectEnded(firstParty, stolen);
        expect((await introspect(firstParty, mine.access_token)).json.active).toBe(true);
        expect((await refresh(firstParty, mine.refresh_token)).status).toBe(200);
        expect((await authorize(intruder, firstParty)).arrived).toBe(false);
        const claims = await deliveredLogoutTokens(sent);
        expect(claims).toHaveLength(1);
        expect(typeof claims[0]?.sid).toBe('string');
      });

      it("a browser that switches accounts: the earlier account's provider session ends, the code is for the one signed in now", async () => {
        const a = await owner();
        const first = await tokensFor(a.client);
        expect((await a.client.post('/api/v1/logout')).status).toBe(204);
        const b = await owner();
        // The same browser (a's jar, provider cookies included) signs in as b.
        expect((await a.client.post('/api/v1/login', { email: b.email, password: b.password })).status).toBe(200);
        const next = await tokensFor(a.client);
        const { payload } = await jwtVerify(next.id_token, jwks, { issuer: ISSUER, audience: firstParty.clientId });
        expect(payload.sub).toBe(b.accountId);
        await expectEnded(firstParty, first);
      });

      it('a logout token is retried while the host is down, with the same jti, and arrives once it is up', async () => {
        const o = await owner();
        await tokensFor(o.client);
        const sent = bcl.posts.length;
        bcl.setStatus(503);
        try {
          expect((await o.client.put('/api/v1/account/password', { currentPassword: o.password, newPassword: NEW_PASSWORD })).status).toBe(200);
          await t.services.worker.runOnce();
          const failed = bcl.posts.slice(sent).map((p) => new URLSearchParams(p.body).get('logout_token') ?? '');
          expect(failed.length).toBeGreaterThan(0);
          const rows = await t.services.outbox.list({ statuses: ['queued'] });
          expect(rows.some((r) => r.kind === 'oidc.backchannel-logout' && r.attempts >= 1)).toBe(true);
          bcl.setStatus(200);
          t.clock.advance(5 * SECOND);
          const before = bcl.posts.length;
          await t.services.worker.runOnce();
          const retried = bcl.posts.slice(before).map((p) => new URLSearchParams(p.body).get('logout_token') ?? '');
          expect(retried.length).toBeGreaterThan(0);
          const jti = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti;
          expect(retried.map(jti)).toEqual(expect.arrayContaining([jti(failed[0] ?? '')]));
        } finally {
          bcl.setStatus(200);
        }
      });
    });

    describe('consent and fresh passwords', () => {
      it('a third-party client shows the consent page; without prompt=consent no refresh token; "Ablehnen" answers access_denied', async () => {
        const o = await owner();
        const a = await authorize(o.client, thirdParty);
        expect(a.arrived).toBe(false);
        expect(a.status).toBe(200);
        expect(a.text).toContain('Zugriff erlauben?');
        expect(a.text).toContain('Ihre Anmelde-E-Mail-Adresse');
        const action = /action="([^"]+\/consent)"/.exec(a.text)?.[1] ?? '';
        const csrf = /name="csrf" value="([^"]+)"/.exec(a.text)?.[1] ?? '';
        // A forged form without the session's CSRF token changes nothing.
        const forged = await o.client.post(action, 'decision=allow&csrf=wrong', { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });
        expect(forged.status).toBe(400);
        const allowed = await o.client.post(action, `decision=allow&csrf=${encodeURIComponent(csrf)}`, {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        });
        expect(allowed.status).toBe(303);
        const location = await followToClient(o.client, thirdParty, String(allowed.headers.location));
        const params = new URL(location).searchParams;
        const tokens = await redeem(thirdParty, { ...a, params });
        expect(tokens.status).toBe(200);
        expect(tokens.json.refresh_token).toBeUndefined();

        const denied = await authorize(o.client, thirdParty, { extra: { prompt: 'consent' } });
        const csrf2 = /name="csrf" value="([^"]+)"/.exec(denied.text)?.[1] ?? '';
        const action2 = /action="([^"]+\/consent)"/.exec(denied.text)?.[1] ?? '';
        const no = await o.client.post(action2, `decision=deny&csrf=${encodeURIComponent(csrf2)}`, {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        });
        const end = await followToClient(o.client, thirdParty, String(no.headers.location));
        expect(new URL(end).searchParams.get('error')).toBe('access_denied');
        expect(new URL(end).searchParams.get('code')).toBeNull();
      });

      it("the consent page speaks the client's ui_locales, else the account's language, else the browser's", async () => {
        const english = await signedInAccount(t, { ip: nextIp(), acceptLanguage: 'de', locale: 'en' });
        const a = await authorize(english.client, thirdParty);
        expect(a.text).toContain('Allow access?');
        expect(a.text).toContain('Your sign-in email address');
        expect(a.text).toContain('<html lang="en">');
        const asked = await authorize(english.client, thirdParty, { extra: { ui_locales: 'de-DE' } });
        expect(asked.text).toContain('Zugriff erlauben?');
      });

      it('prompt=login and max_age=0 ask for the password again; a wrong one changes nothing', async () => {
        // The provider dates sessions and interactions by the system time: here Lifeline's clock
        // follows it (and afterwards goes on from where it was, never backwards).
        const saved = t.clock.now();
        const sync = () => t.clock.set(Date.now());
        try {
          sync();
          const o = await owner();
          for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
            // A second later than any password so far, so that max_age=0 finds it too old.
            await new Promise((resolve) => setTimeout(resolve, 1100));
            sync();
            const a = await authorize(o.client, firstParty, { extra });
            expect(a.arrived, JSON.stringify(extra)).toBe(false);
            expect(a.text).toContain('Passwort bestätigen');
            const action = /action="([^"]+\/password)"/.exec(a.text)?.[1] ?? '';
            const csrf = /name="csrf" value="([^"]+)"/.exec(a.text)?.[1] ?? '';
            const post = (body: string) => o.client.post(action, body, { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });
            const wrong = await post(`password=falsch-falsch-falsch&csrf=${encodeURIComponent(csrf)}`);
            expect(wrong.status).toBe(400);
            expect(wrong.text).toContain('Das Passwort ist nicht richtig');
            expect((await post(`password=${encodeURIComponent(GOOD_PASSWORD)}&csrf=wrong`)).status).toBe(400);
            const right = await post(`password=${encodeURIComponent(GOOD_PASSWORD)}&csrf=${encodeURIComponent(csrf)}`);
            expect(right.status).toBe(303);
            const location = await followToClient(o.client, firstParty, String(right.headers.location));
            const params = new URL(location).searchParams;
            const tokens = await redeem(firstParty, { ...a, params });
            expect(tokens.status).toBe(200);
            const { payload } = await jwtVerify(String(tokens.json.id_token), jwks, { issuer: ISSUER, audience: firstParty.clientId });
            expect(Number(payload.auth_time)).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 2);
          }
        } finally {
          t.clock.set(Math.max(saved, t.clock.now()) + 2 * MINUTE);
        }
      });
    });

    it('"Abbrechen" on the password page answers access_denied to the client; "Passwort vergessen?" keeps the way back', async () => {
      // The provider dates interactions by the system time (see the prompt=login test above).
      const saved = t.clock.now();
      t.clock.set(Date.now() - 5 * SECOND);
      const o = await owner();
      const a = await authorize(o.client, firstParty, { extra: { prompt: 'login' } });
      t.clock.set(saved + 2 * MINUTE);
      expect(a.text).toContain('Passwort bestätigen');
      expect(a.text).toMatch(/href="\/forgot-password\?return_to=%2Foidc%2Finteraction%2F[A-Za-z0-9_-]+"/);
      const abort = /action="([^"]+\/abort)"/.exec(a.text)?.[1] ?? '';
      const csrf = /name="csrf" value="([^"]+)"/.exec(a.text)?.[1] ?? '';
      const post = (body: string) => o.client.post(abort, body, { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });
      expect((await post('csrf=wrong')).status).toBe(400);
      const cancelled = await post(`csrf=${encodeURIComponent(csrf)}`);
      expect(cancelled.status).toBe(303);
      const location = await followToClient(o.client, firstParty, String(cancelled.headers.location));
      expect(new URL(location).searchParams.get('error')).toBe('access_denied');
      expect(new URL(location).searchParams.get('code')).toBeNull();
    });

    describe('bad input and abuse: an OAuth error, nothing issued, never a 5xx', () => {
      it('an unregistered or altered redirect_uri gets an error page, never a redirect', async () => {
        const o = await owner();
        for (const redirectUri of ['https://evil.example/cb', `${firstParty.redirectUri}/../evil`, `${firstParty.redirectUri}?x=1`, 'javascript:alert(1)']) {
          const a = await authorize(o.client, firstParty, { redirectUri });
          expect(a.arrived).toBe(false);
          expect(a.status).toBe(400);
          expect(a.location).toBeUndefined();
          expect(a.text).toContain('Anmeldung nicht möglich');
          expect(a.text).not.toContain('    at ');
        }
      });

      it('PKCE is required, S256 only, and the verifier must match', async () => {
        const o = await owner();
        const none = await authorize(o.client, firstParty, { pkce: false });
        expect(none.params.get('error')).toBe('invalid_request');
        expect(none.params.get('code')).toBeNull();
        const plain = await authorize(o.client, firstParty, { pkce: false, extra: { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' } });
        expect(plain.params.get('error')).toBe('invalid_request');
        const a = await authorize(o.client, firstParty);
        const wrong = await redeem(firstParty, { ...a, verifier: randomBytes(32).toString('base64url') });
        expect(wrong.json.error).toBe('invalid_grant');
        expect(wrong.json.access_token).toBeUndefined();
      });

      it('a wrong client secret, an unknown client and a revoked client are refused at the token endpoint', async () => {
        const o = await owner();
        const a = await authorize(o.client, firstParty);
        const wrong = await redeem({ ...firstParty, clientSecret: 'falsch' }, a);
        expect(wrong.status).toBe(401);
        expect(wrong.json.error).toBe('invalid_client');
        const unknown = await form('/oidc/token', { grant_type: 'authorization_code', code: 'x' }, basic({ ...firstParty, clientId: 'll_unknown' }));
        expect(unknown.json.error).toBe('invalid_client');
        const doomed = await register({ firstParty: true });
        const tokens = await tokensFor(o.client, doomed);
        expect(await t.services.oidc.clients.revoke(doomed.clientId)).toBe(true);
        expect((await refresh(doomed, tokens.refresh_token)).json.error).toBe('invalid_client');
        expect((await introspect(firstParty, tokens.access_token)).json.active).toBe(false);
        const page = await authorize(o.client, doomed);
        expect(page.arrived).toBe(false);
        expect(page.status).toBe(400);
      });

      it('response_type, scope and request-object nonsense, and oversized parameters', async () => {
        const o = await owner();
        const token = await authorize(o.client, firstParty, { extra: { response_type: 'token' } });
        // response_type=token answers in the fragment; nothing but the error comes back.
        const fragment = new URLSearchParams(new URL(token.location ?? 'http://x/').hash.slice(1));
        expect(fragment.get('error')).toBe('unsupported_response_type');
        expect(fragment.get('access_token')).toBeNull();
        const noOpenid = await authorize(o.client, firstParty, { scope: 'email' });
        expect(noOpenid.params.get('error')).toBe('invalid_request');
        const requestObject = await authorize(o.client, firstParty, { extra: { request: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } });
        expect(requestObject.params.get('error')).toMatch(/^request_not_supported|invalid_request_object$/);
        const huge = await authorize(o.client, firstParty, { extra: { login_hint: 'x'.repeat(5000), ui_locales: 'de '.repeat(500) } });
        expect(huge.status).toBeLessThan(500);
        const garbage = await form('/oidc/token', { grant_type: 'urn:nonsense', code: '\u0000'.repeat(10) }, basic(firstParty));
        expect(garbage.status).toBe(400);
        expect(garbage.json.error).toBe('unsupported_grant_type');
        const notForm = await t.app.inject({
          method: 'POST',
          url: '/oidc/token',
          headers: { 'content-type': 'application/json', ...basic(firstParty) },
          payload: '{"grant_type":"refresh_token"',
        });
        expect(notForm.statusCode).toBeGreaterThanOrEqual(400);
        expect(notForm.statusCode).toBeLessThan(500);
      });

      it('post_logout_redirect_uri: only registered ones; an open-redirect attempt gets an error page', async () => {
        const o = await owner();
        const tokens = await tokensFor(o.client);
        const evil = await o.client.get(
          `/oidc/session/end?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example/' }).toString()}`,
          { accept: 'text/html' },
        );
        expect(evil.status).toBe(400);
        expect(evil.headers.location).toBeUndefined();
        const fine = await o.client.get(
          `/oidc/session/end?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: `${firstParty.redirectUri}/bye` }).toString()}`,
          { accept: 'text/html' },
        );
        expect(fine.status).toBe(200);
        expect(fine.text).toContain('Abmelden?');
        // "Ja, abmelden": back to the registered URI, signed out of Lifeline and of the provider.
        const action = /<form[^>]*action="([^"]+)"/.exec(fine.text)?.[1] ?? '';
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(fine.text)?.[1] ?? '';
        const sent = bcl.posts.length;
        const confirmed = await o.client.post(pathOf(action), `xsrf=${encodeURIComponent(xsrf)}&logout=yes`, {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        });
        expect(confirmed.status).toBe(303);
        expect(String(confirmed.headers.location)).toMatch(new RegExp(`^${firstParty.redirectUri}/bye`));
        expect((await o.client.get('/api/v1/session')).status).toBe(401);
        expect((await authorize(o.client, firstParty)).arrived).toBe(false);
        // "signed out of every application": the offline grant of this browser ended too.
        await expectEnded(firstParty, tokens);
        expect((await deliveredLogoutTokens(sent)).map((c) => c.sub)).toContain(o.accountId);
      });

      it('authorization requests are rate-limited per client (each stores an interaction); the token endpoint is not', async () => {
        const limited = await createTestApp(dialect, { testDb: t.testDb, env: { RATE_LIMIT_API_PER_MINUTE: '3' } });
        try {
          const ip = nextIp();
          const statuses = [];
          for (let i = 0; i < 5; i++) {
            const r = await limited.app.inject({
              method: 'GET',
              url: `/oidc/auth?client_id=${firstParty.clientId}&response_type=code&scope=openid`,
              remoteAddress: ip,
            });
            statuses.push(r.statusCode);
          }
          expect(statuses.slice(0, 3).every((s) => s < 429)).toBe(true);
          expect(statuses.slice(3)).toEqual([429, 429]);
          for (let i = 0; i < 5; i++) {
            const r = await limited.app.inject({
              method: 'POST',
              url: '/oidc/token',
              remoteAddress: ip,
              headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(firstParty) },
              payload: 'grant_type=refresh_token&refresh_token=nope',
            });
            expect(r.statusCode).toBe(400);
          }
        } finally {
          await limited.close();
        }
      });

      it('the interaction forms take HTML forms only; a stranger with the interaction URL learns nothing', async () => {
        const o = await owner();
        const a = await authorize(o.client, thirdParty);
        const action = /action="([^"]+\/consent)"/.exec(a.text)?.[1] ?? '';
        for (const payload of ['{"csrf":5,"decision":"allow"}', '{"csrf":["x"]}', '{']) {
          const json = await o.client.post(action, payload, { 'content-type': 'application/json', accept: 'text/html' });
          expect(json.status).toBe(415);
        }
        const repeated = await o.client.post(action, 'csrf=a&csrf=b&decision=allow&decision=deny', {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        });
        expect(repeated.status).toBe(400);
        // The consent page allows its form to end at this client's redirect origin only.
        const consent = await o.client.get(pathOf(action.replace(/\/consent$/, '')), { accept: 'text/html' });
        expect(String(consent.headers['content-security-policy'])).toContain(`form-action 'self' ${new URL(thirdParty.redirectUri).origin};`);
        const stranger = await apiClient(t.app, { ip: nextIp() }).get(pathOf(action.replace(/\/consent$/, '')), { accept: 'text/html' });
        expect(stranger.headers.location).toBeUndefined();
        expect(stranger.status).toBe(400);
      });

      it('a refused RP-initiated logout (wrong xsrf) signs nobody out of Lifeline', async () => {
        const o = await owner();
        const tokens = await tokensFor(o.client);
        const page = await o.client.get(`/oidc/session/end?${new URLSearchParams({ id_token_hint: tokens.id_token }).toString()}`, { accept: 'text/html' });
        const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1] ?? '';
        const forged = await o.client.post(pathOf(action), 'xsrf=nonsense&logout=yes', {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        });
        expect(forged.status).toBe(400);
        expect((await o.client.get('/api/v1/session')).status).toBe(200);
        expect((await introspect(firstParty, tokens.access_token)).json.active).toBe(true);
      });

      it('an expired or unknown interaction is a page that says so, not an error', async () => {
        const r = await apiClient(t.app).get('/oidc/interaction/doesnotexist', { accept: 'text/html' });
        expect(r.status).toBe(400);
        expect(r.text).toContain('abgelaufen');
      });

      it('client registration refuses unsafe URIs', async () => {
        const bad = ['not a uri', 'https://a.example/cb#frag', 'https://user:pw@a.example/cb', 'ftp://a.example/cb', 'com.example.app:/cb'];
        for (const uri of bad) await expect(t.services.oidc.clients.create({ name: 'x', redirectUris: [uri] })).rejects.toThrow(/--redirect-uri/);
        await expect(t.services.oidc.clients.create({ name: '', redirectUris: ['https://a.example/cb'] })).rejects.toThrow(/NAME/);
        const native = await t.services.oidc.clients.create({ name: 'App', redirectUris: ['com.example.app:/cb'], public: true });
        expect(native.clientSecret).toBeUndefined();
      });
    });

    it("a public client: no secret, PKCE alone; it cannot introspect other clients' tokens", async () => {
      const o = await owner();
      const spa = await register({ firstParty: true, public: true });
      const a = await authorize(o.client, spa);
      const spaOrigin = new URL(spa.redirectUri).origin;
      const r = await form(
        '/oidc/token',
        {
          grant_type: 'authorization_code',
          code: a.params.get('code') ?? '',
          redirect_uri: spa.redirectUri,
          code_verifier: a.verifier,
          client_id: spa.clientId,
        },
        { origin: spaOrigin },
      );
      expect(r.status).toBe(200);
      // CORS for the SPA's own origin only.
      expect(r.headers['access-control-allow-origin']).toBe(spaOrigin);
      const foreign = await form(
        '/oidc/token',
        { grant_type: 'refresh_token', refresh_token: String(r.json.refresh_token), client_id: spa.clientId },
        { origin: 'https://evil.example' },
      );
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
      const theirs = await tokensFor(o.client);
      const peek = await form('/oidc/token/introspection', { token: theirs.access_token, client_id: spa.clientId });
      expect(peek.json.active).toBe(false);
    });

    it('signing keys: a rotated key is published at once, signs after the lead, and a retired key disappears', async () => {
      const before = (await t.services.oidc.signingKeys.list()).filter((k) => k.retiredAt === null);
      const made = await t.services.oidc.signingKeys.rotate();
      t.clock.advance(MINUTE + SECOND);
      const published = (await t.app.inject({ method: 'GET', url: '/oidc/jwks' })).json<JSONWebKeySet>();
      expect(published.keys.map((k) => k.kid)).toContain(made.kid);
      expect((await t.services.oidc.signingKeys.list()).find((k) => k.kid === made.kid)?.signing).toBe(false);
      t.clock.advance(PUBLISH_BEFORE_SIGNING_MS);
      expect((await t.services.oidc.signingKeys.list()).find((k) => k.kid === made.kid)?.signing).toBe(true);
      const old = before[0]?.kid ?? '';
      expect(await t.services.oidc.signingKeys.retire(made.kid)).toBe('signing');
      // Tokens the old key signed may be in use for an hour after the new one began to sign.
      expect(await t.services.oidc.signingKeys.retire(old)).toBe('too-soon');
      t.clock.advance(HOUR);
      expect(await t.services.oidc.signingKeys.retire(old)).toBe('retired');
      t.clock.advance(MINUTE + SECOND);
      const after = (await t.app.inject({ method: 'GET', url: '/oidc/jwks' })).json<JSONWebKeySet>();
      expect(after.keys.map((k) => k.kid)).toEqual([made.kid]);
      jwks = createLocalJWKSet(after);
      // Tokens are signed with the new key.
      const o = await owner();
      const tokens = await tokensFor(o.client);
      const { protectedHeader } = await jwtVerify(tokens.id_token, jwks, { issuer: ISSUER, audience: firstParty.clientId });
      expect(protectedHeader.kid).toBe(made.kid);
    });

    it('housekeeping sweeps expired provider rows', async () => {
      const o = await owner();
      await tokensFor(o.client);
      const count = async () =>
        Number(
          (
            await t.database.db
              .selectFrom('oidc_payloads')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirst()
          )?.n ?? 0,
        );
      const before = await count();
      t.clock.advance(400 * 24 * 60 * MINUTE);
      await createHousekeeping(t.services).runOnce();
      expect(await count()).toBeLessThan(before);
      expect(tokenIn('x')).toBeUndefined();
    });
  });
}
