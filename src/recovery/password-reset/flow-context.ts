import type { Logger } from 'pino';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { PasswordHasher } from '../../accounts/password-hasher.js';
import type { PasswordResetConfig } from '../../config/config.js';
import { comparableEmail, maskEmail } from '../../contract/email-address.js';
import type { Clock } from '../../core/clock.js';
import { MINUTE } from '../../core/clock.js';
import { hmacSha256, sha256Hex } from '../../core/hashing.js';
import type { KeyRing } from '../../core/keyring.js';
import type { Metrics } from '../../core/metrics.js';
import type { Database, Executor } from '../../db/database.js';
import type { AccountRow, PasswordResetFlowRow, ResetChannel } from '../../db/tables.js';
import type { Locale, Translator } from '../../i18n/translator.js';
import type { Notifier } from '../../notifications/notifier.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import type { OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import type { SecretPurpose } from '../../one-time-secrets/purposes.js';
import { clientBucketKey } from '../../security/client-address.js';
import type { RateLimits } from '../../security/rate-limits.js';
import type { SmsSendGuard } from '../../security/sms-send-guard.js';
import type { DeviceRegistry } from '../../sessions/device-registry.js';
import type { ClientInfo, SessionService } from '../../sessions/session-service.js';
import { isSettledAt } from '../channel-trust.js';
import type { RecoveryEmailRepository } from '../email/recovery-email-repository.js';
import type { ChannelHoldService } from '../hold/channel-hold-service.js';
import type { OpenActionVerifications } from '../owner-regains-control.js';
import type { NumberPolicy } from '../phone/phone-number.js';
import type { UnsettledChannels } from '../unsettled-channels.js';
import type { RecoveryPhoneRepository } from '../phone/recovery-phone-repository.js';
import type { RecoveryCodeService } from '../codes/recovery-code-service.js';
import type { ChannelOwnerRepository } from './channel-owner-repository.js';
import type { PasswordResetFlowRepository } from './password-reset-flow-repository.js';
import type { ResetIdentifier } from './reset-identifier.js';
import { flowState, isOpen } from './state.js';

/** One SMS a minute per number ("Code erneut senden" after 60 s, as for the recovery phone). */
export const RESET_RESEND_COOLDOWN_MS = MINUTE;
/** The window of the hourly failures of an identifier and client (flows without a code count their own). */
export const FAILURE_WINDOW_MS = 60 * MINUTE;

export const CODE_PURPOSE = { email: 'password-reset-email-code', phone: 'password-reset-sms' } as const;
export const LINK_PURPOSE = 'password-reset-email-link';
/** Every secret of this flow: a new request, a redemption or a reset retires them all. */
export const RESET_PURPOSES: readonly SecretPurpose[] = ['password-reset-sms', 'password-reset-email-code', 'password-reset-email-link'];

export interface ForgotRequest {
  readonly identifier: string;
  readonly country: string | undefined;
  readonly locale: Locale;
  readonly client: ClientInfo;
  /** The flow cookie this browser still had: its own earlier flow ends (unless verified), no other. */
  readonly previousFlowToken: string | undefined;
}

/** What of a flow says which channel it went through. */
export type ReachedFlow = Pick<PasswordResetFlowRow, 'identifier' | 'identifier_kind' | 'channel' | 'recovery_code_set_id'>;

export interface AccountChoice {
  readonly id: string;
  readonly maskedEmail: string;
}

export interface FlowStatus {
  readonly stage: 'none' | 'code-sent' | 'verified';
  readonly channel?: 'email' | 'sms';
  readonly resendAvailableAt?: string;
  readonly accounts?: AccountChoice[];
}

export interface PasswordResetServiceDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly accounts: AccountRepository;
  /** The flows' rows (table `password_reset_flows`). */
  readonly flows: PasswordResetFlowRepository;
  /** Who an identifier belongs to: settled channels only. */
  readonly channelOwners: ChannelOwnerRepository;
  readonly recoveryEmails: Pick<RecoveryEmailRepository, 'active'>;
  readonly recoveryPhones: Pick<RecoveryPhoneRepository, 'active'>;
  readonly hasher: PasswordHasher;
  readonly sessions: SessionService;
  readonly verification: OneTimeSecretService;
  readonly notifier: Notifier;
  readonly securityLog: SecurityLog;
  readonly translator: Translator;
  readonly rateLimits: RateLimits;
  /** Undefined when no SMS provider is configured: phone numbers then lead nowhere (neutrally). */
  readonly smsGuard: SmsSendGuard | undefined;
  /** Changes held for 72 hours end with a reset through a settled channel: the owner is back in control. */
  readonly channelHold?: ChannelHoldService;
  /** Open action verifications end with a reset too (recovery/owner-regains-control.ts). */
  readonly actionVerifications: OpenActionVerifications;
  /** The account's known browsers (device cookie, not new) pass the limits that count all clients together; the resetting browser becomes known. */
  readonly devices: Pick<DeviceRegistry, 'recognise' | 'standing' | 'remember'>;
  /** Channels confirmed while the intruder may have been in are removed by the reset (recovery/unsettled-channels.ts). */
  readonly unsettledChannels: UnsettledChannels;
  /** Recovery codes verify a flow of the login email; a reset ends a set that is not settled (recovery/codes/). */
  readonly recoveryCodes: Pick<RecoveryCodeService, 'use' | 'hashLikeACode' | 'isUsable' | 'endUnsettled'>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly config: {
    readonly appName: string;
    readonly passwordReset: PasswordResetConfig;
    readonly sms: NumberPolicy;
    readonly verification: { readonly maxAttempts: number; readonly maxFailuresPerHour: number };
    readonly hold: { readonly newDeviceMs: number };
  };
}

