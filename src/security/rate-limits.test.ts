import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isLifelineError } from '../core/errors.js';
import { createMetrics } from '../core/metrics.js';
import type { Database } from '../db/database.js';
import { addressBuckets, clientBuckets, createRateLimits, IPV6_SLASH48_FACTOR, type RateLimitsConfig } from './rate-limits.js';
import { createRateLimitStore } from './rate-limit-store.js';

const config: RateLimitsConfig = {
  rateLimits: { store: 'memory', apiPerMinute: 3 },
  sms: {
    caps: {
      accountPerHour: 5,
      numberPerHour: 5,
      prefixPerHour: 10,
      countryPerHour: 200,
      clientPerHour: 2,
      setupBudgetPerHour: 500,
      confirmedBudgetPerHour: 2000,
    },
  },
  passwordReset: { perIdentifierPerHour: 5, perIdentifierTotalPerHour: 20, perAccountPerHour: 5, perClientPerHour: 20 },
};

function makeLimits() {
  const metrics = createMetrics();
  // The memory store never touches the database.
  const store = createRateLimitStore({ config, database: { pgPool: undefined } as unknown as Database });
  const rateLimits = createRateLimits({ config, store, metrics, logger: pino({ level: 'silent' }) });
  return { rateLimits, metrics };
}

/** The n-th /64 (0…65535) of the /48 2001:db8:7::/48, any address in it. */
const inSlash64 = (n: number, host = 1) => `2001:db8:7:${n.toString(16)}::${host.toString(16)}`;

