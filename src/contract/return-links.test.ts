import { describe, expect, it } from 'vitest';
import { matchReturnLink, parseReturnLink, parseReturnLinks, RETURN_TO_MAX_LENGTH, type ReturnLink } from './return-links.js';

/** The links of `value` outside production; a wrong entry fails the test. */
function linksOf(value: string, isProduction = false): ReturnLink[] {
  const parsed = parseReturnLinks(value, { isProduction });
  expect(parsed.problems).toEqual([]);
  return parsed.links;
}

describe('parseReturnLink: an entry of ALLOWED_RETURN_ORIGINS (docs/integration.md "Return links")', () => {
  it.each([
    ['https://app.example.com', { name: 'app.example.com', origin: 'https://app.example.com', path: '/' }],
    ['https://app.example.com/', { name: 'app.example.com', origin: 'https://app.example.com', path: '/' }],
    ['HTTPS://App.Example.COM:443/', { name: 'app.example.com', origin: 'https://app.example.com', path: '/' }],
    ['https://shop.example.com/account/', { name: 'shop.example.com', origin: 'https://shop.example.com', path: '/account' }],
    ['https://shop.example.com/account', { name: 'shop.example.com', origin: 'https://shop.example.com', path: '/account' }],
    ['Mein Shop=https://shop.example.com/account/', { name: 'Mein Shop', origin: 'https://shop.example.com', path: '/account' }],
    [' Mein Shop = https://shop.example.com:8443/a/b/ ', { name: 'Mein Shop', origin: 'https://shop.example.com:8443', path: '/a/b' }],
    ['Bücher & Co.=https://xn--bcher-kva.example/', { name: 'Bücher & Co.', origin: 'https://xn--bcher-kva.example', path: '/' }],
    ['https://bücher.example/', { name: 'xn--bcher-kva.example', origin: 'https://xn--bcher-kva.example', path: '/' }],
    // An `=` in a path, with no name: the part before it holds `://`.
    ['https://app.example.com/a=b/', { name: 'app.example.com', origin: 'https://app.example.com', path: '/a=b' }],
    ['http://localhost:4000', { name: 'localhost', origin: 'http://localhost:4000', path: '/' }],
    ['Dev=http://[::1]:4000/x/', { name: 'Dev', origin: 'http://[::1]:4000', path: '/x' }],
  ])('case=%s is a link', (entry, link) => {
    expect(parseReturnLink(entry.trim(), { isProduction: false })).toEqual({ ok: true, link });
  });

  it.each([
    'app.example.com',
    '//app.example.com',
    'ftp://files.example.com',
    'javascript:alert(1)',
    'data:text/html,x',
    'https://*.example.com',
    'https://app.example.com/*',
    'https://user:pw@app.example.com',
    'https://app.example.com@evil.example',
    'https://app.example.com/?next=x',
    'https://app.example.com/#top',
    'https://app.example.com/a/../b/',
    'https://app.example.com/a/./b/',
    'https://app.example.com/%2e%2e/',
    'https://app.example.com/a%2fb/',
    'https://app.example.com//double/',
    'https://app.example.com/a\\b/',
    'https://app.example.com/a b/',
    '=https://app.example.com',
    `${'x'.repeat(61)}=https://app.example.com`,
    'Shop\u0007=https://app.example.com',
    'insecure:https://app.example.com',
    'https:app.example.com',
    'https:///app.example.com',
    'https://',
  ])('case=%s is refused with its entry named', (entry) => {
    const parsed = parseReturnLink(entry, { isProduction: false });
    expect(parsed.ok, entry).toBe(false);
    if (!parsed.ok) expect(parsed.problem.startsWith(JSON.stringify(entry))).toBe(true);
  });

  it('case=plain http in production only when the entry says insecure: explicitly', () => {
    expect(parseReturnLink('http://intranet.example', { isProduction: true })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('insecure:http://intranet.example'),
    });
    expect(parseReturnLink('Intranet=insecure:http://intranet.example/app/', { isProduction: true })).toEqual({
      ok: true,
      link: { name: 'Intranet', origin: 'http://intranet.example', path: '/app' },
    });
    expect(parseReturnLink('https://app.example.com', { isProduction: true }).ok).toBe(true);
  });

  it('case=a list: every wrong entry is reported, the good ones kept', () => {
    const parsed = parseReturnLinks(' https://a.example , ,bad, Shop=https://b.example/x/ , https://c.example/?q ', { isProduction: false });
    expect(parsed.links.map((l) => `${l.name} ${l.origin}${l.path}`)).toEqual(['a.example https://a.example/', 'Shop https://b.example/x']);
    expect(parsed.problems).toHaveLength(2);
    expect(parseReturnLinks(undefined, { isProduction: true })).toEqual({ links: [], problems: [] });
  });
});

