import { createServer, type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One mail as the sink received it: the SMTP envelope, the raw bytes and mailparser's view. */
export interface ReceivedMail {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export interface SmtpSinkOptions {
  /** Listen on this port (e.g. to come back where a stopped sink was); a free one by default. */
  readonly port?: number;
  /**
   * Asked on every RCPT TO: the SMTP reply code to refuse the recipient with (e.g. 550, a
   * permanent failure, or 450, a temporary one), or undefined to accept it.
   */
  /** A reply code (with a default text) or a code and the reply text, e.g. "5.7.1 Relay access denied". */
  readonly rejectRecipient?: (address: string) => number | { code: number; text: string } | undefined;
  /** Asked after a mail's content arrived: a reply code to refuse it with (e.g. 554), or undefined. */
  readonly rejectData?: (recipients: readonly string[]) => number | undefined;
  /** Accounts for AUTH (allowed without TLS here); without it every login attempt is refused (535). */
  readonly users?: Readonly<Record<string, string>>;
}

/**
 * A real SMTP server on loopback (smtp-server) that keeps what it receives, parsed with
 * mailparser. No TLS (STARTTLS disabled, so nodemailer does not try it) and no AUTH needed.
 * `stop()` closes the port and `start()` opens it again on the same port with a new server,
 * so a test can take the mail server away mid-run; `received` spans both lives.
 */
export interface SmtpSink {
  readonly port: number;
  /** SMTP_URL for Lifeline: smtp://127.0.0.1:PORT */
  readonly url: string;
  readonly received: ReceivedMail[];
  readonly running: boolean;
  /** Resolves once `count` mails have arrived in total (mail parsing is asynchronous). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port that is free right now (nothing listens on it once this resolves). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function addressOf(address: SMTPServerAddress | false): string {
  return address === false ? '' : address.address;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;

  function createSmtpServer(): SMTPServer {
    return new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      closeTimeout: 1000,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        const expected = options.users?.[auth.username ?? ''];
        if (expected !== undefined && auth.password === expected) {
          callback(null, { user: auth.username });
          return;
        }
        callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, callback) {
        const refusal = options.rejectRecipient?.(address.address);
        if (refusal !== undefined) {
          const code = typeof refusal === 'number' ? refusal : refusal.code;
          const text =
            typeof refusal === 'number' ? `<${address.address}>: ${code >= 500 ? 'mailbox unavailable' : 'mailbox busy, try again later'}` : refusal.text;
          callback(Object.assign(new Error(text), { responseCode: code }));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (error: Error) => callback(error));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const envelope = { from: addressOf(session.envelope.mailFrom), to: session.envelope.rcptTo.map((r) => r.address) };
          const refusal = options.rejectData?.(envelope.to);
          if (refusal !== undefined) {
            callback(Object.assign(new Error('5.7.1 message refused'), { responseCode: refusal }));
            return;
          }
          simpleParser(raw)
            .then((parsed) => {
              received.push({ envelope, raw, parsed });
              callback();
            })
            .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
        });
      },
    });
  }

  const sink: SmtpSink = {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    received,
    get running() {
      return server !== undefined;
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = performance.now() + timeoutMs;
      while (received.length < count) {
        if (performance.now() > deadline) throw new Error(`the SMTP sink received ${received.length} of ${count} mails`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async start() {
      if (server) return;
      const next = createSmtpServer();
      await new Promise<void>((resolve, reject) => {
        next.server.once('error', reject);
        next.listen(port, '127.0.0.1', () => resolve());
      });
      port = (next.server.address() as AddressInfo).port;
      server = next;
    },
    async stop() {
      const current = server;
      if (!current) return;
      server = undefined;
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
  await sink.start();
  return sink;
}
