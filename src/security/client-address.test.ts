import { describe, expect, it } from 'vitest';
import { clientBucketKey, clientSlash48Key, isLoopback, isLoopbackUrl } from './client-address.js';

describe('clientBucketKey (docs/reference/product.md §8: IPv6 clients are bucketed by /64)', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8::1.2.3.4', '2001:db8:0:0::/64'],
  ])('%s → %s', (ip, key) => {
    expect(clientBucketKey(ip)).toBe(key);
  });

  it('puts every address of one /64 into one bucket and neighbours into others', () => {
    expect(clientBucketKey('2001:db8:a:b::1')).toBe(clientBucketKey('2001:db8:a:b:ffff:ffff:ffff:ffff'));
    expect(clientBucketKey('2001:db8:a:b::1')).not.toBe(clientBucketKey('2001:db8:a:c::1'));
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['2001:db8::1', false],
    [undefined, false],
  ])('%s → %s', (ip, expected) => {
    expect(isLoopback(ip)).toBe(expected);
  });
});

describe('clientSlash48Key (docs/security.md: IPv6 clients also count per /48)', () => {
  it.each([
    ['2001:db8:1:2::/64', '2001:db8:1::/48'],
    ['2001:db8:1:ffff::/64', '2001:db8:1::/48'],
    ['fe80:0:0:0::/64', 'fe80:0:0::/48'],
    ['203.0.113.7', undefined],
    ['10.0.0.1', undefined],
    ['2001:db8:1::/48', undefined],
    ['not an address', undefined],
    ['', undefined],
  ])('%s → %s', (key, expected) => {
    expect(clientSlash48Key(key)).toBe(expected);
  });

  it('puts the /64s of one /48 together, whatever the spelling, and neighbouring /48s apart', () => {
    const wide = (ip: string) => clientSlash48Key(clientBucketKey(ip));
    expect(wide('2001:DB8:7:0::1')).toBe('2001:db8:7::/48');
    expect(wide('2001:db8:7:ffff:1:2:3:4')).toBe('2001:db8:7::/48');
    expect(wide('[2001:0db8:0007:0042::9]')).toBe('2001:db8:7::/48');
    expect(wide('2001:db8:8::1')).toBe('2001:db8:8::/48');
    expect(wide('::ffff:198.51.100.1')).toBeUndefined(); // IPv4-mapped counts as IPv4
  });
});

describe('isLoopbackUrl (the development mailbox needs a loopback PUBLIC_URL)', () => {
  it.each([
    ['http://localhost:3000', true],
    ['http://localhost', true],
    ['https://LOCALHOST:8443/lifeline', true],
    ['http://app.localhost:3000', true],
    ['http://127.0.0.1:3000', true],
    ['http://127.8.9.10', true],
    ['http://[::1]:3000', true],
    ['https://id.example.com', false],
    ['http://lifeline.example.com:3000', false],
    ['http://localhost.example.com', false],
    ['http://127.0.0.1.nip.io', false],
    ['http://10.0.0.5:3000', false],
    ['http://[::ffff:7f00:1]:3000', false],
    ['http://0.0.0.0:3000', false],
    ['ftp://localhost', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });
});
