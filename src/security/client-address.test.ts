import { describe, expect, it } from 'vitest';
import { clientBucketKey, isLoopback } from './client-address.js';

describe('clientBucketKey (PRODUCT.md §8: IPv6 clients are bucketed by /64)', () => {
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
