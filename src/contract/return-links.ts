/*
 * Pure code without zod: the web UI imports it, and zod in the UI's bundle would bring its JIT
 * (new Function), which the CSP forbids (script-src 'self', no 'unsafe-eval').
 */

/**
 * Return links (docs/integration.md "Return links"): the places of host applications that
 * Lifeline may send a browser back to, from ALLOWED_RETURN_ORIGINS. One implementation for the
 * server (the setting, a verification's `returnTo`) and the web UI (`return_to` of its pages),
 * so that both judge a URL alike.
 *
 * An entry is an origin, or an origin with a path prefix, optionally with the name the pages
 * show ("Zurück zu Mein Shop"): `Mein Shop=https://shop.example.com/account/`. A URL is judged
 * after parsing (WHATWG URL, as the browser reads it): the scheme, host and port exactly, the
 * path on segment boundaries, no user name or password, nothing encoded that a server could
 * read as another path.
 */
export interface ReturnLink {
  /** What the pages call the application: the entry's name, else its host name. */
  readonly name: string;
  /** `scheme://host[:port]`, as `URL.origin` spells it. */
  readonly origin: string;
  /** The path prefix without a trailing slash: `/` (the whole origin) or e.g. `/account`. */
  readonly path: string;
}

/** Longer values are ignored (no real return URL is this long; a long one only costs). */
export const RETURN_TO_MAX_LENGTH = 2048;
export const RETURN_LINK_NAME_MAX_LENGTH = 60;

/**
 * Marks an `http://` entry that production may use (docs/operations.md): plain http is allowed
 * outside production only, unless an entry says so explicitly.
 */
export const INSECURE_MARKER = 'insecure:';

export type ParsedReturnLink = { readonly ok: true; readonly link: ReturnLink } | { readonly ok: false; readonly problem: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Characters of a path prefix in an entry: plain segments, no `%`, `\`, `*`, `?` or `#`. */
const ENTRY_PATH = /^(?:\/[A-Za-z0-9._~!$&'()+;=:@-]+)*\/?$/;
/** Percent-encoded `.`, `/`, `\` and NUL: a server that decodes them could read another path than the one judged. */
const ENCODED_SEPARATOR = /%(?:2e|2f|5c|00)/i;

/**
 * One entry of ALLOWED_RETURN_ORIGINS (already split at commas and trimmed): `[Name=]URL`, where
 * URL is `scheme://host[:port]` with an optional path prefix, and `insecure:` before an
 * `http://` URL allows it in production. The name is what comes before the first `=` unless
 * that part contains `://` (then the `=` belongs to the URL's path).
 */
export function parseReturnLink(entry: string, options: { readonly isProduction: boolean }): ParsedReturnLink {
  const fail = (problem: string): ParsedReturnLink => ({ ok: false, problem: `${JSON.stringify(entry)} ${problem}` });
  const equals = entry.indexOf('=');
  const hasName = equals !== -1 && !entry.slice(0, equals).includes('://');
  const name = hasName ? entry.slice(0, equals).trim() : undefined;
  let target = (hasName ? entry.slice(equals + 1) : entry).trim();
  if (name !== undefined && (name === '' || name.length > RETURN_LINK_NAME_MAX_LENGTH || CONTROL.test(name))) {
    return fail(`has an empty, too long (over ${RETURN_LINK_NAME_MAX_LENGTH} characters) or unprintable name`);
  }
  const insecure = target.toLowerCase().startsWith(INSECURE_MARKER);
  if (insecure) target = target.slice(INSECURE_MARKER.length);
  const expected = 'is not an origin or an origin with a path (Name=https://host[:port][/path/])';
  if (target.length > RETURN_TO_MAX_LENGTH || CONTROL.test(target) || /[\s\\*]/.test(target) || !/^https?:\/\/[^/]/i.test(target)) return fail(expected);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return fail(expected);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || target.includes('?') || target.includes('#')) {
    return fail(`${expected}: no user name, password, query or fragment`);
  }
  // The raw path, as written: the URL parser would resolve `..` and decode nothing, silently.
  const rawPath = target.slice(target.indexOf('//') + 2).replace(/^[^/]*/, '');
  if (!ENTRY_PATH.test(rawPath) || rawPath.split('/').some((segment) => segment === '.' || segment === '..')) {
    return fail(`${expected}: the path may hold letters, digits and - . _ ~ ! $ & ' ( ) + ; = : @, no "." or ".." segments and nothing percent-encoded`);
  }
  if (url.protocol === 'http:' && options.isProduction && !insecure) {
    return fail(`is plain http, which production allows only when the entry says so: ${INSECURE_MARKER}${target}`);
  }
  if (insecure && url.protocol !== 'http:') return fail(`uses ${INSECURE_MARKER} with https, where it means nothing`);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '/';
  return { ok: true, link: { name: name ?? url.hostname, origin: url.origin, path } };
}

/** The entries of a comma-separated ALLOWED_RETURN_ORIGINS, or the problems of the wrong ones. */
export function parseReturnLinks(
  value: string | undefined,
  options: { readonly isProduction: boolean },
): { readonly links: ReturnLink[]; readonly problems: string[] } {
  const links: ReturnLink[] = [];
  const problems: string[] = [];
  for (const entry of (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const parsed = parseReturnLink(entry, options);
    if (parsed.ok) links.push(parsed.link);
    else problems.push(parsed.problem);
  }
  return { links, problems };
}

/** `pathname` is the prefix or below it: `/account` covers `/account` and `/account/x`, never `/accounting`. */
function isBelow(pathname: string, prefix: string): boolean {
  return prefix === '/' || pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * The link a `return_to` value leads to, with its normalised URL, or undefined when it is not an
 * allowed place: another origin or scheme, a path outside every prefix, a relative or
 * scheme-relative value (`/x`, `//evil`, `/\evil`), `javascript:`, `data:`, user info
 * (`https://a.tld@evil.tld` is evil.tld), white space or control characters (the parser would
 * drop tabs and line breaks silently), a backslash (browsers read it as `/`), an encoded `.`,
 * `/` or `\` in the path, or more than {@link RETURN_TO_MAX_LENGTH} characters. Where several
 * entries cover it, the longest prefix names the application.
 */
export function matchReturnLink(value: unknown, links: readonly ReturnLink[]): { readonly url: string; readonly link: ReturnLink } | undefined {
  if (typeof value !== 'string' || value.length > RETURN_TO_MAX_LENGTH || CONTROL.test(value) || /[\s\\]/.test(value)) return undefined;
  if (!/^https?:\/\/[^/]/i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || ENCODED_SEPARATOR.test(url.pathname))
    return undefined;
  let best: ReturnLink | undefined;
  for (const link of links) {
    if (link.origin === url.origin && isBelow(url.pathname, link.path) && (!best || link.path.length > best.path.length)) best = link;
  }
  return best ? { url: url.href, link: best } : undefined;
}
