import type { Clock } from '../core/clock.js';
import { newId } from '../core/random.js';
import type { Executor } from '../db/database.js';

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

/** The user agent is stored for display; a megabyte of header must not be. */
const MAX_USER_AGENT = 512;

/** Writes one row of the account's security log ("Sicherheitsaktivität"), in the caller's transaction. */
export function createSecurityLog(deps: { clock: Clock }) {
  return {
    async record(trx: Executor, event: SecurityEventInput): Promise<string> {
      const id = newId();
      await trx
        .insertInto('security_events')
        .values({
          id,
          account_id: event.accountId,
          type: event.type,
          ip: event.origin?.ip ?? null,
          user_agent: event.origin?.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
          details: event.details ? JSON.stringify(event.details) : null,
          created_at: deps.clock.now(),
        })
        .execute();
      return id;
    },
  };
}

export type SecurityLog = ReturnType<typeof createSecurityLog>;
