import { isIP } from 'node:net';

/**
 * The settings for host applications on sibling host names (docs/operations.md "Session cookie
 * domain and CORS"): CORS_ORIGINS and SESSION_COOKIE_DOMAIN. Each wrong value becomes a problem
 * naming its variable, so the start stops with every one of them.
 */

/**
 * CORS_ORIGINS: the origins whose pages may read `GET /api/v1/session` with the browser's
 * cookie, each exactly `scheme://host[:port]`. No `*` (with credentials a wildcard is refused by
 * browsers anyway, and a reflected Origin would hand every site the session: docs/reference/security-requirements.md 8.5),
 * no path, no `null` (sandboxed frames and `file:` pages share it), plain http only outside
 * production.
 */
export function parseSessionCheckOrigins(value: string | undefined, isProduction: boolean, problems: string[]): string[] {
  const origins: string[] = [];
  for (const entry of (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || entry.includes('*') || url.origin !== entry.replace(/\/$/, '')) {
      problems.push(`CORS_ORIGINS: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], no path, no wildcard)`);
    } else if (isProduction && url.protocol === 'http:') {
      problems.push(
        `CORS_ORIGINS: ${JSON.stringify(entry)} is plain http, which production does not allow (a page on it could be altered on the way and read the session)`,
      );
    } else {
      origins.push(url.origin);
    }
  }
  return [...new Set(origins)];
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * SESSION_COOKIE_DOMAIN: a host name of at least two labels (a browser refuses a cookie for a
 * top-level domain or an IP address), written without scheme, port or leading dot; PUBLIC_URL's
 * host must be it or a subdomain of it, or the browser would drop the cookie and nobody could
 * sign in.
 */
export function parseSessionCookieDomain(value: string | undefined, publicUrl: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const domain = value.trim().toLowerCase().replace(/^\./, '');
  const labels = domain.split('.');
  if (domain.length > 253 || isIP(domain) !== 0 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    problems.push(`SESSION_COOKIE_DOMAIN: must be a domain such as example.com, without scheme, port or path (got ${JSON.stringify(value)})`);
    return undefined;
  }
  const host = new URL(publicUrl).hostname;
  if (host !== domain && !host.endsWith(`.${domain}`)) {
    problems.push(
      `SESSION_COOKIE_DOMAIN: PUBLIC_URL's host ${JSON.stringify(host)} is not ${domain} or a subdomain of it (the browser would refuse the cookie)`,
    );
    return undefined;
  }
  return domain;
}
