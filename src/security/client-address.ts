import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client is rate-limited by: its IPv4 address, or the /64 prefix of its IPv6
 * address (one customer line usually gets a whole /64, so per-address buckets would be free
 * to walk around). IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function clientBucketKey(ip: string): string {
  const address =
    ip
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, '')
      .split('%')[0] ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/**
 * The wider bucket of an IPv6 client key: its /48 (`2001:db8:1:2::/64` → `2001:db8:1::/48`),
 * or undefined for an IPv4 key. One site usually gets a /48, i.e. 65,536 /64s: per-client limits
 * count there as well, with a larger size (docs/security.md "Anti-automation controls").
 */
export function clientSlash48Key(clientKey: string): string | undefined {
  const match = /^([0-9a-f]{1,4}):([0-9a-f]{1,4}):([0-9a-f]{1,4}):[0-9a-f]{1,4}::\/64$/.exec(clientKey);
  return match ? `${match[1]}:${match[2]}:${match[3]}::/48` : undefined;
}

/** `2001:db8::1` → ['2001','db8','0','0','0','0','0','1'] (lower-case, no leading zeros). */
function expandIpv6(address: string): string[] {
  let text = address;
  // An embedded IPv4 tail (`::1.2.3.4`) becomes two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g || '0', 16).toString(16));
}

export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  const address = ip.toLowerCase();
  return address === '::1' || address.startsWith('127.') || /^::ffff:127\./.test(address);
}

/**
 * Whether a URL points at this machine only: http(s) to `localhost` (or a name under
 * `.localhost`), 127.0.0.0/8 or [::1]. The development mailbox is mounted only when PUBLIC_URL
 * is such a URL (docs/operations.md), so a local reverse proxy that publishes the service under
 * a public name cannot expose it.
 */
export function isLoopbackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
