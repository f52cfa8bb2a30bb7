import { describe, expect, it } from 'vitest';
import type { Environment } from '../../src/config/parse-config.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * X-Forwarded-For from a peer that is not in TRUST_PROXY (docs/operations.md "Behind a reverse
 * proxy"): the header is ignored, the request is counted in /metrics in every mode, and in
 * production the first one is logged as a warning that names the peer and TRUST_PROXY.
 */
const METRICS_TOKEN = 'metrics-token-0123456789';
const PRODUCTION: Environment = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://id.example.com',
  SMTP_URL: 'smtps://127.0.0.1:9',
  METRICS_TOKEN,
  SMS_PROVIDER: 'none',
};

async function withApp(env: Environment, test: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await createTestApp('sqlite', { env });
  try {
    await test(t);
  } finally {
    await t.close();
  }
}

const meta = (t: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: '/api/v1/meta', remoteAddress, headers });

async function untrustedCount(t: TestApp): Promise<number> {
  const r = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(r.statusCode).toBe(200);
  const match = /^lifeline_untrusted_forwarded_for_total (\d+)$/m.exec(r.body);
  expect(match, 'the counter is exported').not.toBeNull();
  return Number(match?.[1]);
}

const warnings = (t: TestApp) => t.logs().filter((l) => l.event === 'security.untrusted_forwarded_for');

describe('X-Forwarded-For from a peer not in TRUST_PROXY', () => {
  it('production without TRUST_PROXY: counted every time, warned once in the log, naming the peer and TRUST_PROXY', async () => {
    await withApp(PRODUCTION, async (t) => {
      expect(await untrustedCount(t)).toBe(0);
      for (const forwarded of ['203.0.113.7', '203.0.113.8, 10.0.0.1']) {
        expect((await meta(t, '10.0.0.2', { 'x-forwarded-for': forwarded })).statusCode).toBe(200);
      }
      expect((await meta(t, '10.0.0.3', { 'x-forwarded-for': '198.51.100.1' })).statusCode).toBe(200);
      expect(await untrustedCount(t)).toBe(3);
      const logged = warnings(t);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 'warn', peer: '10.0.0.2', trustProxy: null });
      expect(String(logged[0]?.msg)).toContain('TRUST_PROXY');
      // The header was ignored: the request's client is the peer, not the forwarded address.
      const requestIps = t.logs().flatMap((l) => ((l.req as { ip?: string } | undefined)?.ip === undefined ? [] : [(l.req as { ip: string }).ip]));
      expect(requestIps).toContain('10.0.0.2');
      expect(requestIps).not.toContain('203.0.113.7');
    });
  });

  it('requests without the header, or with an empty one, are not counted', async () => {
    await withApp(PRODUCTION, async (t) => {
      expect((await meta(t, '10.0.0.2')).statusCode).toBe(200);
      expect((await meta(t, '10.0.0.2', { 'x-forwarded-for': ' ' })).statusCode).toBe(200);
      expect(await untrustedCount(t)).toBe(0);
      expect(warnings(t)).toHaveLength(0);
    });
  });

  it('production with TRUST_PROXY: the proxy’s requests are not counted, another peer’s are', async () => {
    await withApp({ ...PRODUCTION, TRUST_PROXY: '10.0.0.0/24' }, async (t) => {
      expect((await meta(t, '10.0.0.2', { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(200);
      expect((await meta(t, '10.0.0.9', { 'x-forwarded-for': '203.0.113.8, 10.0.0.4' })).statusCode).toBe(200);
      expect(await untrustedCount(t)).toBe(0);
      expect(warnings(t)).toHaveLength(0);
      expect((await meta(t, '192.0.2.50', { 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(200);
      expect(await untrustedCount(t)).toBe(1);
      expect(warnings(t)).toEqual([expect.objectContaining({ peer: '192.0.2.50', trustProxy: '10.0.0.0/24' })]);
    });
  });

  it('outside production: counted, never warned', async () => {
    await withApp({ METRICS_TOKEN }, async (t) => {
      expect((await meta(t, '10.0.0.2', { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(200);
      expect((await meta(t, '10.0.0.2', { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(200);
      expect(await untrustedCount(t)).toBe(2);
      expect(warnings(t)).toHaveLength(0);
    });
  });
});
