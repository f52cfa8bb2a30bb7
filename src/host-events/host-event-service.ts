import type { Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import type { Database } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { localeOf } from '../i18n/translator.js';
import { formatEventTime } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { RateLimits } from '../security/rate-limits.js';
import type { AccountRepository } from '../accounts/account-repository.js';

export interface HostEventInput {
  readonly accountId: string;
  /** The host's own name for the kind of event, e.g. `iban.changed`. */
  readonly type: string;
  readonly title: { readonly de: string; readonly en: string };
  readonly details?: string | undefined;
  readonly notify?: boolean | undefined;
  /** The API key that sent it (its id for the limit, its name for the record). */
  readonly source: { readonly id: string; readonly name: string };
}

/** A host event as recorded: the security-log row's id (the id `account.secured` names), when, and whether the owner was mailed. */
export interface RecordedHostEvent {
  readonly id: string;
  readonly createdAt: number;
  readonly notified: boolean;
}

/** The security-log type of every host event; the host's own type is in `details.hostType`. */
export const HOST_EVENT_LOG_TYPE = 'host.event';

/**
 * The host's own security events in the user's security log (docs/integration.md "Host
 * events"): "IBAN geändert" beside Lifeline's own entries, and with `notify` mailed like them
 * with "Das war ich nicht", whose use secures the account and tells the host's webhooks
 * (`account.secured` with this event's id). The request's address is the host's server, not the
 * user's, so no IP or device is recorded for it.
 */
export interface HostEventService {
  /**
   * Records the host's event in the account's security log, within the key's and the account's
   * limits; with `notify` the owner is mailed with "Das war ich nicht". An unknown or unconfirmed
   * account is 404 alike (an unconfirmed account is nobody's yet).
   */
  record(input: HostEventInput): Promise<RecordedHostEvent>;
}

/** Builds the host events (see {@link HostEventService}). */
export function createHostEventService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  notifier: Notifier;
  securityLog: SecurityLog;
  rateLimits: RateLimits;
}): HostEventService {
  const { database, clock } = deps;
  return {
    async record(input) {
      await deps.rateLimits.enforce('host-event-key', input.source.id);
      const account = await deps.accounts.findById(database.db, input.accountId);
      // An unconfirmed account is nobody's yet: the same 404 as an unknown one.
      if (!account || account.email_verified_at === null) throw new LifelineError('not-found');
      await deps.rateLimits.enforce('host-event-account', account.id);
      if (input.notify) await deps.rateLimits.enforce('host-event-notice-account', account.id);
      const details = {
        hostType: input.type,
        titleDe: input.title.de,
        titleEn: input.title.en,
        source: input.source.name,
        ...(input.details === undefined ? {} : { detail: input.details }),
      };
      const createdAt = clock.now();
      const id = await inTransaction(database, async (trx) => {
        if (!input.notify) return deps.securityLog.record(trx, { accountId: account.id, type: HOST_EVENT_LOG_TYPE, details });
        const locale = localeOf(account);
        const notified = await deps.notifier.notify(trx, {
          kind: 'host.security-event',
          locale,
          accountId: account.id,
          params: { when: formatEventTime(createdAt, locale, account.time_zone), title: input.title[locale], detail: input.details ?? '' },
          details,
          undo: { restore: {} },
        });
        if (notified.securityEventId === null) throw new Error('the host event was not recorded');
        return notified.securityEventId;
      });
      return { id, createdAt, notified: input.notify === true };
    },
  };
}
