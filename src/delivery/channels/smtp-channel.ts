import nodemailer from 'nodemailer';
import { PermanentDeliveryError, type Channel, type DeliverableMessage, type SendOptions } from './channel.js';

export interface SmtpChannelOptions {
  readonly smtpUrl: string;
  readonly from: string;
}

/** The SMTP commands whose refusal is about this message: its recipient or its content. */
const MESSAGE_COMMANDS = new Set(['RCPT TO', 'DATA']);

/**
 * SMTP reply codes 5xx are permanent (RFC 5321 §4.2.1), but only a refusal of this message's
 * recipient or content is final for the message. A 5xx to the greeting, EHLO, AUTH (a wrong
 * password in SMTP_URL) or MAIL FROM (a sender the relay does not accept) is about the server
 * or our configuration and hits every message alike: those are retried, so the messages wait
 * for the operator's fix instead of all failing (and losing their codes) at once. So is an
 * enhanced status 5.7.x at RCPT TO (RFC 3463: security or policy, e.g. "5.7.1 Relay access
 * denied"), which is the relay's configuration, not the recipient's address. After DATA a 5xx
 * refuses this content (spam filter, size) and stays final.
 */
function isPermanent(error: unknown): boolean {
  const { responseCode: code, command, response } = error as { responseCode?: number; command?: string; response?: string };
  if (typeof code !== 'number' || code < 500 || code >= 600) return false;
  if (command === undefined || !MESSAGE_COMMANDS.has(command)) return false;
  return !(command === 'RCPT TO' && /^\d{3}[ -]5\.7\.\d+/.test(response ?? ''));
}

/**
 * Email through SMTP with nodemailer, over a small pool of connections (a batch of messages
 * must not open twenty connections to a relay that limits them). The worker's abort signal
 * ends a send that outlives its deadline (half the outbox lease), so a hanging server never
 * lets a second worker send the same message while the first is still at it.
 */
export function createSmtpChannel(options: SmtpChannelOptions): Channel {
  // Query parameters of SMTP_URL (e.g. ?ignoreTLS=true) are nodemailer options too.
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: 5,
    url: options.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });

  return {
    transport: 'smtp',
    async send(message: DeliverableMessage, sendOptions?: SendOptions): Promise<void> {
      try {
        await transporter.sendMail({
          ...(sendOptions?.signal ? { signal: sendOptions.signal } : {}),
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html === null ? {} : { html: message.html }),
          // RFC 3834: tells autoresponders not to answer, and marks the mail as transactional.
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Lifeline-Message-Id': message.id },
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (isPermanent(error)) throw new PermanentDeliveryError(reason, { cause: error });
        throw error instanceof Error ? error : new Error(reason);
      }
    },
    async close(): Promise<void> {
      transporter.close();
    },
  };
}
