import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { HOUR } from '../core/clock.js';
import type { Database } from '../db/database.js';
import type { AccountRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { isLocale, type Translator } from '../i18n/translator.js';
import { describeEvent } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import { PasswordThrottled, type PasswordThrottle } from '../security/password-throttle.js';
import type { DeviceRegistry } from '../sessions/device-registry.js';
import type { AccountRepository } from './account-repository.js';
import type { PasswordHasher } from './password-hasher.js';

/** The account id a device look-up for an unknown address uses: no account has it. */
const NO_ACCOUNT = '-';

export interface PasswordCheck {
  /** The account, if the identifier belongs to one; undefined means "no such account". */
  readonly account: AccountRow | undefined;
  /** The normalised email submitted (or the session's account's): the throttle's key. */
  readonly identifier: string;
  readonly password: string;
  readonly client: { readonly ip: string; readonly userAgent: string | null };
  /** The browser's device cookie, if it sent one. */
  readonly deviceToken: string | undefined;
  /** What the check is for, for the log: sign-in, re-authentication, password change, … */
  readonly purpose: string;
}

/**
 * Every password check goes through here (docs/reference/product.md §1: "Every password check, wherever it
 * happens, counts against the same per-account and per-IP failure limits"):
 * throttle first (before hashing), then argon2 against the stored hash, or against a dummy
 * hash when there is no account, so both cost the same time (docs/reference/security-requirements.md 7.3). A right
 * password gives the throttle's points back. Every outcome is logged (docs/reference/security-requirements.md 6.1).
 */
export function createPasswordVerifier(deps: {
  database: Database;
  clock: Clock;
  hasher: PasswordHasher;
  throttle: PasswordThrottle;
  devices: DeviceRegistry;
  accounts: AccountRepository;
  notifier: Notifier;
  translator: Translator;
  logger: Logger;
}) {
  /** Tells the owner once an hour that sign-ins are being throttled ("Anmeldung vorübergehend gesperrt"). */
  async function noticeThrottle(account: AccountRow, client: PasswordCheck['client']): Promise<void> {
    const now = deps.clock.now();
    // Told within the hour (the row was read for this request): no transaction at all, so a
    // throttled guess at a known address costs what one at an unknown address does (no timing
    // difference to enumerate accounts by, no database write per refused guess).
    if (account.throttle_notice_at !== null && account.throttle_notice_at >= now - HOUR) return;
    const locale = isLocale(account.locale) ? account.locale : 'de';
    await inTransaction(deps.database, async (trx) => {
      if (!(await deps.accounts.claimNotice(trx, account.id, 'throttle_notice_at', now - HOUR, now))) return;
      const details = describeEvent(deps.translator, { at: now, locale, timeZone: account.time_zone, ip: client.ip });
      await deps.notifier.notify(trx, {
        kind: 'account.signin-throttled',
        locale,
        accountId: account.id,
        params: { when: details.when, ip: details.ip },
        origin: { ip: client.ip, userAgent: client.userAgent },
      });
    });
  }

  return {
    /** True for the right password; throws PasswordThrottled (429) when the limits refuse. */
    async verify(check: PasswordCheck): Promise<boolean> {
      // Looked up for an unknown address too (under an id no account has): the same query either
      // way, so a browser that sends a device cookie cannot time its way to which addresses exist.
      const trustedDevice = (await deps.devices.recognise(check.account?.id ?? NO_ACCOUNT, check.deviceToken)) !== undefined && check.account !== undefined;
      let ticket;
      try {
        ticket = await deps.throttle.begin({ identifier: check.identifier, ip: check.client.ip, trustedDevice });
      } catch (error) {
        // Only the account's own bucket says "many failed attempts on your account": the client
        // buckets fire for one address's first try after a client's failures elsewhere, and a
        // notice then would be false and would tell a prober which addresses have accounts.
        if (error instanceof PasswordThrottled && error.bucket === 'password-account' && check.account) await noticeThrottle(check.account, check.client);
        throw error;
      }
      const hash = check.account?.password_hash;
      const ok = hash ? await deps.hasher.verify(hash, check.password) : await deps.hasher.verifyDummy(check.password);
      deps.logger.info(
        {
          event: 'auth.password_check',
          purpose: check.purpose,
          outcome: ok ? 'success' : 'failure',
          factor: 'password',
          accountId: check.account?.id ?? null,
          ip: check.client.ip,
          trustedDevice,
        },
        ok ? 'password accepted' : 'password refused',
      );
      if (ok) await deps.throttle.succeeded(ticket);
      return ok;
    },
  };
}

export type PasswordVerifier = ReturnType<typeof createPasswordVerifier>;