/**
 * What the flow's operations (request, process, verify, reset) share: the dependencies and the
 * readings of a flow that more than one of them makes.
 */
export interface FlowContext {
  readonly deps: PasswordResetServiceDeps;
  /** A flow's id: the SHA-256 of its cookie. */
  readonly flowIdOf: (token: string) => string;
  /** The failure scope of a guessing client: its hourly lock is its own (one-time-secret-service.ts failureKey). */
  readonly scopeOf: (clientKey: string) => string;
  /** The client a flow was asked for from (its rate-limit key). */
  readonly clientKeyOf: (flow: Pick<PasswordResetFlowRow, 'client_key' | 'ip'>) => string;
  /** The key of the per-identifier limits and failures. */
  readonly identifierHash: (identifier: Pick<ResetIdentifier, 'kind' | 'normalized'>) => string;
  /** The accounts a flow names (JSON in `account_ids`). */
  readonly parseIds: (flow: Pick<PasswordResetFlowRow, 'account_ids'>) => string[];
  /** The flow of this cookie, if it is still open (requested, code sent or not, verified). */
  readonly openFlow: (token: string | undefined) => Promise<PasswordResetFlowRow | undefined>;
  /** The account list of a verified flow, masked, when there is a choice to make. */
  readonly choices: (accountIds: readonly string[]) => Promise<AccountChoice[] | undefined>;
  /** The channel a flow went through, if it is still a settled channel of `account` (or the recovery code set still its current one). */
  readonly reachedChannel: (trx: Executor, account: AccountRow, flow: ReachedFlow) => Promise<ResetChannel | undefined>;
}

export function createFlowContext(deps: PasswordResetServiceDeps): FlowContext {
  const { database, clock } = deps;
  const flowIdOf = (token: string) => sha256Hex(token);
  return {
    deps,
    flowIdOf,
    scopeOf: (clientKey) => sha256Hex(`reset-client|${clientKey}`).slice(0, 16),
    clientKeyOf: (flow) => flow.client_key ?? clientBucketKey(flow.ip ?? ''),
    /**
     * Gmail's dots and `+tags` (and the other providers' sub-addresses,
     * contract/email-address.ts) fold into one mailbox, so spelling an address differently
     * never buys a stranger more sends to it.
     */
    identifierHash: (identifier) =>
      hmacSha256(
        deps.keys.current.key,
        'password-reset-identifier',
        identifier.kind,
        identifier.kind === 'email' ? comparableEmail(identifier.normalized) : identifier.normalized,
      ),
    parseIds: (flow) => (flow.account_ids ? (JSON.parse(flow.account_ids) as string[]) : []),

    async openFlow(token) {
      if (!token || token.length > 128) return undefined;
      const flow = await deps.flows.find(database.db, flowIdOf(token));
      return flow && isOpen(flowState(flow, clock.now())) ? flow : undefined;
    },

    async choices(accountIds) {
      if (accountIds.length < 2) return undefined;
      const rows = await deps.accounts.listByIds(database.db, accountIds);
      return rows.map((row) => ({ id: row.id, maskedEmail: maskEmail(row.email) }));
    },

    /**
     * The login email, or a recovery address or number settled (recovery/channel-trust.ts):
     * an undo or a removal since the code went out ends what the flow may do. A flow a recovery
     * code verified holds while that code's set is the account's current one, and settled (a new
     * set, a reset or an undo ends it).
     */
    async reachedChannel(trx, account, flow) {
      if (flow.channel === 'recovery-code') {
        const set = flow.recovery_code_set_id;
        return set !== null && (await deps.recoveryCodes.isUsable(trx, account.id, set)) ? 'recovery-code' : undefined;
      }
      if (flow.identifier === null) return undefined;
      const now = clock.now();
      if (flow.identifier_kind === 'phone') {
        const phone = await deps.recoveryPhones.active(trx, account.id);
        return phone?.number_e164 === flow.identifier && isSettledAt(phone, now) ? 'recovery-phone' : undefined;
      }
      if (account.email_normalized === flow.identifier && account.email_verified_at !== null) return 'login-email';
      const email = await deps.recoveryEmails.active(trx, account.id);
      return email?.address_normalized === flow.identifier && isSettledAt(email, now) ? 'recovery-email' : undefined;
    },
  };
}
