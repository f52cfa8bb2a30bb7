import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: headers, the raw body as sent (signatures cover these bytes). */
export interface ReceivedDelivery {
  readonly path: string;
  readonly method: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: string;
  readonly json: { type?: string; timestamp?: string; data?: Record<string, unknown> } | null;
  readonly status: number;
}

/** What the receiver does with the next request: answer a status, redirect, talk too much, or hang. */
export type ReceiverBehaviour = { status: number } | { redirectTo: string } | { hugeBody: true } | { hang: true };

/**
 * A host's webhook receiver on loopback (real HTTP, as a host runs one): records every request
 * and answers as the test says (204 by default).
 */
export async function startWebhookReceiver() {
  const deliveries: ReceivedDelivery[] = [];
  let behaviour: ReceiverBehaviour = { status: 204 };
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: ReceivedDelivery['json'];
      try {
        json = JSON.parse(raw) as ReceivedDelivery['json'];
      } catch {
        json = null;
      }
      const now = behaviour;
      const status = 'status' in now ? now.status : 'redirectTo' in now ? 307 : 'hugeBody' in now ? 200 : 0;
      deliveries.push({ path: req.url ?? '', method: req.method ?? '', headers: req.headers, raw, json, status });
      if ('hang' in now) {
        hanging.push(res);
        return;
      }
      if ('redirectTo' in now) {
        res.writeHead(307, { location: now.redirectTo }).end();
        return;
      }
      if ('hugeBody' in now) {
        // 8 MiB, written while the client reads: Lifeline must stop reading after 4 KiB.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'x'.repeat(64 * 1024);
        let sent = 0;
        const more = () => {
          while (sent < 128) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        res.on('error', () => undefined);
        more();
        return;
      }
      res.writeHead(now.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    deliveries,
    /** Deliveries of one event type (optionally one account's). */
    of: (type: string, accountId?: string) =>
      deliveries.filter((d) => d.json?.type === type && (accountId === undefined || d.json.data?.accountId === accountId)),
    answer(next: ReceiverBehaviour): void {
      behaviour = next;
    },
    /** Ends the requests left hanging (their connections drop: a failed attempt for the sender). */
    release(): void {
      for (const res of hanging.splice(0)) res.destroy();
    },
    async close(): Promise<void> {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
