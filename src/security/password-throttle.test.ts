import { pino } from 'pino';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLifelineError } from '../core/errors.js';
import { createMetrics } from '../core/metrics.js';
import {
  createPasswordThrottle,
  growingDelaySeconds,
  PasswordThrottled,
  passwordThrottlePolicy,
  type PasswordAttempt,
  type PasswordThrottle,
} from './password-throttle.js';
import type { LimiterFactory } from './rate-limits.js';

const START = Date.UTC(2026, 0, 1, 9, 0, 0);
const memoryLimiters: LimiterFactory = (name, policy) => new RateLimiterMemory({ keyPrefix: name, points: policy.points, duration: policy.durationSeconds });

function makeThrottle(makeLimiter: LimiterFactory = memoryLimiters): PasswordThrottle {
  return createPasswordThrottle({ makeLimiter, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
}

/** The refusal of `begin`, or undefined when the attempt may go on to the hash. */
async function refusal(throttle: PasswordThrottle, attempt: PasswordAttempt): Promise<PasswordThrottled | undefined> {
  try {
    await throttle.begin(attempt);
    return undefined;
  } catch (error) {
    if (error instanceof PasswordThrottled) return error;
    throw error;
  }
}

const attempt = (identifier: string, ip: string, trustedDevice = false): PasswordAttempt => ({ identifier, ip, trustedDevice });
const advanceSeconds = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

/** `count` failed checks that the throttle let through (each would have reached the hash). */
async function failures(throttle: PasswordThrottle, count: number, make: (i: number) => PasswordAttempt): Promise<void> {
  for (let i = 0; i < count; i++) expect(await refusal(throttle, make(i)), `attempt ${i + 1}`).toBeUndefined();
}

describe('the documented password-throttle policy (docs/reference/security-requirements.md 5.1, 5.2)', () => {
  it('is 10 per (account, client), 50 per account, 100 per client, an hour each; delays 30 s doubling to 15 min (docs/reference/security-requirements.md 5.2)', () => {
    expect(passwordThrottlePolicy).toEqual({
      accountClient: { freeFailures: 10, windowSeconds: 3600 },
      account: { freeFailures: 50, windowSeconds: 3600 },
      client: { failures: 100, windowSeconds: 3600 },
      clientSlash48: { failures: 1600, windowSeconds: 3600 },
      delay: { firstSeconds: 30, maxSeconds: 900 },
    });
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(growingDelaySeconds)).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    // The per-account limit stays within 63B-4's upper bound of 100 consecutive failures.
    expect(passwordThrottlePolicy.account.freeFailures).toBeLessThanOrEqual(100);
  });
});

describe('createPasswordThrottle (docs/reference/security-requirements.md 5.1)', () => {
  let throttle: PasswordThrottle;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(START);
    throttle = makeThrottle();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('(account, client): 10 free failures, the 11th is still checked, then 30 s, 60 s, … up to 15 min (docs/reference/security-requirements.md 5.1)', async () => {
    const a = () => attempt('anna@example.com', '198.51.100.1');
    await failures(throttle, 10, a);
    expect(await refusal(throttle, a())).toBeUndefined(); // the 11th reaches the hash and starts the delay
    for (const expected of [30, 60, 120, 240, 480, 900, 900]) {
      const refused = await refusal(throttle, a());
      expect(refused?.bucket).toBe('password-account-client');
      expect(refused?.retryAfterSeconds).toBe(expected);
      expect(refused?.status).toBe(429);
      // Refused attempts within the delay do not make it longer (they never reached the hash).
      advanceSeconds(expected - 5);
      expect((await refusal(throttle, a()))?.retryAfterSeconds).toBe(5);
      advanceSeconds(6);
      expect(await refusal(throttle, a())).toBeUndefined(); // checked; the next delay starts
    }
  });

  it('keeps the pair of another client, or another account, free (docs/reference/security-requirements.md 5.1)', async () => {
    await failures(throttle, 11, () => attempt('anna@example.com', '198.51.100.1'));
    expect(await refusal(throttle, attempt('anna@example.com', '198.51.100.1'))).toBeInstanceOf(PasswordThrottled);
    expect(await refusal(throttle, attempt('anna@example.com', '198.51.100.2'))).toBeUndefined();
    expect(await refusal(throttle, attempt('bert@example.com', '198.51.100.1'))).toBeUndefined();
  });

  it('counts an IPv6 /64 as one client (docs/reference/security-requirements.md 5.1)', async () => {
    await failures(throttle, 11, (i) => attempt('anna@example.com', `2001:db8:5:6::${i + 1}`));
    expect((await refusal(throttle, attempt('anna@example.com', '2001:db8:5:6:ffff::1')))?.bucket).toBe('password-account-client');
  });

  it('a right password resets the counters of the account (docs/reference/security-requirements.md 5.1: reset on success)', async () => {
    const a = () => attempt('anna@example.com', '198.51.100.1');
    await failures(throttle, 9, a);
    const ticket = await throttle.begin(a());
    await throttle.succeeded(ticket);
    await failures(throttle, 11, a); // 10 free again, and the 11th is checked
    expect((await refusal(throttle, a()))?.retryAfterSeconds).toBe(30);
  });

  it('account: 50 failures from many clients delay browsers without the device cookie, not the owner’s (docs/reference/security-requirements.md 5.1)', async () => {
    await failures(throttle, 50, (i) => attempt('anna@example.com', `198.51.100.${i + 1}`));
    expect(await refusal(throttle, attempt('anna@example.com', '203.0.113.1'))).toBeUndefined(); // the 51st is checked
    const refused = await refusal(throttle, attempt('anna@example.com', '203.0.113.2'));
    expect(refused?.bucket).toBe('password-account');
    expect(refused?.retryAfterSeconds).toBe(30);
    // The owner's browser, signed in from before, still gets through, from any address.
    expect(await refusal(throttle, attempt('anna@example.com', '203.0.113.3', true))).toBeUndefined();
    expect(await refusal(throttle, attempt('anna@example.com', '198.51.100.1', true))).toBeUndefined();
  });

  it('client: 100 failures across accounts, then refused until the hour is over (docs/reference/security-requirements.md 5.1)', async () => {
    await failures(throttle, 100, (i) => attempt(`user${i}@example.com`, '198.51.100.7'));
    const refused = await refusal(throttle, attempt('someone-new@example.com', '198.51.100.7'));
    expect(refused?.bucket).toBe('password-client');
    expect(refused?.retryAfterSeconds).toBe(3600);
    // A trusted device does not lift the per-client limit; another client is unaffected.
    expect((await refusal(throttle, attempt('user1@example.com', '198.51.100.7', true)))?.bucket).toBe('password-client');
    expect(await refusal(throttle, attempt('user1@example.com', '198.51.100.8'))).toBeUndefined();
    advanceSeconds(3601);
    expect(await refusal(throttle, attempt('someone-new@example.com', '198.51.100.7'))).toBeUndefined();
  });

  it('an IPv6 client also counts per /48: 16 /64s with 100 failures each stop the whole /48; IPv4 and other /48s are unaffected', async () => {
    const in48 = (n: number, host: number) => `2001:db8:5:${n.toString(16)}::${host.toString(16)}`;
    for (let n = 0; n < 16; n++) {
      await failures(throttle, 100, (i) => attempt(`user${i}@example.com`, in48(n, i + 1)));
      expect((await refusal(throttle, attempt('more@example.com', in48(n, 999))))?.bucket).toBe('password-client'); // the /64's own 100
    }
    const refused = await refusal(throttle, attempt('someone@example.com', in48(16, 1)));
    expect(refused?.bucket).toBe('password-client');
    expect(refused?.retryAfterSeconds).toBe(3600);
    expect(await refusal(throttle, attempt('someone@example.com', '2001:db8:6::1'))).toBeUndefined();
    expect(await refusal(throttle, attempt('someone@example.com', '198.51.100.20'))).toBeUndefined();
    advanceSeconds(3601);
    expect(await refusal(throttle, attempt('someone@example.com', in48(16, 1)))).toBeUndefined();
  });

  it('a right password gives its point back to the /48 as well', async () => {
    const in48 = (n: number) => `2001:db8:5:${n.toString(16)}::1`;
    for (let n = 0; n < 16; n++) await failures(throttle, 99, (i) => attempt(`user${i}@example.com`, in48(n)));
    for (let n = 0; n < 16; n++) await throttle.succeeded(await throttle.begin(attempt('owner@example.com', in48(n))));
    // 16 × 99 = 1584 failures; the 16 right passwords took nothing, so 16 more fit.
    for (let n = 0; n < 16; n++) expect(await refusal(throttle, attempt('late@example.com', in48(n)))).toBeUndefined();
    expect((await refusal(throttle, attempt('late@example.com', in48(16))))?.bucket).toBe('password-client');
  });

  it('right passwords do not use up the per-client limit (consumed before hashing, refunded on success; docs/reference/pitfalls.md)', async () => {
    for (let i = 0; i < 150; i++) await throttle.succeeded(await throttle.begin(attempt(`user${i}@example.com`, '198.51.100.9')));
    await failures(throttle, 100, (i) => attempt(`user${i}@example.com`, '198.51.100.9'));
    expect((await refusal(throttle, attempt('x@example.com', '198.51.100.9')))?.bucket).toBe('password-client');
  });

  it('lets at most 11 of 200 parallel attempts at one account through to the hash (docs/reference/pitfalls.md)', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => refusal(throttle, attempt('anna@example.com', '198.51.100.1'))));
    expect(results.filter((r) => r === undefined).length).toBeLessThanOrEqual(11);
    expect(results.filter((r) => r instanceof PasswordThrottled).length).toBeGreaterThanOrEqual(189);
  });

  it('treats an unknown identifier exactly like a known one: the throttle never looks accounts up (docs/reference/security-requirements.md 3.1, 5.1)', async () => {
    const answers = async (identifier: string) => {
      const out: (number | undefined)[] = [];
      for (let i = 0; i < 13; i++) out.push((await refusal(throttle, attempt(identifier, '198.51.100.3')))?.retryAfterSeconds);
      return out;
    };
    expect(await answers('nobody@example.com')).toEqual(await answers('anna@example.com'));
  });

  it('a failing store is a 503 service-unavailable, never a pass and never a 429 (docs/reference/pitfalls.md)', async () => {
    const broken: LimiterFactory = (name, policy) => {
      const limiter: RateLimiterAbstract = memoryLimiters(name, policy);
      limiter.consume = () => Promise.reject(new Error('connection refused'));
      return limiter;
    };
    const error = await makeThrottle(broken)
      .begin(attempt('anna@example.com', '198.51.100.1'))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isLifelineError(error) && error.code).toBe('service-unavailable');
    expect(isLifelineError(error) && error.status).toBe(503);
  });

  it('a store that fails only in the delay bucket is a 503 too (docs/reference/pitfalls.md)', async () => {
    const brokenDelay: LimiterFactory = (name, policy) => {
      const limiter: RateLimiterAbstract = memoryLimiters(name, policy);
      if (name.endsWith('-delay')) limiter.consume = () => Promise.reject(new Error('connection refused'));
      return limiter;
    };
    const t2 = makeThrottle(brokenDelay);
    await failures(t2, 10, () => attempt('anna@example.com', '198.51.100.1'));
    const error = await t2.begin(attempt('anna@example.com', '198.51.100.1')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLifelineError(error) && error.code).toBe('service-unavailable');
  });
});
