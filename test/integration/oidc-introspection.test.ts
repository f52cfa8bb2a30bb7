import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FOR_THE_PROVIDER, type IntrospectionAnswer } from '../../src/oidc/introspection.js';
import { signedInAccount, type ApiClient } from '../helpers/api-client.js';
import { oidcFlow, type TestClient } from '../helpers/oidc-flow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Lifeline answers the common introspection requests itself, in one read (src/oidc/introspection.ts,
 * docs/oidc.md "Introspection"), and hands every other request to oidc-provider. Each request
 * here is sent twice: to Lifeline's /oidc/token/introspection, and to oidc-provider's own
 * endpoint (the same provider instance, served bare on a loopback port). Both answers must be the
 * same — status, body, cache and authentication headers — and the test also asserts which path
 * answered, so that a fast path that silently handed everything over would fail.
 */
interface Sent {
  readonly headers: Record<string, string>;
  readonly body: string;
}
interface Seen {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string | undefined>;
}

const COMPARED_HEADERS = ['content-type', 'cache-control', 'www-authenticate', 'vary', 'access-control-allow-origin', 'access-control-expose-headers'] as const;
const FORM = 'application/x-www-form-urlencoded';

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: introspection, Lifeline's fast path and oidc-provider alike`, () => {
    let t: TestApp;
    let bare: http.Server;
    let bareUrl: string;
    let mine: TestClient;
    let theirs: TestClient;
    let spa: TestClient;
    let revokedClient: TestClient;
    const outcomes: (IntrospectionAnswer | typeof FOR_THE_PROVIDER)[] = [];
    const flow = oidcFlow(() => t);

    beforeAll(async () => {
      t = await createTestApp(dialect, { env: { RATE_LIMIT_API_PER_MINUTE: '100000' } });
      t.clock.set(Date.now());
      const provider = await t.services.oidc.provider();
      const callback = provider.callback();
      bare = http.createServer((request, response) => void callback(request, response));
      await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
      bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/token/introspection`;
      mine = await flow.register({ firstParty: true });
      theirs = await flow.register({ firstParty: false });
      spa = await flow.register({ firstParty: true, public: true });
      revokedClient = await flow.register({ firstParty: true });
      await t.services.oidc.clients.revoke(revokedClient.clientId);
      // Records what the fast path decided for each request it read.
      const introspection = t.services.oidc.introspection;
      const original = introspection.introspect.bind(introspection);
      vi.spyOn(introspection, 'introspect').mockImplementation(async (...args) => {
        const outcome = await original(...args);
        outcomes.push(outcome);
        return outcome;
      });
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      await new Promise<void>((resolve) => bare.close(() => resolve()));
      await t.close();
    });

    const basicOf = (clientId: string, secret: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const asMine = (params: Record<string, string>, headers: Record<string, string> = {}): Sent => ({
      headers: { 'content-type': FORM, accept: 'application/json', authorization: basicOf(mine.clientId, mine.clientSecret), ...headers },
      body: new URLSearchParams(params).toString(),
    });

    function picked(headers: Record<string, string | string[] | number | undefined>): Record<string, string | undefined> {
      return Object.fromEntries(
        COMPARED_HEADERS.map((name) => {
          const value = headers[name];
          return [name, value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value)];
        }),
      );
    }
    const parsed = (text: string): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    };

    async function viaLifeline(sent: Sent): Promise<Seen> {
      const r = await t.app.inject({ method: 'POST', url: '/oidc/token/introspection', headers: sent.headers, payload: sent.body });
      return { status: r.statusCode, body: parsed(r.body), headers: picked(r.headers) };
    }
    async function viaProvider(sent: Sent): Promise<Seen> {
      const r = await fetch(bareUrl, { method: 'POST', headers: sent.headers, body: sent.body });
      return { status: r.status, body: parsed(await r.text()), headers: picked(Object.fromEntries(r.headers)) };
    }

    /**
     * Sends the request both ways and expects the same answer; `path` says who must have answered
     * at Lifeline: the fast path ('fast'), or the provider after the fast path read it ('read,
     * then provider'), or the provider without the fast path reading it ('provider').
     */
    async function same(sent: Sent, path: 'fast' | 'read, then provider' | 'provider'): Promise<Seen> {
      const before = outcomes.length;
      const lifeline = await viaLifeline(sent);
      const provider = await viaProvider(sent);
      expect(lifeline).toEqual(provider);
      const decided = outcomes.slice(before);
      if (path === 'provider') expect(decided).toEqual([]);
      else if (path === 'fast') expect(decided).toEqual([lifeline.body]);
      else expect(decided).toEqual([FOR_THE_PROVIDER]);
      return lifeline;
    }

    async function owner(): Promise<ApiClient> {
      return (await signedInAccount(t, { ip: `198.51.100.${outcomes.length % 250}` })).client;
    }

    /** Rewrites a stored artefact's payload (what a branch needs that no flow produces on demand). */
    async function tamper(model: string, id: string, change: (payload: Record<string, unknown>) => void): Promise<void> {
      const row = await t.database.db.selectFrom('oidc_payloads').select('payload').where('model', '=', model).where('id', '=', id).executeTakeFirstOrThrow();
      const payload = JSON.parse(row.payload) as Record<string, unknown>;
      change(payload);
      await t.database.db
        .updateTable('oidc_payloads')
        .set({ payload: JSON.stringify(payload) })
        .where('model', '=', model)
        .where('id', '=', id)
        .execute();
    }
    const grantOf = async (model: string, id: string) =>
      String(
        (await t.database.db.selectFrom('oidc_payloads').select('grant_id').where('model', '=', model).where('id', '=', id).executeTakeFirstOrThrow()).grant_id,
      );

    it('live tokens: access and refresh, with every hint, by Basic or form secret, asked by their client or another confidential one', async () => {
      const tokens = await flow.tokensFor(await owner(), mine);
      const active = await same(asMine({ token: tokens.access_token }), 'fast');
      expect(active.body).toMatchObject({ active: true, client_id: mine.clientId, token_type: 'Bearer', scope: 'openid email offline_access' });
      for (const hint of ['access_token', 'refresh_token', 'urn:ietf:params:oauth:token-type:access_token', 'something_else']) {
        await same(asMine({ token: tokens.access_token, token_type_hint: hint }), 'fast');
        await same(asMine({ token: tokens.refresh_token, token_type_hint: hint }), 'fast');
      }
      const refresh = await same(asMine({ token: tokens.refresh_token }), 'fast');
      expect(refresh.body).toMatchObject({ active: true, client_id: mine.clientId });
      expect(refresh.body).not.toHaveProperty('token_type');
      await same(
        {
          headers: { 'content-type': FORM },
          body: new URLSearchParams({ token: tokens.access_token, client_id: mine.clientId, client_secret: mine.clientSecret }).toString(),
        },
        'fast',
      );
      await same(
        {
          headers: { 'content-type': `${FORM}; charset=UTF-8`, authorization: basicOf(theirs.clientId, theirs.clientSecret) },
          body: `token=${tokens.access_token}`,
        },
        'fast',
      );
      await same(asMine({ token: tokens.access_token, client_id: mine.clientId }), 'fast');
    });

    it("a public client: active for its own tokens, inactive for another client's", async () => {
      const browser = await owner();
      const a = await flow.authorize(browser, spa);
      const own = await flow.form('/oidc/token', {
        grant_type: 'authorization_code',
        code: a.params.get('code') ?? '',
        redirect_uri: spa.redirectUri,
        code_verifier: a.verifier,
        client_id: spa.clientId,
      });
      expect(own.status).toBe(200);
      const ask = (token: string): Sent => ({ headers: { 'content-type': FORM }, body: new URLSearchParams({ token, client_id: spa.clientId }).toString() });
      expect((await same(ask(String(own.json.access_token)), 'fast')).body).toMatchObject({ active: true, client_id: spa.clientId });
      const other = await flow.tokensFor(browser, mine);
      expect((await same(ask(other.access_token), 'fast')).body).toEqual({ active: false });
    });

    it('ended tokens: revoked, rotated, unknown, expired by payload or by row, grant gone, expired or not matching', async () => {
      const browser = await owner();
      const revoked = await flow.tokensFor(browser, mine);
      expect((await flow.form('/oidc/token/revocation', { token: revoked.access_token }, flow.basic(mine))).status).toBe(200);
      expect((await same(asMine({ token: revoked.access_token }), 'fast')).body).toEqual({ active: false });

      const rotated = await flow.tokensFor(browser, mine);
      const next = await flow.refresh(mine, rotated.refresh_token);
      expect(next.status).toBe(200);
      expect((await same(asMine({ token: rotated.refresh_token }), 'fast')).body).toEqual({ active: false });
      expect((await same(asMine({ token: String(next.json.access_token) }), 'fast')).body).toMatchObject({ active: true });

      await same(asMine({ token: 'no-such-token-at-all' }), 'fast');

      const byPayload = await flow.tokensFor(browser, mine);
      await tamper('AccessToken', byPayload.access_token, (p) => (p.exp = Math.floor(Date.now() / 1000) - 5));
      expect((await same(asMine({ token: byPayload.access_token }), 'fast')).body).toEqual({ active: false });
      await tamper('AccessToken', byPayload.access_token, (p) => (p.exp = Math.floor(Date.now() / 1000) - 60));
      expect((await same(asMine({ token: byPayload.access_token }), 'fast')).body).toEqual({ active: false });

      const byRow = await flow.tokensFor(browser, mine);
      await t.database.db
        .updateTable('oidc_payloads')
        .set({ expires_at: t.clock.now() - 1 })
        .where('model', '=', 'AccessToken')
        .where('id', '=', byRow.access_token)
        .execute();
      expect((await same(asMine({ token: byRow.access_token }), 'fast')).body).toEqual({ active: false });

      const grantGone = await flow.tokensFor(browser, mine);
      await t.database.db
        .deleteFrom('oidc_payloads')
        .where('model', '=', 'Grant')
        .where('id', '=', await grantOf('AccessToken', grantGone.access_token))
        .execute();
      expect((await same(asMine({ token: grantGone.access_token }), 'fast')).body).toEqual({ active: false });

      const grantExpired = await flow.tokensFor(browser, mine);
      await tamper('Grant', await grantOf('AccessToken', grantExpired.access_token), (p) => (p.exp = Math.floor(Date.now() / 1000) - 1));
      expect((await same(asMine({ token: grantExpired.access_token }), 'fast')).body).toEqual({ active: false });

      const grantOfAnother = await flow.tokensFor(browser, mine);
      await tamper('Grant', await grantOf('AccessToken', grantOfAnother.access_token), (p) => (p.accountId = 'someone-else'));
      expect((await same(asMine({ token: grantOfAnother.access_token }), 'fast')).body).toEqual({ active: false });
    });

    it('tokens bound to the provider session (no offline_access): active while it lives, inactive once it is gone', async () => {
      const browser = await owner();
      const a = await flow.authorize(browser, mine, { scope: 'openid email' });
      const tokens = (await flow.redeem(mine, a)).json;
      expect(tokens.refresh_token).toBeUndefined();
      const accessToken = String(tokens.access_token);
      expect((await same(asMine({ token: accessToken }), 'fast')).body).toMatchObject({ active: true, scope: 'openid email' });
      const stored = await t.database.db
        .selectFrom('oidc_payloads')
        .select('payload')
        .where('model', '=', 'AccessToken')
        .where('id', '=', accessToken)
        .executeTakeFirstOrThrow();
      const sessionUid = String((JSON.parse(stored.payload) as { sessionUid: string }).sessionUid);
      await t.database.db.deleteFrom('oidc_payloads').where('model', '=', 'Session').where('uid', '=', sessionUid).execute();
      expect((await same(asMine({ token: accessToken }), 'fast')).body).toEqual({ active: false });
    });

    it("every refusal and every other shape of request is the provider's, answered as it answers it", async () => {
      const tokens = await flow.tokensFor(await owner(), mine);
      const token = tokens.access_token;
      const form = (params: Record<string, string>, headers: Record<string, string> = {}): Sent => ({
        headers: { 'content-type': FORM, accept: 'application/json', ...headers },
        body: new URLSearchParams(params).toString(),
      });
      const refusals: [string, Sent][] = [
        ['wrong secret (Basic)', form({ token }, { authorization: basicOf(mine.clientId, 'wrong') })],
        ['wrong secret (form)', form({ token, client_id: mine.clientId, client_secret: 'wrong' })],
        ['unknown client', form({ token }, { authorization: basicOf('ll_nobody', 'x') })],
        ['revoked client', form({ token }, { authorization: basicOf(revokedClient.clientId, revokedClient.clientSecret) })],
        ['confidential client without its secret', form({ token, client_id: mine.clientId })],
        ['public client with a secret', form({ token, client_id: spa.clientId, client_secret: 'anything' })],
        ['two mechanisms', form({ token, client_secret: mine.clientSecret }, { authorization: basicOf(mine.clientId, mine.clientSecret) })],
        ['client_id not the Basic one', form({ token, client_id: theirs.clientId }, { authorization: basicOf(mine.clientId, mine.clientSecret) })],
        ['Basic without a colon', form({ token }, { authorization: `Basic ${Buffer.from(mine.clientId).toString('base64')}` })],
        ['Basic not base64', form({ token }, { authorization: 'Basic %%%' })],
        ['Bearer instead of Basic', form({ token }, { authorization: `Bearer ${token}` })],
        [
          'a client assertion',
          form({ token, client_id: mine.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'a.b.c' }),
        ],
        ['no client authentication', form({ token })],
        ['no token', asMine({ token_type_hint: 'access_token' })],
        ['an empty token', asMine({ token: '' })],
        ['a structured token (the ID token)', asMine({ token: tokens.id_token })],
        ['control characters in the Basic credentials', form({ token }, { authorization: basicOf(`${mine.clientId}\u0001`, mine.clientSecret) })],
      ];
      for (const [name, sent] of refusals) {
        const seen = await same(sent, 'read, then provider');
        expect(seen.status, name).toBeGreaterThanOrEqual(400);
      }
      const twice = { ...asMine({}), body: `token=${token}&token=${token}` };
      expect((await same(twice, 'read, then provider')).status).toBe(400);

      // Read by the provider only: what a browser sends (CORS), other encodings, other bodies.
      await same(asMine({ token }, { origin: 'https://elsewhere.example' }), 'provider');
      await same(asMine({ token }, { 'content-type': `${FORM}; charset=iso-8859-1` }), 'provider');
      await same(
        { headers: { 'content-type': 'application/json', authorization: basicOf(mine.clientId, mine.clientSecret) }, body: JSON.stringify({ token }) },
        'provider',
      );
      await same(asMine({ token, padding: 'x'.repeat(5000) }), 'provider');
      // An empty body (content-length 0; fetch and inject frame it differently, so Lifeline alone).
      const before = outcomes.length;
      const empty = await viaLifeline({ headers: { 'content-type': FORM, authorization: basicOf(mine.clientId, mine.clientSecret) }, body: '' });
      expect(empty.status).toBe(400);
      expect(empty.body).toMatchObject({ error: 'invalid_request' });
      expect(outcomes.length).toBe(before);
    });

    it('a token with more than the fast path answers (sender-constrained) goes to the provider, read once', async () => {
      const tokens = await flow.tokensFor(await owner(), mine);
      await tamper('AccessToken', tokens.access_token, (p) => (p.jkt = 'thumbprint-of-a-dpop-key'));
      const seen = await same(asMine({ token: tokens.access_token }), 'read, then provider');
      expect(seen.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: 'thumbprint-of-a-dpop-key' } });
    });
  });
}
