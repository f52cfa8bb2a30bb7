import type { SecurityLogPage } from '../contract/security-log.js';
import { stepEventTypes } from '../contract/security-event-types.js';
import type { Clock } from '../core/clock.js';
import { DAY } from '../core/clock.js';
import { describeUserAgent } from '../core/user-agent.js';
import { LifelineError } from '../core/errors.js';
import { newId } from '../core/random.js';
import type { Executor } from '../db/database.js';
import type { SecurityLogRepository } from './security-log-repository.js';

/** Where a request came from, as far as the security log and notices tell it. */
export interface RequestOrigin {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export interface SecurityEventInput {
  readonly accountId: string;
  readonly type: string;
  readonly origin?: RequestOrigin;
  /** Never a secret: the log is shown to the user and kept. */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Called in the recording transaction with the row just written (its id and time). */
export type SecurityEventListener = (trx: Executor, event: SecurityEventInput & { readonly id: string; readonly at: number }) => Promise<void>;

/** The user agent is stored for display; a megabyte of header must not be. */
const MAX_USER_AGENT = 512;

/** "Sicherheitsaktivität" shows the last 90 days. */
export const SECURITY_LOG_VISIBLE_DAYS = 90;
const PAGE_SIZE = 20;

/** A page boundary: the (time, id) of the last row shown, opaque to clients. */
function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } | undefined {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const createdAt = Number(time);
  return Number.isSafeInteger(createdAt) && id ? { createdAt, id } : undefined;
}

function parseDetails(text: string | null): Record<string, string | number | boolean | null> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string | number | boolean | null>) : {};
  } catch {
    return {};
  }
}

/**
 * The account's security log ("Sicherheitsaktivität"): rows are written in the caller's
 * transaction with the change they record, read newest first in pages, and deleted after
 * SECURITY_LOG_DAYS by the worker.
 */
export interface SecurityLog {
  /**
   * Registers what else happens, in the same transaction, when a row is recorded: the host's
   * webhooks (webhooks/). Registered by the composition root, so the log need not know them.
   */
  whenRecorded(listener: SecurityEventListener): void;

  /**
   * Writes one row in the caller's transaction (so it commits or rolls back with the change it
   * records), runs the listeners, and answers the row's id (an undo link is bound to it).
   */
  record(trx: Executor, event: SecurityEventInput): Promise<string>;

  /**
   * One page of the last 90 days, newest first, without the steps of a change (contract/security-event-types.ts `stepEventTypes`). Keyset pagination on (created_at, id): stable
   * while new rows arrive, and a forged cursor can only move within the account's own rows.
   * `placeOf` names the approximate place of an IP (GEOIP_DB); a malformed cursor is validation-failed.
   */
  page(db: Executor, accountId: string, cursor: string | undefined, placeOf?: (ip: string | null) => string | undefined): Promise<SecurityLogPage>;

  /** Housekeeping: rows older than `retentionDays` go (SECURITY_LOG_DAYS); answers how many. */
  prune(db: Executor, retentionDays: number): Promise<number>;
}

/** Builds the security log (see {@link SecurityLog}). */
export function createSecurityLog(deps: { clock: Clock; repository: SecurityLogRepository }): SecurityLog {
  const { repository } = deps;
  const listeners: SecurityEventListener[] = [];
  return {
    whenRecorded(listener) {
      listeners.push(listener);
    },

    async record(trx, event) {
      const id = newId();
      const at = deps.clock.now();
      await repository.insert(trx, {
        id,
        account_id: event.accountId,
        type: event.type,
        ip: event.origin?.ip ?? null,
        user_agent: event.origin?.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
        details: event.details ? JSON.stringify(event.details) : null,
        created_at: at,
      });
      for (const listener of listeners) await listener(trx, { ...event, id, at });
      return id;
    },

    async page(db, accountId, cursor, placeOf = () => undefined) {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && after === undefined) throw new LifelineError('validation-failed', { field: 'cursor' });
      const since = deps.clock.now() - SECURITY_LOG_VISIBLE_DAYS * DAY;
      const rows = await repository.page(db, { accountId, since, after, limit: PAGE_SIZE + 1, hiddenTypes: stepEventTypes });
      const shown = rows.slice(0, PAGE_SIZE);
      const last = shown.at(-1);
      return {
        items: shown.map((row) => {
          const device = describeUserAgent(row.user_agent);
          const place = placeOf(row.ip);
          return {
            id: row.id,
            type: row.type,
            createdAt: new Date(row.created_at).toISOString(),
            ip: row.ip,
            device: [device.browser, device.os].filter((part) => part !== null).join(' · ') || null,
            ...(place ? { place } : {}),
            details: parseDetails(row.details),
            // The route fills it in from the live "Das war ich nicht" links (securityUndo.undoableEvents).
            undoable: false,
          };
        }),
        nextCursor: rows.length > PAGE_SIZE && last ? encodeCursor(last.created_at, last.id) : null,
      };
    },

    async prune(db, retentionDays) {
      return repository.deleteOlderThan(db, deps.clock.now() - retentionDays * DAY);
    },
  };
}
