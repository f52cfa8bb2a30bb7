import type { AccountRepository } from '../accounts/account-repository.js';
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/database.js';
import type { Translator } from '../i18n/translator.js';
import type { Notifier } from '../notifications/notifier.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { OneTimeSecretService } from '../one-time-secrets/one-time-secret-service.js';
import type { DeviceRegistry } from '../sessions/device-registry.js';
import type { SessionService } from '../sessions/session-service.js';

/**
 * What every change of a recovery channel uses: the email and phone services
 * (recovery/channel-change.ts) and the 72-hour hold (recovery/hold/channel-hold-service.ts).
 */
export interface ChannelDeps {
  readonly database: Database;
  readonly clock: Clock;
  /** The links and codes that confirm a channel, and the hold's cancel links. */
  readonly verification: OneTimeSecretService;
  readonly notifier: Notifier;
  readonly securityLog: SecurityLog;
  readonly translator: Translator;
  /** Reads and locks the account row (PostgreSQL lock order: the account first). */
  readonly accounts: AccountRepository;
  /** Ends the sessions of a device whose channel the owner removed (recovery/owner-repair.ts). */
  readonly sessions: Pick<SessionService, 'revokeDevice'>;
  /** How the account knows a session's device (the hold), and forgetting one (the owner's repair). */
  readonly devices: Pick<DeviceRegistry, 'standing' | 'forget'>;
}