describe('matchReturnLink: a return_to judged after URL parsing', () => {
  const links = linksOf(
    'Mein Shop=https://shop.example.com/account/,https://other.example,Shop Admin=https://shop.example.com/account/admin,http://localhost:4000/back',
  );

  it.each([
    ['https://other.example', 'https://other.example/', 'other.example'],
    ['https://other.example/any/where?x=1#top', 'https://other.example/any/where?x=1#top', 'other.example'],
    ['https://shop.example.com/account', 'https://shop.example.com/account', 'Mein Shop'],
    ['https://shop.example.com/account/', 'https://shop.example.com/account/', 'Mein Shop'],
    ['https://shop.example.com/account/orders?id=7', 'https://shop.example.com/account/orders?id=7', 'Mein Shop'],
    ['HTTPS://SHOP.example.com:443/account/x', 'https://shop.example.com/account/x', 'Mein Shop'],
    // The longer prefix names the application.
    ['https://shop.example.com/account/admin/users', 'https://shop.example.com/account/admin/users', 'Shop Admin'],
    ['https://shop.example.com/account/administration', 'https://shop.example.com/account/administration', 'Mein Shop'],
    ['http://localhost:4000/back/done', 'http://localhost:4000/back/done', 'localhost'],
    // `..` that stays inside the prefix after normalisation is fine.
    ['https://shop.example.com/account/a/../b', 'https://shop.example.com/account/b', 'Mein Shop'],
  ])('case=%s is allowed', (value, url, name) => {
    const match = matchReturnLink(value, links);
    expect(match?.url).toBe(url);
    expect(match?.link.name).toBe(name);
  });

  it.each([
    // Another origin, scheme or port.
    'https://evil.example/',
    'http://shop.example.com/account/',
    'https://shop.example.com:8443/account/',
    'http://other.example/',
    'https://localhost:4000/back',
    'http://localhost:4001/back',
    'https://other.example.evil.example/',
    'https://shop.example.com.evil.example/account/',
    'https://evil.example/https://other.example/',
    'https://evilother.example/',
    // User info: the host is what follows the @.
    'https://other.example@evil.example/',
    'https://other.example:443@evil.example/',
    'https://user:pw@other.example/',
    'https://user@other.example/',
    'https://other.example%40evil.example/',
    // Outside the path prefix.
    'https://shop.example.com/',
    'https://shop.example.com/accounting',
    'https://shop.example.com/Account/',
    'https://shop.example.com/account/../admin',
    'https://shop.example.com/account/%2e%2e/admin',
    'https://shop.example.com/account/%2E%2E/admin',
    'https://shop.example.com/account/.%2e/admin',
    'https://shop.example.com/account%2f..%2fadmin',
    'https://shop.example.com/account/x%2F..%2F..%2Fadmin',
    'https://shop.example.com/account/x%5c..%5cadmin',
    'https://shop.example.com/account/x%00',
    'http://localhost:4000/',
    'http://localhost:4000/backdoor',
    // Not absolute http(s).
    '/account/',
    '//other.example/',
    '///other.example/',
    '/\\other.example/',
    '\\\\other.example/',
    'https:other.example',
    'https:/other.example',
    'https:\\\\other.example',
    'https://other.example\\@evil.example/',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'ftp://other.example/',
    'blob:https://other.example/uuid',
    'mailto:x@other.example',
    // White space, control characters, encodings of the scheme.
    ' https://other.example/',
    'https://other.example/\n',
    'https://other.example/a\tb',
    'https://oth\ner.example/',
    'https://other.example/\u0000',
    'https%3A%2F%2Fother.example%2F',
    '%68ttps://other.example/',
    'https://other.example％2F@evil.example/',
    '',
  ])('case=%j is ignored', (value) => {
    expect(matchReturnLink(value, links)).toBeUndefined();
  });

  it('case=nothing but a string is a return_to; no links allow nothing', () => {
    for (const value of [undefined, null, 42, {}, ['https://other.example/']]) expect(matchReturnLink(value, links)).toBeUndefined();
    expect(matchReturnLink('https://other.example/', [])).toBeUndefined();
  });

  it('case=exactly the longest allowed length still counts, one more is ignored', () => {
    const base = 'https://other.example/';
    const longest = `${base}${'a'.repeat(RETURN_TO_MAX_LENGTH - base.length)}`;
    expect(matchReturnLink(longest, links)?.url).toBe(longest);
    expect(matchReturnLink(`${longest}a`, links)).toBeUndefined();
  });
});
