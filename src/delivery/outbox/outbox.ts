import type { Clock } from '../../core/clock.js';
import { DAY } from '../../core/clock.js';
import { newId } from '../../core/random.js';
import type { Database, Executor } from '../../db/database.js';
import type { MessageChannelName, OutboxMessageRow, OutboxStatus } from '../../db/tables.js';
import type { OutboxRepository, OutboxStats } from './outbox-repository.js';

/** A rendered message on its way out: what `enqueue` takes. */
export interface OutgoingMessage {
  /** The catalogue kind, e.g. "operator.test-mail": for logs, metrics and `lifeline outbox`. */
  readonly kind: string;
  readonly channel: MessageChannelName;
  readonly to: string;
  readonly accountId?: string | null;
  readonly locale: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  /** Codes and link tokens inside the text: masked in listings, purged after delivery. */
  readonly secrets?: readonly string[];
  /** Not sent after this time (epoch ms): a message whose code has expired fails instead. */
  readonly expiresAt?: number;
}

/** The stored payload of a message; null in the row once purged. */
export interface OutboxPayload {
  readonly text: string;
  readonly html: string | null;
  readonly secrets: readonly string[];
}

/** A row as operators see it (`lifeline outbox`): secrets masked, payload maybe purged. */
export interface OutboxListing {
  readonly id: string;
  readonly kind: string;
  readonly channel: MessageChannelName;
  readonly to: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly subject: string;
  readonly maskedText: string | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly nextAttemptAt: number;
}

export function parsePayload(row: Pick<OutboxMessageRow, 'payload'>): OutboxPayload | undefined {
  return row.payload === null ? undefined : (JSON.parse(row.payload) as OutboxPayload);
}

/** Replaces every secret in `text` with a mask of the same shape. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret) masked = masked.split(secret).join('•'.repeat(Math.min(secret.length, 8)));
  }
  return masked;
}

/** Sent rows are kept a week (without payload) for support questions; failed ones 30 days. */
export const SENT_RETENTION_MS = 7 * DAY;
export const FAILED_RETENTION_MS = 30 * DAY;

/**
 * The transactional outbox (docs/reference/contracts.md): a change and the messages it causes are written
 * in one transaction; the worker delivers later. Nothing is sent inside a request, so a
 * mail server that is down never loses a message nor slows or fails the request.
 */
export function createOutbox(deps: { database: Database; clock: Clock; repository: OutboxRepository }) {
  const { repository } = deps;

  return {
    /** Queues a message in the caller's transaction; returns its id. */
    async enqueue(trx: Executor, message: OutgoingMessage): Promise<string> {
      const now = deps.clock.now();
      const id = newId();
      const payload: OutboxPayload = { text: message.text, html: message.html, secrets: message.secrets ?? [] };
      await repository.insert(trx, {
        id,
        kind: message.kind,
        channel: message.channel,
        recipient: message.to,
        account_id: message.accountId ?? null,
        locale: message.locale,
        subject: message.subject,
        payload: JSON.stringify(payload),
        status: 'queued',
        attempts: 0,
        next_attempt_at: now,
        lease_expires_at: null,
        claimed_by: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
        purged_at: null,
        expires_at: message.expiresAt ?? null,
      });
      return id;
    },

    async list(filter: { statuses: readonly OutboxStatus[]; limit?: number }): Promise<OutboxListing[]> {
      const rows = await repository.list({ statuses: filter.statuses, limit: filter.limit ?? 100 });
      return rows.map((row) => {
        const payload = parsePayload(row);
        return {
          id: row.id,
          kind: row.kind,
          channel: row.channel,
          to: row.recipient,
          status: row.status,
          attempts: row.attempts,
          subject: row.subject,
          maskedText: payload ? maskSecrets(payload.text, payload.secrets) : null,
          lastError: row.last_error,
          createdAt: row.created_at,
          nextAttemptAt: row.next_attempt_at,
        };
      });
    },

    stats(): Promise<OutboxStats> {
      return repository.stats(deps.clock.now());
    },

    prune(): Promise<number> {
      const now = deps.clock.now();
      return repository.prune(now - SENT_RETENTION_MS, now - FAILED_RETENTION_MS);
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
