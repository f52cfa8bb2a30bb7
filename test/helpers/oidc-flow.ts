import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiClient } from './api-client.js';
import type { TestApp } from './test-app.js';

/**
 * The relying party's side of the OpenID Connect tests over app.inject: clients registered
 * through the registry, a browser's authorization request with PKCE followed to the redirect_uri,
 * and the token, refresh and introspection requests of a host server.
 */

export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

export interface Authorized {
  readonly arrived: boolean;
  readonly params: URLSearchParams;
  readonly status: number;
  readonly location: string | undefined;
  readonly text: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** `testApp`: the app under test (made in a beforeAll, so asked for at each call). */
export function oidcFlow(testApp: () => TestApp) {
  async function register(options: { firstParty: boolean; backchannelLogoutUri?: string; public?: boolean }): Promise<TestClient> {
    const redirectUri = `http://127.0.0.1:9/cb-${randomBytes(4).toString('hex')}`;
    const made = await testApp().services.oidc.clients.create({
      name: 'Testanwendung',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [`${redirectUri}/bye`],
      firstParty: options.firstParty,
      public: options.public === true,
      backchannelLogoutUri: options.backchannelLogoutUri,
    });
    return { clientId: made.clientId, clientSecret: made.clientSecret ?? '', redirectUri };
  }

  const pathOf = (url: string) => {
    const u = new URL(url, 'http://127.0.0.1:3000');
    return `${u.pathname}${u.search}`;
  };

  /** A browser's GET redirects from /oidc/auth until the redirect_uri (not loaded) or a page. */
  async function authorize(
    browser: ApiClient,
    client: TestClient,
    options: { scope?: string; extra?: Record<string, string>; pkce?: boolean; redirectUri?: string } = {},
  ): Promise<Authorized> {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const nonce = randomBytes(12).toString('base64url');
    const redirectUri = options.redirectUri ?? client.redirectUri;
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: redirectUri,
      scope: options.scope ?? 'openid email offline_access',
      state,
      nonce,
      ...(options.pkce === false ? {} : { code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' }),
      ...options.extra,
    });
    let url = `/oidc/auth?${query.toString()}`;
    for (let hop = 0; hop < 10; hop++) {
      const r = await browser.get(url, { accept: 'text/html' });
      const location = typeof r.headers.location === 'string' ? r.headers.location : undefined;
      if (r.status >= 300 && r.status < 400 && location) {
        if (location.startsWith(redirectUri))
          return { arrived: true, params: new URL(location).searchParams, status: r.status, location, text: r.text, verifier, state, nonce };
        if (!location.startsWith('/') && !location.startsWith('http://127.0.0.1:3000/')) throw new Error(`redirect off-site: ${location}`);
        if (location.startsWith('/login'))
          return { arrived: false, params: new URLSearchParams(), status: r.status, location, text: r.text, verifier, state, nonce };
        url = pathOf(location);
        continue;
      }
      return { arrived: false, params: new URLSearchParams(), status: r.status, location, text: r.text, verifier, state, nonce };
    }
    throw new Error('too many redirects');
  }

  /** Follows a browser's GET redirects from `location` until the client's redirect_uri (not loaded). */
  async function followToClient(browser: ApiClient, client: TestClient, location: string): Promise<string> {
    let at = location;
    for (let hop = 0; hop < 5 && !at.startsWith(client.redirectUri); hop++)
      at = String((await browser.get(pathOf(at), { accept: 'text/html' })).headers.location);
    return at;
  }

  function basic(client: TestClient): Record<string, string> {
    return { authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}` };
  }

  async function form(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
    const r = await testApp().app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      payload: new URLSearchParams(params).toString(),
    });
    let json: Record<string, unknown>;
    try {
      json = r.json<Record<string, unknown>>();
    } catch {
      json = {};
    }
    return { status: r.statusCode, json, text: r.body, headers: r.headers };
  }

  const redeem = (client: TestClient, a: Authorized, extra: Record<string, string> = {}) =>
    form(
      '/oidc/token',
      { grant_type: 'authorization_code', code: a.params.get('code') ?? '', redirect_uri: client.redirectUri, code_verifier: a.verifier, ...extra },
      basic(client),
    );
  const refresh = (client: TestClient, token: string) => form('/oidc/token', { grant_type: 'refresh_token', refresh_token: token }, basic(client));
  const introspect = (client: TestClient, token: string) => form('/oidc/token/introspection', { token }, basic(client));

  async function tokensFor(browser: ApiClient, client: TestClient) {
    const a = await authorize(browser, client);
    expect(a.arrived, a.text.slice(0, 200)).toBe(true);
    const r = await redeem(client, a);
    expect(r.status, r.text).toBe(200);
    return { ...(r.json as { access_token: string; refresh_token: string; id_token: string }), nonce: a.nonce };
  }

  return { register, pathOf, authorize, followToClient, basic, form, redeem, refresh, introspect, tokensFor };
}
