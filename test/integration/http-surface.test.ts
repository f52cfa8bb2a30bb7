import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LifelineError } from '../../src/core/errors.js';
import { migrateDown, migrateToLatest } from '../../src/db/migrate.js';
import { createTestApp, useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/** A sample route for the plumbing's bad-input tests (only in this test's app). */
function addSampleRoutes(app: FastifyInstance): void {
  app
    .withTypeProvider<ZodTypeProvider>()
    .post('/api/v1/test-sample', { schema: { body: z.strictObject({ name: z.string().min(1), count: z.number().int() }) } }, async (request) => ({
      greeting: `hello ${request.body.name}`,
      count: request.body.count,
    }));
  app.get('/api/v1/test-crash', async () => {
    throw new Error('SELECT * FROM secret_table WHERE boom at /work/main/src/x.ts:1');
  });
  app.get('/api/v1/test-status/:status', async (request) => {
    throw Object.assign(new Error('plugin error'), { statusCode: Number((request.params as { status: string }).status) });
  });
  app.get('/api/v1/test-busy', async () => {
    throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  });
  app.get('/api/v1/test-lockout', async () => {
    throw new LifelineError('too-many-attempts', {}, { retryAfterSeconds: 42 });
  });
}

function problem(response: { headers: Record<string, unknown>; json: () => unknown }) {
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  return response.json() as {
    type: string;
    title: string;
    status: number;
    detail: string;
    code: string;
    requestId?: string;
    errors?: { field: string; reason: string; detail: string }[];
  };
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: HTTP surface`, () => {
    const t = useTestApp(dialect, { extendApp: addSampleRoutes });

    describe('case=health, readiness, metrics, openapi', () => {
      it('answers /health with status ok', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/health' });
        expect(r.statusCode).toBe(200);
        expect(r.json()).toEqual({ status: 'ok' });
      });

      it('answers /ready 200 with the database up and the schema current', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/ready' });
        expect(r.statusCode).toBe(200);
        expect(r.json()).toMatchObject({ status: 'ready', database: 'up', migrations: 'current' });
      });

      it('answers /ready 503 while a migration is pending, and 200 again once applied', async () => {
        await migrateDown(t.database);
        try {
          const r = await t.app.inject({ method: 'GET', url: '/ready' });
          expect(r.statusCode).toBe(503);
          expect(r.json()).toEqual({ status: 'not-ready', database: 'up', migrations: 'pending' });
        } finally {
          await migrateToLatest(t.database);
        }
        expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      });

      it('serves Prometheus text with the request histogram, outbox gauges and counters', async () => {
        await t.app.inject({ method: 'GET', url: '/api/v1/meta' });
        const r = await t.app.inject({ method: 'GET', url: '/metrics' });
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-type']).toMatch(/^text\/plain/);
        expect(r.body).toContain('# TYPE lifeline_http_request_duration_seconds histogram');
        expect(r.body).toMatch(/lifeline_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/meta",status_code="200"\} \d+/);
        expect(r.body).toContain('lifeline_outbox_messages{status="queued"} 0');
        expect(r.body).toContain('lifeline_outbox_oldest_waiting_age_seconds 0');
        expect(r.body).toContain('# TYPE lifeline_messages_sent_total counter');
        expect(r.body).toContain('# TYPE lifeline_rate_limit_refusals_total counter');
      });

      it('publishes OpenAPI 3.1 of the /api/v1 routes only', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/openapi.json' });
        expect(r.statusCode).toBe(200);
        const doc = r.json<{ openapi: string; paths: Record<string, { get?: { responses?: Record<string, unknown> } }> }>();
        expect(doc.openapi).toMatch(/^3\.1\./);
        expect(Object.keys(doc.paths['/api/v1/meta']?.get?.responses ?? {})).toEqual(['200', '4XX', '5XX']);
        expect(Object.keys(doc.paths)).toContain('/api/v1/meta');
        expect(Object.keys(doc.paths).every((p) => p.startsWith('/api/v1/'))).toBe(true);
      });

      it('answers /api/v1/meta with name, version and languages, not cacheable', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/meta' });
        expect(r.statusCode).toBe(200);
        expect(r.json()).toEqual({
          name: 'Lifeline',
          version: expect.any(String),
          locales: ['de', 'en'],
          defaultLocale: 'de',
          recoveryPhone: { available: true, defaultCountry: 'DE', allowedCountries: expect.arrayContaining(['DE', 'AT', 'CH', 'FR', 'PL']) as unknown },
          returnLinks: [],
          branding: { logoUrl: null, accentColor: null, supportUrl: null, privacyUrl: null, termsUrl: null, imprintUrl: null },
        });
        expect(r.headers['cache-control']).toBe('no-store'); // docs/reference/security-requirements.md 8.6
      });
    });

    describe('case=errors are localised problems', () => {
      it('answers an unknown API route 404 problem+json in German by default', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-route' });
        expect(r.statusCode).toBe(404);
        const p = problem(r);
        expect(p).toMatchObject({ type: 'urn:lifeline:problem:not-found', status: 404, code: 'not-found', title: 'Nicht gefunden' });
        expect(p.detail).toBe('Diese Adresse gibt es nicht.');
        expect(p.requestId).toBe(r.headers['x-request-id']);
      });

      it('answers in English when Accept-Language prefers it', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers: { 'accept-language': 'fr;q=1, en-GB;q=0.8, de;q=0.5' } });
        expect(problem(r).detail).toBe('This address does not exist.');
      });

      it('answers a method the route does not have with 405 and Allow (docs/reference/security-requirements.md 2.9)', async () => {
        const r = await t.app.inject({ method: 'POST', url: '/health', headers: { 'content-type': 'application/json' }, payload: '{}' });
        expect(r.statusCode).toBe(405);
        expect(r.headers.allow).toBe('GET, HEAD');
        expect(problem(r).code).toBe('method-not-allowed');
        const d = await t.app.inject({ method: 'DELETE', url: '/api/v1/meta' });
        expect(d.statusCode).toBe(405);
        const g = await t.app.inject({ method: 'GET', url: '/api/v1/test-sample' });
        expect(g.statusCode).toBe(404); // added after the app was built: no 405 twin, still a problem
      });

      it('masks an unexpected error: 500 with the request id only, the stack in the log (docs/reference/security-requirements.md 7.1)', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/test-crash' });
        expect(r.statusCode).toBe(500);
        const p = problem(r);
        expect(p.code).toBe('internal-error');
        expect(r.body).not.toMatch(/SELECT|secret_table|Error:|\/work\/|\.ts:|\bat /);
        const logged = t.logs().find((l) => l.event === 'http.unhandled_error');
        expect(logged).toBeDefined();
        expect(JSON.stringify(logged)).toContain('secret_table');
        expect((logged as { req?: { id?: string } }).req?.id ?? (logged as { reqId?: string }).reqId).toBe(p.requestId);
      });
    });

    describe('case=errors of plugins and the database keep their meaning', () => {
      it.each([
        ['404', 404, 'not-found'],
        ['503', 503, 'service-unavailable'],
        ['409', 400, 'validation-failed'],
      ])('a thrown statusCode %s → %i %s, not 500', async (status, expected, code) => {
        const r = await t.app.inject({ method: 'GET', url: `/api/v1/test-status/${status}` });
        expect(r.statusCode).toBe(expected);
        expect(problem(r).code).toBe(code);
      });

      it('a busy SQLite write lock → 503 with Retry-After, not a bug report', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/test-busy' });
        expect(r.statusCode).toBe(503);
        expect(r.headers['retry-after']).toBe('2');
        expect(problem(r).code).toBe('service-unavailable');
      });

      it('a lockout says how long to wait, in words and in Retry-After, with no placeholder left', async () => {
        for (const language of ['de', 'en']) {
          const r = await t.app.inject({ method: 'GET', url: '/api/v1/test-lockout', headers: { 'accept-language': language } });
          expect(r.statusCode).toBe(429);
          expect(r.headers['retry-after']).toBe('42');
          expect(problem(r).detail).toContain('42');
          expect(problem(r).detail).not.toContain('{{');
        }
      });
    });

    describe('case=bad input gets a clear 4xx and changes nothing', () => {
      const post = (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
        t.app.inject({ method: 'POST', url: '/api/v1/test-sample', headers, payload });

      it('accepts a well-formed request', async () => {
        const r = await post(JSON.stringify({ name: 'Ada', count: 2 }));
        expect(r.statusCode).toBe(200);
        expect(r.json()).toEqual({ greeting: 'hello Ada', count: 2 });
      });

      it('malformed JSON → 400 invalid-json', async () => {
        const r = await post('{"name": "Ada",');
        expect(r.statusCode).toBe(400);
        expect(problem(r).code).toBe('invalid-json');
      });

      it('an empty JSON body → 400 invalid-json', async () => {
        const r = await post('');
        expect(r.statusCode).toBe(400);
        expect(problem(r).code).toBe('invalid-json');
      });

      it.each([
        ['text/plain', 'name=Ada'],
        ['application/x-www-form-urlencoded', 'name=Ada&count=1'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda\r\n--x--'],
      ])('content type %s → 415', async (type, body) => {
        const r = await post(body, { 'content-type': type });
        expect(r.statusCode).toBe(415);
        expect(problem(r).code).toBe('unsupported-media-type');
      });

      it('a body without content type → 415', async () => {
        const r = await t.app.inject({ method: 'POST', url: '/api/v1/test-sample', payload: Buffer.from('{"name":"Ada","count":1}') });
        expect(r.statusCode).toBe(415);
      });

      it('a body over 16 KiB → 413', async () => {
        const r = await post(JSON.stringify({ name: 'x'.repeat(17 * 1024), count: 1 }));
        expect(r.statusCode).toBe(413);
        expect(problem(r)).toMatchObject({ code: 'payload-too-large' });
        expect(problem(r).detail).toContain('16384');
      });

      it('an unknown field → 400 validation-failed naming the field', async () => {
        const r = await post(JSON.stringify({ name: 'Ada', count: 1, isAdmin: true }));
        expect(r.statusCode).toBe(400);
        const p = problem(r);
        expect(p.code).toBe('validation-failed');
        expect(p.detail).toContain('isAdmin');
        expect(p.errors).toEqual([{ field: 'isAdmin', reason: 'unrecognized_keys', detail: expect.stringContaining('isAdmin') }]);
      });

      it('wrong types → 400 naming each field, in the request language', async () => {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/test-sample',
          headers: { 'content-type': 'application/json', 'accept-language': 'en' },
          payload: JSON.stringify({ name: 42, count: 'many' }),
        });
        expect(r.statusCode).toBe(400);
        const p = problem(r);
        expect(p.errors?.map((e) => e.field).sort()).toEqual(['count', 'name']);
        expect(p.detail).toContain('Field “name”: has the wrong type (expected: text)');
        expect(p.detail).toContain('Field “count”: has the wrong type (expected: number)');
      });

      it('a missing field → 400 saying it is missing', async () => {
        const r = await post(JSON.stringify({ name: 'Ada' }));
        expect(problem(r).detail).toBe('Feld „count“: fehlt');
      });

      it('each field problem carries a stable reason a client words its own message from', async () => {
        const missing = problem(await post(JSON.stringify({ name: 'Ada' })));
        expect(missing.errors).toEqual([{ field: 'count', reason: 'missing', detail: expect.any(String) }]);
        const wrong = problem(await post(JSON.stringify({ name: '', count: 'many' })));
        expect(wrong.errors?.map((e) => [e.field, e.reason]).sort()).toEqual([
          ['count', 'invalid_type'],
          ['name', 'too_small'],
        ]);
      });

      it('a JSON array or scalar body → 400, not 500', async () => {
        for (const body of ['[]', '"text"', '42', 'null']) {
          const r = await post(body);
          expect(r.statusCode, body).toBe(400);
          expect(problem(r).code).toBe('validation-failed');
        }
      });

      it('prototype pollution keys are refused by the JSON parser', async () => {
        const r = await post('{"name":"Ada","count":1,"__proto__":{"polluted":true}}');
        expect(r.statusCode).toBe(400);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('a request from another site → 403 before the body is looked at (docs/reference/security-requirements.md 2.9)', async () => {
        const evil = await post('name=Ada', { 'content-type': 'text/plain', origin: 'https://evil.example' });
        expect(evil.statusCode).toBe(403);
        expect(problem(evil).code).toBe('cross-origin-request');
        const fetchSite = await post(JSON.stringify({ name: 'Ada', count: 1 }), { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' });
        expect(fetchSite.statusCode).toBe(403);
        const nullOrigin = await post(JSON.stringify({ name: 'Ada', count: 1 }), { 'content-type': 'application/json', origin: 'null' });
        expect(nullOrigin.statusCode).toBe(403);
        const same = await post(JSON.stringify({ name: 'Ada', count: 1 }), {
          'content-type': 'application/json',
          origin: 'http://127.0.0.1:3000',
          'sec-fetch-site': 'same-origin',
        });
        expect(same.statusCode).toBe(200);
        expect(t.logs().some((l) => l.event === 'security.control_triggered' && l.control === 'origin-check')).toBe(true);
      });

      it('a malformed URL → 400 problem with the usual headers, not a crash', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/%E0%A4%A' });
        expect(r.statusCode).toBe(400);
        expect(problem(r).code).toBe('validation-failed');
        expect(r.headers['content-security-policy']).toContain("default-src 'self'");
        expect(r.headers['x-request-id']).toBe(problem(r).requestId);
      });

      it('OPTIONS on a route answers 405 too (no CORS preflight is ever granted)', async () => {
        const r = await t.app.inject({
          method: 'OPTIONS',
          url: '/api/v1/meta',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        });
        expect(r.statusCode).toBe(405);
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
      });
    });

    describe('case=security headers on every answer (docs/reference/security-requirements.md 8.2–8.5)', () => {
      it.each(['/', '/health', '/api/v1/meta', '/api/v1/no-such-route', '/dev/mailbox'])('%s', async (url) => {
        const r = await t.app.inject({ method: 'GET', url });
        const csp = String(r.headers['content-security-policy']);
        for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", 'report-uri /csp-reports']) {
          expect(csp).toContain(directive);
        }
        expect(csp).not.toContain('upgrade-insecure-requests'); // PUBLIC_URL is plain http here
        expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
        expect(r.headers['x-content-type-options']).toBe('nosniff');
        expect(r.headers['referrer-policy']).toBe('no-referrer');
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
      });

      it('never reflects a foreign Origin (no CORS)', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/api/v1/meta', headers: { origin: 'https://evil.example' } });
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
      });

      it('takes CSP violation reports and logs their gist, never a page’s query string (docs/reference/security-requirements.md 6.3)', async () => {
        const r = await t.app.inject({
          method: 'POST',
          url: '/csp-reports',
          headers: { 'content-type': 'application/csp-report' },
          payload: JSON.stringify({
            'csp-report': {
              'blocked-uri': 'https://evil.example/x.js?k=1',
              'document-uri': 'http://127.0.0.1:3000/confirm-email?token=CSPSECRETTOKEN',
              referrer: 'http://127.0.0.1:3000/x?token=CSPSECRETTOKEN',
              'effective-directive': 'script-src-elem',
            },
          }),
        });
        expect(r.statusCode).toBe(204);
        const logged = t.logs().find((l) => l.event === 'security.csp_violation');
        expect(logged?.reports).toEqual([
          { directive: 'script-src-elem', blocked: 'https://evil.example/x.js', document: 'http://127.0.0.1:3000/confirm-email' },
        ]);
        expect(t.logLines().join('\n')).not.toContain('CSPSECRETTOKEN');
        const modern = await t.app.inject({
          method: 'POST',
          url: '/csp-reports',
          headers: { 'content-type': 'application/reports+json' },
          payload: JSON.stringify([
            { type: 'csp-violation', body: { effectiveDirective: 'img-src', blockedURL: 'inline', documentURL: 'http://127.0.0.1:3000/?token=X' } },
          ]),
        });
        expect(modern.statusCode).toBe(204);
        const garbage = await t.app.inject({
          method: 'POST',
          url: '/csp-reports',
          headers: { 'content-type': 'application/csp-report' },
          payload: '{not json',
        });
        expect(garbage.statusCode).toBe(204);
      });
    });

    describe('case=logs never carry secrets (docs/reference/security-requirements.md 6.3, 6.4)', () => {
      it('drops query strings and headers from request logs', async () => {
        await t.app.inject({
          method: 'GET',
          url: '/api/v1/meta?token=SUPERSECRETTOKEN123',
          headers: { cookie: 'lifeline_session=COOKIESECRET456', authorization: 'Bearer AUTHSECRET789' },
        });
        const text = t.logLines().join('\n');
        expect(text).toContain('"path":"/api/v1/meta"');
        for (const secret of ['SUPERSECRETTOKEN123', 'COOKIESECRET456', 'AUTHSECRET789']) expect(text).not.toContain(secret);
      });

      it('escapes CR/LF in logged values: one request, one line', async () => {
        const before = t.logLines().length;
        await t.app.inject({ method: 'GET', url: '/api/v1/a%0d%0a%7B%22event%22%3A%22admin%22%7D' });
        const added = t.logLines().slice(before);
        expect(added.every((line) => JSON.parse(line) && !line.includes('\r'))).toBe(true);
        expect(added.filter((line) => (JSON.parse(line) as { event?: string }).event === 'admin')).toHaveLength(0);
      });
    });
  });
}

describe('/ready when the database is gone', () => {
  it('answers 503 database down, quickly, and /health stays 200 (liveness is not readiness)', async () => {
    const t = await createTestApp('sqlite');
    try {
      await t.database.destroy();
      const r = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ status: 'not-ready', database: 'down', migrations: 'unknown' });
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await t.app.close();
      await t.testDb.drop();
    }
  });
});
