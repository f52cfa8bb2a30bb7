import type { ReturnLink } from '../../contract/return-links.js';
import { MINUTE, type Clock } from '../../core/clock.js';
import type { Database } from '../../db/database.js';
import type { VerificationRequesterKind } from '../../db/tables.js';
import type { Translator } from '../../i18n/translator.js';
import type { Notifier } from '../../notifications/notifier.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import type { SecurityLogRepository } from '../../notifications/security-log-repository.js';
import type { OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import type { RateLimits } from '../../security/rate-limits.js';
import type { SmsSendGuard } from '../../security/sms-send-guard.js';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { RecoveryEmailRepository } from '../../recovery/email/recovery-email-repository.js';
import type { RecoveryPhoneRepository } from '../../recovery/phone/recovery-phone-repository.js';
import type { ActionVerificationRepository } from '../action-verification-repository.js';

/** Time to pick a channel and enter its code, from the start. */
export const VERIFICATION_WINDOW_MS = 30 * MINUTE;
/** Once verified, the record can be consumed this long, and only once (single use). */
export const VERIFIED_VALIDITY_MS = 10 * MINUTE;
/** One code a minute per channel target, whoever asks. */
export const SEND_COOLDOWN_MS = 60 * 1000;

/** Who asked for a verification: a host's API key (by id, named in messages) or a Lifeline session. */
export interface Requester {
  readonly kind: VerificationRequesterKind;
  readonly id: string;
  /** Shown to the user ("angefragt von billing"): the key's name, or the service's own name. */
  readonly name: string;
}

/** What the flows of action verification use; src/services.ts builds it once. */
export interface ActionVerificationDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly verification: OneTimeSecretService;
  readonly notifier: Notifier;
  readonly securityLog: SecurityLog;
  readonly rateLimits: RateLimits;
  readonly smsGuard: SmsSendGuard | undefined;
  readonly translator: Translator;
  /** The records (`action_verifications`). */
  readonly records: ActionVerificationRepository;
  readonly accounts: AccountRepository;
  readonly recoveryEmails: RecoveryEmailRepository;
  readonly recoveryPhones: RecoveryPhoneRepository;
  /** The security log's rows: when the login email last changed. */
  readonly securityEvents: Pick<SecurityLogRepository, 'latestAt'>;
  readonly config: {
    readonly appName: string;
    readonly http: { readonly publicUrl: string };
    readonly actionVerification: { readonly hostMinChannelAgeMs: number };
    readonly returnLinks: readonly ReturnLink[];
  };
}