describe('client buckets also count an IPv6 client per /48 (docs/security.md "Anti-automation controls")', () => {
  it('covers every per-client bucket, with a /48 sibling 16 times as large', () => {
    expect([...clientBuckets].sort()).toEqual(['api-client', 'recovery-email-client', 'reset-client', 'signup-client', 'sms-setup-client']);
    expect(IPV6_SLASH48_FACTOR).toBe(16);
  });

  it('16 /64s of one /48 that each use their whole bucket exhaust the /48: a 17th /64 is refused, another /48 is not', async () => {
    const { rateLimits, metrics } = makeLimits();
    const perClient = rateLimits.policies['api-client'].points; // 3
    for (let n = 0; n < IPV6_SLASH48_FACTOR; n++) {
      for (let i = 0; i < perClient; i++)
        expect((await rateLimits.consume('api-client', inSlash64(n, i + 1))).allowed, `/64 #${n} request ${i + 1}`).toBe(true);
      // Each /64 is at its own limit (and a refusal there takes nothing from the /48).
      expect((await rateLimits.consume('api-client', inSlash64(n, 99))).allowed).toBe(false);
    }
    const refused = await rateLimits.consume('api-client', inSlash64(16));
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
    expect((await rateLimits.peek('api-client', inSlash64(17))).allowed).toBe(false);
    await expect(rateLimits.enforce('api-client', inSlash64(18))).rejects.toSatisfy((error) => isLifelineError(error) && error.code === 'rate-limited');
    // The next /48 is a different site.
    expect((await rateLimits.consume('api-client', '2001:db8:8::1')).allowed).toBe(true);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/lifeline_rate_limit_refusals_total\{bucket="api-client@48"\} [1-9]/);
    expect(text).toMatch(/lifeline_rate_limit_refusals_total\{bucket="api-client"\} 16/);
  });

  it('works alike for the bucket key (clientBucketKey) or the address itself, in any spelling', async () => {
    const { rateLimits } = makeLimits();
    const size = rateLimits.policies['sms-setup-client'].points * IPV6_SLASH48_FACTOR; // 2 × 16
    for (let n = 0; n < size / 2; n++) {
      expect((await rateLimits.consume('sms-setup-client', `2001:db8:9:${n.toString(16)}::/64`)).allowed).toBe(true);
      expect((await rateLimits.consume('sms-setup-client', `2001:0DB8:0009:${n.toString(16)}:ffff::1`)).allowed).toBe(true);
    }
    expect((await rateLimits.consume('sms-setup-client', '2001:db8:9:ffff::1')).allowed).toBe(false);
  });

  it('IPv4 clients count as before: each address its own bucket of the policy size, neighbours apart', async () => {
    const { rateLimits } = makeLimits();
    for (let host = 1; host <= 40; host++) {
      for (let i = 0; i < 3; i++) expect((await rateLimits.consume('api-client', `198.51.100.${host}`)).allowed).toBe(true);
      expect((await rateLimits.consume('api-client', `198.51.100.${host}`)).allowed).toBe(false);
    }
    for (let i = 0; i < 3; i++) expect((await rateLimits.consume('api-client', '::ffff:203.0.113.9')).allowed).toBe(true);
    expect((await rateLimits.consume('api-client', '203.0.113.9')).allowed).toBe(false); // IPv4-mapped is the IPv4 address
  });

  it('peek takes nothing from either bucket; refund gives the point back to both', async () => {
    const { rateLimits } = makeLimits();
    const size = rateLimits.policies['signup-client'].points * IPV6_SLASH48_FACTOR; // 20 × 16
    for (let i = 0; i < 50; i++) expect((await rateLimits.peek('signup-client', inSlash64(0))).allowed).toBe(true);
    // Fill the /48 from 16 /64s, then the last point of the /48 goes and comes back.
    for (let n = 0; n < 16; n++) for (let i = 0; i < 20; i++) await rateLimits.consume('signup-client', inSlash64(n));
    expect(size).toBe(320);
    expect((await rateLimits.peek('signup-client', inSlash64(20))).allowed).toBe(false);
    await rateLimits.refund('signup-client', inSlash64(3));
    expect((await rateLimits.peek('signup-client', inSlash64(3))).allowed).toBe(true); // /64 #3 and the /48 have a point again
    expect((await rateLimits.peek('signup-client', inSlash64(20))).allowed).toBe(true);
    expect((await rateLimits.consume('signup-client', inSlash64(20))).allowed).toBe(true);
    expect((await rateLimits.consume('signup-client', inSlash64(21))).allowed).toBe(false);
  });

  it('buckets that are not per client are unchanged by an IPv6-looking key', async () => {
    const { rateLimits } = makeLimits();
    for (let n = 0; n < 40; n++) expect((await rateLimits.consume('sms-setup-country', `2001:db8:a:${n.toString(16)}::/64`)).allowed).toBe(true);
  });
});

describe('address buckets count the spellings of one mailbox together (comparableEmail)', () => {
  it('covers the per-address buckets of sign-up, login-email change and recovery email', () => {
    expect([...addressBuckets].sort()).toEqual(['email-change-address', 'recovery-email-address', 'signup-address']);
  });

  it.each([...addressBuckets])('%s: five spellings of one Gmail mailbox use up its bucket; another mailbox is apart', async (bucket) => {
    const { rateLimits } = makeLimits();
    const spellings = [
      'maxmustermann@gmail.com',
      'max.mustermann@gmail.com',
      'max.mustermann+a@googlemail.com',
      'm.axmustermann+b@gmail.com',
      'maxmustermann+c@googlemail.com',
    ];
    for (const address of spellings) expect((await rateLimits.consume(bucket, address)).allowed, address).toBe(true);
    expect((await rateLimits.consume(bucket, 'max.mustermann+f@gmail.com')).allowed).toBe(false);
    expect((await rateLimits.peek(bucket, 'maxmustermann@googlemail.com')).allowed).toBe(false);
    expect((await rateLimits.consume(bucket, 'max.mustermann2@gmail.com')).allowed).toBe(true);
    // An unknown domain is not folded: a +tag there may be another mailbox.
    for (let i = 0; i < 5; i++) expect((await rateLimits.consume(bucket, 'max@example.org')).allowed).toBe(true);
    expect((await rateLimits.consume(bucket, 'max+1@example.org')).allowed).toBe(true);
  });
});
