import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

/** One request as a recording server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What a recording server answers to one request: a status with a body of a content type, or no answer at all ('hang'). */
export type RecordedAnswer = { readonly status: number; readonly contentType: string; readonly body: string } | 'hang';

/**
 * An HTTP server on loopback (a gateway or provider stand-in) that records every request and
 * answers as `answer` decides per request. `close()` also ends the requests left hanging.
 */
export async function startRecordingServer(answer: (request: RecordedRequest) => RecordedAnswer) {
  const requests: RecordedRequest[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const a = answer(recorded);
      if (a === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: async (): Promise<void> => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The rejection of a send, asserted to be an Error whose message contains none of `secrets`
 * (the text of a message, its code, a gateway's query): errors end up in logs and in the outbox.
 */
export async function failureWithout(promise: Promise<void>, secrets: readonly string[]): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  for (const secret of secrets) expect(message).not.toContain(secret);
  return error as Error;
}
