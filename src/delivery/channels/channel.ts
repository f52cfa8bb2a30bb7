import type { MessageChannelName } from '../../db/tables.js';

/** A message as a channel sends it: already rendered, addressed, in the recipient's language. */
export interface DeliverableMessage {
  readonly id: string;
  readonly channel: MessageChannelName;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
}

export interface SendOptions {
  /** Aborted when the worker's deadline for this send has passed; the channel stops its work. */
  readonly signal?: AbortSignal;
}

/**
 * A way out of Lifeline: SMTP, an SMS gateway, or the development mailbox. `send` resolves
 * when the transport has accepted the message and rejects otherwise; a
 * {@link PermanentDeliveryError} tells the worker that retrying cannot help.
 */
export interface Channel {
  /** For logs and metrics, e.g. "smtp" or "dev-mailbox". */
  readonly transport: string;
  send(message: DeliverableMessage, options?: SendOptions): Promise<void>;
  close?(): Promise<void>;
  /**
   * The channel's own retry delays (ms after the 1st, 2nd, … failed attempt) instead of the
   * outbox's exponential back-off and DELIVERY_MAX_ATTEMPTS: webhooks keep trying for a day.
   */
  readonly retryScheduleMs?: readonly number[];
}

/** The transport refused the message for good (e.g. SMTP 550: no such mailbox). */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

/** The transports by message channel; a channel without one cannot be delivered. */
export type Channels = Readonly<Partial<Record<MessageChannelName, Channel>>>;
