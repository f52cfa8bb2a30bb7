import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { OIDC_MOUNT_PATH } from '../../oidc/oidc-provider.js';

// How a Fastify request reaches oidc-provider (oidc-routes.ts): as a Node request below the mount
// path, with the public address, and, where a route has read its body already, the body again.

export type ProviderRequest = IncomingMessage & { originalUrl?: string };

/**
 * Hands a request to oidc-provider as if it were mounted at /oidc: the path below the mount,
 * the original URL for the provider's own links, and the public address from PUBLIC_URL
 * (never from the client's Host header; the provider trusts these headers, and only these).
 */
export function asProviderRequest(request: FastifyRequest, publicUrl: URL): ProviderRequest {
  const raw = request.raw as ProviderRequest;
  if (raw.originalUrl === undefined) {
    raw.originalUrl = raw.url ?? '/';
    raw.url = (raw.url ?? '/').slice(OIDC_MOUNT_PATH.length) || '/';
  }
  raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
  raw.headers['x-forwarded-host'] = publicUrl.host;
  raw.headers['x-forwarded-for'] = request.ip;
  return raw;
}

/** Introspection bodies above this size (real ones are a few hundred bytes) go to the provider unread. */
export const INTROSPECTION_BODY_LIMIT = 4096;

/**
 * oidc-provider's headers on an introspection answer to a request without Origin: no caching
 * (RFC 7662 2.2 answers are per token) and its CORS middleware's answer to a caller without Origin.
 */
export const INTROSPECTION_HEADERS = {
  'cache-control': 'no-store',
  vary: 'Origin',
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'WWW-Authenticate',
} as const;

/** Reads a request body of a known length (Node's HTTP parser holds the request to it). */
export function readBody(raw: IncomingMessage, length: number): Promise<Buffer> {
  // Events rather than an async iterator: a few hundred bytes arrive in one chunk, and the
  // iterator's promises per chunk showed in the profile of this hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.once('end', () => resolve(Buffer.concat(chunks, length)));
    raw.once('error', reject);
    // A client gone before its body arrived: nothing will end the wait otherwise.
    raw.once('close', () => reject(new Error('request closed before its body arrived')));
  });
}

/**
 * The request again, its body readable once more: what the provider reads when a request this
 * module has already read is handed to it. A stream over the body with the request's headers,
 * method, URL and socket (all the provider and Koa read of a request).
 */
export function withBody(raw: ProviderRequest, body: Buffer): ProviderRequest {
  const replay = Readable.from([body], { objectMode: false });
  Object.assign(replay, {
    headers: raw.headers,
    rawHeaders: raw.rawHeaders,
    method: raw.method,
    url: raw.url,
    originalUrl: raw.originalUrl,
    httpVersion: raw.httpVersion,
    httpVersionMajor: raw.httpVersionMajor,
    httpVersionMinor: raw.httpVersionMinor,
    socket: raw.socket,
    connection: raw.socket,
    complete: true,
  });
  return replay as unknown as ProviderRequest;
}

/** A form-action source for a URI: its origin for http(s), its scheme for a native app's private-use scheme. */
export function formTarget(url: URL): string {
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol;
}
