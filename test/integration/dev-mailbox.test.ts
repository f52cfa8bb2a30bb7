import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import { queueTestMail } from '../../src/notifications/test-mail.js';
import { outgoingMessage } from '../helpers/outbox-message.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('the development mailbox (docs/reference/contracts.md "Contracts")', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.close());

  it('lists every delivered message newest first, in the contract shape', async () => {
    await queueTestMail(t.services, { to: 'first@example.com', locale: 'de' });
    await t.services.worker.runOnce();
    t.clock.advance(1000);
    await queueTestMail(t.services, { to: 'second@example.com', locale: 'en' });
    await t.services.worker.runOnce();
    const r = await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages' });
    expect(r.statusCode).toBe(200);
    const list = r.json<Record<string, unknown>[]>();
    expect(list).toHaveLength(2);
    expect(list.map((m) => m.to)).toEqual(['second@example.com', 'first@example.com']);
    expect(list[0]).toEqual({
      id: expect.any(String),
      channel: 'email',
      to: 'second@example.com',
      subject: 'Lifeline: test email',
      text: expect.stringContaining('If you are reading this, Lifeline can deliver email.'),
      html: expect.stringContaining('<!doctype html>'),
      createdAt: new Date(t.clock.now()).toISOString(),
    });
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('shows the messages on a page, escaped, and a mail’s HTML in a sandbox', async () => {
    t.clock.advance(1000);
    await inTransaction(t.database, (trx) =>
      t.services.outbox.enqueue(
        trx,
        outgoingMessage('test.xss', 'email', 'x@example.com', {
          subject: '<script>alert(1)</script>',
          text: `Link: ${t.config.http.publicUrl}/confirm?token=abc <b>bold</b>`,
          html: '<p>hi</p>',
        }),
      ),
    );
    await t.services.worker.runOnce();
    const page = await t.app.inject({ method: 'GET', url: '/dev/mailbox' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Entwicklungs-Postfach');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(page.body).toContain(`<a href="${t.config.http.publicUrl}/confirm?token=abc">`);
    const message = (await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages' }))
      .json<{ id: string; to: string }[]>()
      .find((m) => m.to === 'x@example.com');
    const html = await t.app.inject({ method: 'GET', url: `/dev/mailbox/messages/${message?.id}/html` });
    expect(html.statusCode).toBe(200);
    expect(html.body).toBe('<p>hi</p>');
    expect(html.headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);
    expect((await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages/nope/html' })).statusCode).toBe(404);
  });

  it.each(['10.1.2.3', '2001:db8::5', '192.168.0.10'])(
    'answers a client at %s 404, like a path that does not exist, for every method',
    async (remoteAddress) => {
      for (const url of ['/dev/mailbox', '/dev/mailbox/messages']) {
        const r = await t.app.inject({ method: 'GET', url, remoteAddress });
        expect(r.statusCode).toBe(404);
        expect(r.json()).toMatchObject({ code: 'not-found' });
        const post = await t.app.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/json' }, payload: '{}' });
        expect(post.statusCode).toBe(404); // not 405, which would tell that the mailbox exists
      }
    },
  );

  it.each([
    ['X-Forwarded-For', { 'x-forwarded-for': '198.51.100.7' }],
    ['Forwarded', { forwarded: 'for=198.51.100.7' }],
    ['X-Real-IP', { 'x-real-ip': '198.51.100.7' }],
    ['X-Forwarded-Host', { 'x-forwarded-host': 'lifeline.example.com' }],
    ['a public Host name', { host: 'lifeline.example.com' }],
  ])('answers 404 to a loopback peer that is a proxy or tunnel (%s)', async (_name, headers) => {
    const r = await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages', remoteAddress: '127.0.0.1', headers });
    expect(r.statusCode).toBe(404);
  });

  it.each(['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'localhost'])('answers a local browser at Host %s', async (host) => {
    const r = await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages', remoteAddress: '127.0.0.1', headers: { host } });
    expect(r.statusCode).toBe(200);
  });
});

describe('the development mailbox is not mounted', () => {
  it.each([
    ['with an SMTP transport', { SMTP_URL: 'smtp://127.0.0.1:9' }],
    ['in production', { NODE_ENV: 'production', SMTP_URL: 'smtps://127.0.0.1:9', PUBLIC_URL: 'https://id.example.com', METRICS_TOKEN: 'm'.repeat(20) }],
  ])('%s', async (_name, env) => {
    const t = await createTestApp('sqlite', { env });
    try {
      expect(t.services.devMailbox).toBeUndefined();
      expect((await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/' })).body).not.toContain('/dev/mailbox');
    } finally {
      await t.close();
    }
  });
});

describe('the development mailbox needs a loopback PUBLIC_URL as well as a loopback peer (docs/operations.md)', () => {
  it.each(['http://lifeline.example.com', 'https://id.example.org', 'http://lifeline.local:3000', 'http://10.0.0.5:3000', 'http://0.0.0.0:3000'])(
    'PUBLIC_URL=%s: not mounted, 404 even to a loopback browser, and said so in the log',
    async (publicUrl) => {
      const t = await createTestApp('sqlite', { env: { PUBLIC_URL: publicUrl } });
      try {
        expect(t.services.devMailbox).toBeDefined(); // messages still go there: the embedded default
        await queueTestMail(t.services, { to: 'dev@example.com', locale: 'de' });
        await t.services.worker.runOnce();
        for (const url of ['/dev/mailbox', '/dev/mailbox/messages']) {
          for (const host of ['localhost:3000', '127.0.0.1:3000', new URL(publicUrl).host]) {
            const r = await t.app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1', headers: { host, accept: 'application/json' } });
            expect(r.statusCode, `${url} Host ${host}`).toBe(404);
            expect(r.body).not.toContain('dev@example.com');
          }
        }
        expect(t.logs().some((l) => l.event === 'dev_mailbox.not_mounted')).toBe(true);
      } finally {
        await t.close();
      }
    },
  );

  it.each(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'http://localhost:3000/lifeline'])(
    'PUBLIC_URL=%s: mounted for a loopback browser',
    async (publicUrl) => {
      const t = await createTestApp('sqlite', { env: { PUBLIC_URL: publicUrl } });
      try {
        const r = await t.app.inject({ method: 'GET', url: '/dev/mailbox/messages', remoteAddress: '127.0.0.1', headers: { host: 'localhost:3000' } });
        expect(r.statusCode).toBe(200);
        expect(t.logs().some((l) => l.event === 'dev_mailbox.not_mounted')).toBe(false);
      } finally {
        await t.close();
      }
    },
  );
});

describe('/metrics with METRICS_TOKEN', () => {
  it('needs the bearer token, compared in constant time', async () => {
    const token = 'metrics-token-0123456789';
    const t = await createTestApp('sqlite', { env: { METRICS_TOKEN: token } });
    try {
      const none = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(none.json()).toMatchObject({ code: 'authentication-required' });
      expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}x` } })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: token } })).statusCode).toBe(401);
      const ok = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('lifeline_http_request_duration_seconds');
    } finally {
      await t.close();
    }
  });
});
