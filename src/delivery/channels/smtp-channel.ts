import nodemailer from 'nodemailer';
import { PermanentDeliveryError, type Channel, type DeliverableMessage } from './channel.js';

export interface SmtpChannelOptions {
  readonly smtpUrl: string;
  readonly from: string;
}

/** SMTP reply codes 5xx are permanent (RFC 5321 §4.2.1); everything else may heal. */
function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * E-mail through SMTP with nodemailer. Timeouts stay well below the outbox lease (60 s by
 * default), so a hanging server never makes two workers send the same message.
 */
export function createSmtpChannel(options: SmtpChannelOptions): Channel {
  // Query parameters of SMTP_URL (e.g. ?ignoreTLS=true) are nodemailer options too.
  const transporter = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });

  return {
    transport: 'smtp',
    async send(message: DeliverableMessage): Promise<void> {
      try {
        await transporter.sendMail({
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
