import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { waitFor } from './browser.js';

/**
 * A host application for the browser tests of Lifeline's OpenID Connect provider: a loopback
 * HTTP server whose `/cb…` paths are redirect_uris (each arrival's query is recorded, and the
 * browser gets a small page), the authorization request with PKCE S256, state and nonce, and
 * the code's exchange at the token endpoint with client_secret_basic.
 */

/** A client as the tests register it (services.oidc.clients.create). */
export interface RelyingPartyClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

/** One arrival of a browser at a redirect_uri. */
export interface Arrival {
  readonly path: string;
  readonly query: URLSearchParams;
}

export interface RelyingParty {
  /** http://127.0.0.1:<port>: a redirect_uri is this plus a path starting with /cb. */
  readonly origin: string;
  /** Every arrival at a /cb… path, oldest first. */
  readonly arrivals: readonly Arrival[];
  /** The first arrival at `redirectUri` after the first `after` ones (waits for it). */
  arrivalAt(redirectUri: string, after: number): Promise<Arrival>;
  close(): Promise<void>;
}

/** Starts the host application on a free loopback port. */
export async function startRelyingParty(): Promise<RelyingParty> {
  const arrivals: Arrival[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/cb')) arrivals.push({ path: url.pathname, query: url.searchParams });
    // A page without outside requests (an empty icon: no /favicon.ico), so the browser reports nothing.
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(
      '<!doctype html><html lang="de"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Host</title></head><body><main><h1>Host-Anwendung</h1></main></body></html>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    arrivals,
    arrivalAt: (redirectUri, after) =>
      waitFor(async () => arrivals.slice(after).find((arrival) => `${origin}${arrival.path}` === redirectUri), `the browser at ${redirectUri}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An authorization request of the code flow, with what the host keeps for the exchange. */
export interface AuthorizationRequest {
  /** The address the browser opens: <issuer>/auth?… */
  readonly url: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** The authorization request of `client` at Lifeline's `origin`: PKCE S256, a fresh state and nonce, `extra` parameters. */
export function authorizationRequest(
  origin: string,
  client: RelyingPartyClient,
  options: { scope?: string; extra?: Record<string, string> } = {},
): AuthorizationRequest {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const nonce = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: options.scope ?? 'openid email offline_access',
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...options.extra,
  });
  return { url: `${origin}/oidc/auth?${query.toString()}`, verifier, state, nonce };
}

/** The token endpoint's answer to a code. */
export interface Tokens {
  readonly access_token: string;
  readonly id_token: string;
  readonly refresh_token?: string;
  readonly token_type: string;
  readonly scope?: string;
}

/** Exchanges `code` at Lifeline's token endpoint (client_secret_basic + code_verifier), expecting 200. */
export async function redeemCode(origin: string, client: RelyingPartyClient, code: string, request: AuthorizationRequest): Promise<Tokens> {
  const response = await fetch(`${origin}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: request.verifier }).toString(),
  });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return JSON.parse(body) as Tokens;
}

/** The verified claims of an ID token of Lifeline at `origin` for `client` (signature by the published keys, issuer, audience, nonce). */
export async function idTokenClaims(
  origin: string,
  client: RelyingPartyClient,
  idToken: string,
  nonce: string,
): Promise<JWTPayload & { email?: string; email_verified?: boolean; nonce?: string }> {
  const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(`${origin}/oidc/jwks`)), { issuer: `${origin}/oidc`, audience: client.clientId });
  expect(payload.nonce).toBe(nonce);
  return payload;
}
