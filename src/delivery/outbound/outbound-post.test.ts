import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress, outboundPost, OutboundRefusedError } from './outbound-post.js';

describe('outbound deliveries to host applications', () => {
  let server: http.Server;
  let url = '';
  const bodies: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(req.url === '/fail' ? 500 : 200).end('x'.repeat(10_000));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('knows the private, loopback, link-local and unique-local ranges', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '64:ff9b::a00:1',
      '2002:a00:1::1',
      '224.0.0.1',
      '255.255.255.255',
      'ff02::1',
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '2606:2800:220:1::1', '172.32.0.1', '::ffff:8.8.8.8']) expect(isPrivateAddress(address), address).toBe(false);
  });

  it('refuses loopback and private targets unless allowed, by literal and by name', async () => {
    await expect(outboundPost(`${url}/x`, { body: 'a', contentType: 'text/plain', allowPrivateNetworks: false })).rejects.toBeInstanceOf(OutboundRefusedError);
    const byName = url.replace('127.0.0.1', 'localhost');
    await expect(outboundPost(`${byName}/x`, { body: 'a', contentType: 'text/plain', allowPrivateNetworks: false })).rejects.toThrow(/private or loopback/);
    await expect(outboundPost('file:///etc/passwd', { body: 'a', contentType: 'text/plain', allowPrivateNetworks: true })).rejects.toBeInstanceOf(
      OutboundRefusedError,
    );
    expect(bodies).toEqual([]);
  });

  it('posts when allowed and reads at most 4 KiB of the answer', async () => {
    const ok = await outboundPost(`${url}/x`, { body: 'logout_token=abc', contentType: 'application/x-www-form-urlencoded', allowPrivateNetworks: true });
    expect(ok.status).toBe(200);
    expect(ok.body.length).toBeLessThanOrEqual(4096);
    expect(bodies).toContain('logout_token=abc');
    expect((await outboundPost(`${url}/fail`, { body: '', contentType: 'text/plain', allowPrivateNetworks: true })).status).toBe(500);
  });
});
