import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestApp, useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

const LIMIT = 3;

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: per-client rate limit on /api (docs/reference/product.md §8, docs/reference/security-requirements.md 5.2, 6.9)`, () => {
    const t = useTestApp(dialect, { env: { RATE_LIMIT_API_PER_MINUTE: String(LIMIT), TRUST_PROXY: '10.9.9.9' } });

    const meta = (remoteAddress: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/api/v1/meta', remoteAddress, headers });

    it(`uses the ${dialect === 'postgres' ? 'PostgreSQL' : 'memory'} store`, () => {
      expect(t.config.rateLimits.store).toBe(dialect === 'postgres' ? 'postgres' : 'memory');
    });

    it('answers 429 with Retry-After once the client has used its requests, and counts and logs it', async () => {
      for (let i = 0; i < LIMIT; i++) expect((await meta('198.51.100.1')).statusCode).toBe(200);
      const refused = await meta('198.51.100.1');
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(refused.json()).toMatchObject({ code: 'rate-limited', status: 429 });
      expect((await meta('198.51.100.2')).statusCode).toBe(200); // another client is unaffected
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/lifeline_rate_limit_refusals_total\{bucket="api-client"\} [1-9]/);
      expect(t.logs().some((l) => l.event === 'security.control_triggered' && l.bucket === 'api-client')).toBe(true);
    });

    it('buckets IPv6 clients by /64: a new address in the same /64 does not get fresh requests', async () => {
      for (let i = 0; i < LIMIT; i++) expect((await meta(`2001:db8:77:1::${i + 1}`)).statusCode).toBe(200);
      expect((await meta('2001:db8:77:1:ffff::9')).statusCode).toBe(429);
      expect((await meta('2001:db8:77:2::1')).statusCode).toBe(200);
    });

    it('also counts IPv6 clients per /48, 16 times the /64 size: 16 /64s exhaust their /48, IPv4 is unchanged (docs/security.md)', async () => {
      const slash64 = (n: number, host: number) => `2001:db8:48:${n.toString(16)}::${host}`;
      for (let n = 0; n < 16; n++) {
        for (let i = 0; i < LIMIT; i++) expect((await meta(slash64(n, i + 1))).statusCode, `/64 #${n}`).toBe(200);
        expect((await meta(slash64(n, 9))).statusCode).toBe(429); // its own /64 is used up
      }
      const refused = await meta(slash64(16, 1)); // a fresh /64 of the same /48
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ code: 'rate-limited' });
      expect((await meta(slash64(0xffff, 1))).statusCode).toBe(429);
      expect((await meta('2001:db8:49::1')).statusCode).toBe(200); // the next /48
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/lifeline_rate_limit_refusals_total\{bucket="api-client@48"\} [1-9]/);
      expect(t.logs().some((l) => l.event === 'security.control_triggered' && l.bucket === 'api-client@48')).toBe(true);
      // IPv4: every address its own bucket of LIMIT, however many neighbours used theirs.
      for (let host = 1; host <= 20; host++) {
        for (let i = 0; i < LIMIT; i++) expect((await meta(`192.0.2.${host}`)).statusCode).toBe(200);
        expect((await meta(`192.0.2.${host}`)).statusCode).toBe(429);
      }
    });

    it('takes the client address from the socket unless the peer is a trusted proxy (TRUST_PROXY)', async () => {
      // An untrusted peer cannot choose its bucket by sending X-Forwarded-For.
      for (let i = 0; i < LIMIT; i++) expect((await meta('198.51.100.50', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(200);
      expect((await meta('198.51.100.50', { 'x-forwarded-for': '203.0.113.200' })).statusCode).toBe(429);
      // Through the trusted proxy, each forwarded client has its own bucket.
      for (let i = 0; i < LIMIT; i++) expect((await meta('10.9.9.9', { 'x-forwarded-for': '203.0.113.60' })).statusCode).toBe(200);
      expect((await meta('10.9.9.9', { 'x-forwarded-for': '203.0.113.60' })).statusCode).toBe(429);
      expect((await meta('10.9.9.9', { 'x-forwarded-for': '203.0.113.61' })).statusCode).toBe(200);
    });

    it('leaves /health, /ready, /metrics and /dev outside the limits', async () => {
      for (let i = 0; i < LIMIT + 3; i++) {
        for (const url of ['/health', '/ready', '/metrics', '/dev/mailbox/messages']) {
          expect((await t.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' })).statusCode, url).toBe(200);
        }
      }
    });

    if (dialect === 'postgres') {
      it('shares the buckets between instances on one database', async () => {
        const second = await createTestApp(dialect, { testDb: t.testDb, env: { RATE_LIMIT_API_PER_MINUTE: String(LIMIT) } });
        try {
          expect((await meta('198.51.100.77')).statusCode).toBe(200);
          expect((await meta('198.51.100.77')).statusCode).toBe(200);
          expect((await second.app.inject({ method: 'GET', url: '/api/v1/meta', remoteAddress: '198.51.100.77' })).statusCode).toBe(200);
          expect((await second.app.inject({ method: 'GET', url: '/api/v1/meta', remoteAddress: '198.51.100.77' })).statusCode).toBe(429);
        } finally {
          await second.close();
        }
      });

      it('answers 503, not 429 and not 200, when the limit store fails (docs/reference/pitfalls.md)', async () => {
        await sql`alter table rate_limit_buckets rename to rate_limit_buckets_gone`.execute(t.database.db);
        try {
          const r = await meta('198.51.100.99');
          expect(r.statusCode).toBe(503);
          expect(r.json()).toMatchObject({ code: 'service-unavailable' });
          expect(r.headers['retry-after']).toBe('5');
        } finally {
          await sql`alter table rate_limit_buckets_gone rename to rate_limit_buckets`.execute(t.database.db);
        }
      });
    }
  });
}

describe('the API guards decide on the path the router sees', () => {
  it('percent-encoding or doubled slashes do not get around the rate limit, the origin check or no-store', async () => {
    const t = await createTestApp('sqlite', { env: { RATE_LIMIT_API_PER_MINUTE: '2' } });
    try {
      const get = (url: string) => t.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.123' });
      const first = await get('/%61pi/v1/meta');
      expect(first.statusCode).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect((await get('/api/v1/meta')).statusCode).toBe(200);
      expect((await get('/%61pi/v1/meta')).statusCode).toBe(429);
      expect((await get('//api/v1/nothing')).statusCode).toBe(429);
      const forged = await t.app.inject({
        method: 'POST',
        url: '/%61pi/v1/meta',
        remoteAddress: '198.51.100.124',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(forged.statusCode).toBe(403);
      expect(forged.json()).toMatchObject({ code: 'cross-origin-request' });
    } finally {
      await t.close();
    }
  });
});
