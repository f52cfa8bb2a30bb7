import type { Insertable, Selectable, Updateable } from 'kysely';

/** Tables of the transactional outbox and the development mailbox (docs/architecture.md "Transactional outbox"). */

export type OutboxStatus = 'queued' | 'processing' | 'sent' | 'failed';

/** `backchannel`: a logout token to a host application (docs/oidc.md). */
export type MessageChannelName = 'email' | 'sms' | 'backchannel' | 'webhook';

export interface OutboxMessagesTable {
  id: string;
  kind: string;
  channel: MessageChannelName;
  recipient: string;
  account_id: string | null;
  locale: string;
  subject: string;
  /** JSON {text, html, secrets}; null once purged after delivery or giving up. */
  payload: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  lease_expires_at: number | null;
  claimed_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  purged_at: number | null;
  /** After this time the message is not sent any more (an SMS code that has expired); null: no limit. */
  expires_at: number | null;
}

export type OutboxMessageRow = Selectable<OutboxMessagesTable>;

export type NewOutboxMessage = Insertable<OutboxMessagesTable>;

export type OutboxMessageUpdate = Updateable<OutboxMessagesTable>;

export interface DevMailboxTable {
  id: string;
  outbox_id: string | null;
  channel: MessageChannelName;
  recipient: string;
  subject: string;
  text: string;
  html: string | null;
  created_at: number;
}

export type DevMailboxRow = Selectable<DevMailboxTable>;
