import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a delivery to a host application must not reach in production (server-side request
 * forgery: a registered URL that points into Lifeline's own network): loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unique-local and the
 * unspecified addresses.
 */
const privateNetworks = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  // NAT64 and 6to4 embed IPv4 addresses (a private one among them).
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  // Teredo (an IPv4 address inside), IPv4-compatible (deprecated, ::a.b.c.d), site-local, discard.
  ['2001::', 32],
  ['::', 96],
  ['fec0::', 10],
  ['100::', 64],
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return privateNetworks.check(mapped[1], 'ipv4');
  return privateNetworks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class OutboundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

/** A DNS look-up that refuses private addresses: checked on the address actually connected to. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      const first = usable[0];
      if (!first) return callback(new OutboundRefusedError(`${hostname} resolves only to private or loopback addresses`), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      return callback(null, first.address, first.family);
    });
  };
}

export interface OutboundResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs a body to a host application's URL (back-channel logout now, webhooks later): no
 * redirects followed, the answer read up to 4 KiB, an overall deadline, and in production no
 * private or loopback address unless the operator allowed it (WEBHOOK_ALLOW_PRIVATE).
 */
export async function outboundPost(
  url: string,
  input: {
    body: string;
    contentType: string;
    headers?: Record<string, string>;
    allowPrivateNetworks: boolean;
    timeoutMs?: number;
    signal?: AbortSignal | undefined;
  },
): Promise<OutboundResponse> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new OutboundRefusedError(`${target.protocol} is not http(s)`);
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (!input.allowPrivateNetworks && isIP(literal) !== 0 && isPrivateAddress(literal))
    throw new OutboundRefusedError(`${literal} is a private or loopback address`);
  const signal = AbortSignal.any([AbortSignal.timeout(input.timeoutMs ?? 10_000), ...(input.signal ? [input.signal] : [])]);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        signal,
        lookup: guardedLookup(input.allowPrivateNetworks),
        headers: { 'content-type': input.contentType, 'content-length': Buffer.byteLength(input.body), 'user-agent': 'Lifeline', ...input.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // Enough to log; a receiver that keeps talking is cut off instead of read to the deadline.
          if (size >= 4096) {
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 4096) });
            response.destroy();
          }
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 4096) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(input.body);
  });
}
