import type { Logger } from 'pino';
import type { PasswordHasher } from '../../accounts/password-hasher.js';
import { checkNewPassword } from '../../accounts/password-policy.js';
import type { createAccountRepository } from '../../accounts/account-repository.js';
import type { PasswordResetConfig } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { MINUTE } from '../../core/clock.js';
import { LifelineError, isLifelineError } from '../../core/errors.js';
import { hmacSha256, sha256Hex } from '../../core/hashing.js';
import type { KeyRing } from '../../core/keyring.js';
import type { Metrics } from '../../core/metrics.js';
import { randomToken } from '../../core/random.js';
import type { Database, Executor } from '../../db/database.js';
import type { AccountRow, PasswordResetFlowRow, ResetChannel } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import { isLocale, type Locale, type Translator } from '../../i18n/translator.js';
import type { Notifier } from '../../notifications/notifier.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import { clientBucketKey } from '../../security/client-address.js';
import type { RateLimits } from '../../security/rate-limits.js';
import type { SmsSendGuard } from '../../security/sms-send-guard.js';
import type { ClientInfo, SessionService } from '../../sessions/session-service.js';
import { purposePolicies, type SecretPurpose } from '../../one-time-secrets/purposes.js';
import { normaliseCode } from '../../one-time-secrets/secret-format.js';
import type { RedeemedSecret, OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import { refusalReason } from '../../one-time-secrets/secret-refusals.js';
import { changeDetails, localeOf } from '../notice-context.js';
import { maskNumber, type NumberPolicy } from '../phone/phone-number.js';
import { createPasswordResetFlowRepository } from './password-reset-flow-repository.js';
import { comparableEmail, maskEmail } from '../../contract/email-address.js';
import { endWaitingChanges, type OpenActionVerifications } from '../owner-regains-control.js';
import type { ChannelHold } from '../hold/channel-hold.js';
import { parseResetIdentifier, type ResetIdentifier } from './reset-identifier.js';
import { createRecoveryPhoneRepository } from '../phone/recovery-phone-repository.js';
import { createRecoveryEmailRepository } from '../email/recovery-email-repository.js';
import { isSettledAt } from '../channel-trust.js';
import { deviceStanding, type DeviceRegistry } from '../../sessions/device-registry.js';
import { channelRowsOf, describeRemoved, removeUnsettledChannels, type RemovedChannel } from '../unsettled-channels.js';

/** A flow lives half an hour: the e-mail code's 15 minutes, then time to choose a password. */
const FLOW_TTL_MS = 30 * MINUTE;
/** After the code, the new password must be set within 15 minutes. */
const VERIFIED_TTL_MS = 15 * MINUTE;
/** One SMS a minute per number ("Code erneut senden" after 60 s, as for the recovery phone). */
export const RESET_RESEND_COOLDOWN_MS = MINUTE;
/** The worker takes flows whose processing after the answer has not happened within this time. */
const STALE_FLOW_MS = 30_000;
const FAILURE_WINDOW_MS = 60 * MINUTE;

const CODE_PURPOSE = { email: 'password-reset-email-code', phone: 'password-reset-sms' } as const;
const LINK_PURPOSE = 'password-reset-email-link';
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
  readonly accounts: ReturnType<typeof createAccountRepository>;
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
  readonly channelHold?: ChannelHold;
  /** Open action verifications end with a reset too (recovery/owner-regains-control.ts). */
  readonly actionVerifications: OpenActionVerifications;
  /** The account's known browsers (device cookie) pass the limits that count all clients together. */
  readonly devices: Pick<DeviceRegistry, 'recognise'>;
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

/** Who a channel belongs to: the accounts (oldest first) and the address the code goes to. */
interface ChannelOwners {
  readonly accounts: readonly AccountRow[];
  /** The address as stored (what the message goes to); the E.164 number for a phone. */
  readonly deliverTo: string;
}

/**
 * "Passwort vergessen?" (docs/reference/product.md §5, docs/reference/security-requirements.md §3).
 *
 * The request answers after the same work for every identifier: parse it, write a flow row,
 * set the flow cookie. Whether the identifier is a confirmed channel of an account is decided
 * after the answer has gone (`process`, run right after the response and, should the instance
 * stop, by the worker), so the answer's content and timing cannot tell (docs/reference/security-requirements.md 3.1, 3.2).
 * A flow that led nowhere (unknown, unconfirmed, over a limit) behaves like one that sent a
 * code: the same answers to wrong codes, the same tries, the same lock.
 *
 * A code is bound to its flow (the cookie), 5 tries, single use; the e-mail also carries a link
 * that works in any browser and starts a verified flow there. Then a new password (sign-up
 * policy), all sessions revoked, every other reset secret and flow of the account dead, every
 * channel told. The user signs in afresh.
 */
export function createPasswordResetService(deps: PasswordResetServiceDeps) {
  const { database, clock } = deps;
  const recoveryPhones = createRecoveryPhoneRepository();
  const recoveryEmails = createRecoveryEmailRepository();
  const repository = createPasswordResetFlowRepository();
  const maxAttempts = deps.config.verification.maxAttempts;
  /** Processing that runs after an answer; tests and shutdown wait for it. */
  const inFlight = new Set<Promise<void>>();

  const flowIdOf = (token: string) => sha256Hex(token);
  /** The failure scope of a guessing client: its hourly lock is its own (verification-service.ts failureKey). */
  const scopeOf = (clientKey: string) => sha256Hex(`reset-client|${clientKey}`).slice(0, 16);
  const clientKeyOf = (flow: Pick<PasswordResetFlowRow, 'client_key' | 'ip'>) => flow.client_key ?? clientBucketKey(flow.ip ?? '');
  /**
   * The per-identifier limits' key: Gmail's dots and `+tags` (and the other providers'
   * sub-addresses, contract/email-address.ts) fold into one mailbox, so spelling an address
   * differently never buys a stranger more sends to it.
   */
  const identifierHash = (identifier: Pick<ResetIdentifier, 'kind' | 'normalized'>) =>
    hmacSha256(
      deps.keys.current.key,
      'password-reset-identifier',
      identifier.kind,
      identifier.kind === 'email' ? comparableEmail(identifier.normalized) : identifier.normalized,
    );
  const parseIds = (flow: Pick<PasswordResetFlowRow, 'account_ids'>): string[] => (flow.account_ids ? (JSON.parse(flow.account_ids) as string[]) : []);

  /** The accounts for which this identifier is a confirmed channel (login e-mail, active recovery e-mail or phone). */
  async function ownersOf(trx: Executor, flow: PasswordResetFlowRow): Promise<ChannelOwners | undefined> {
    const value = flow.identifier;
    if (value === null) return undefined;
    if (flow.identifier_kind === 'phone') {
      if (!deps.smsGuard) return undefined;
      const accounts = await trx
        .selectFrom('recovery_phones')
        .innerJoin('accounts', 'accounts.id', 'recovery_phones.account_id')
        .selectAll('accounts')
        .where('recovery_phones.number_e164', '=', value)
        .where('recovery_phones.status', '=', 'active')
        // Only a settled number (recovery/channel-trust.ts): one an intruder added is no way in.
        .where('recovery_phones.settled_at', '<=', clock.now())
        .where('accounts.email_verified_at', 'is not', null)
        .orderBy('accounts.created_at')
        .orderBy('accounts.id')
        .execute();
      return accounts.length > 0 ? { accounts, deliverTo: value } : undefined;
    }
    const byLogin = await trx.selectFrom('accounts').selectAll().where('email_normalized', '=', value).where('email_verified_at', 'is not', null).execute();
    const byRecovery = await trx
      .selectFrom('recovery_emails')
      .innerJoin('accounts', 'accounts.id', 'recovery_emails.account_id')
      .selectAll('accounts')
      .select('recovery_emails.address as recovery_address')
      .where('recovery_emails.address_normalized', '=', value)
      .where('recovery_emails.status', '=', 'active')
      // Only a settled address (recovery/channel-trust.ts): one an intruder added is no way in.
      .where('recovery_emails.settled_at', '<=', clock.now())
      .where('accounts.email_verified_at', 'is not', null)
      .execute();
    const all = [...byLogin, ...byRecovery.map(({ recovery_address: _, ...account }) => account)];
    const unique = all.filter((account, index) => all.findIndex((other) => other.id === account.id) === index);
    unique.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
    const deliverTo = byLogin[0]?.email ?? byRecovery[0]?.recovery_address;
    return unique.length > 0 && deliverTo !== undefined ? { accounts: unique, deliverTo } : undefined;
  }

  /** Whether Lifeline knows this e-mail address in any state (account, unconfirmed sign-up, pending recovery address). */
  async function addressKnown(trx: Executor, normalized: string): Promise<boolean> {
    const account = await trx.selectFrom('accounts').select('id').where('email_normalized', '=', normalized).executeTakeFirst();
    if (account) return true;
    const recovery = await trx.selectFrom('recovery_emails').select('id').where('address_normalized', '=', normalized).executeTakeFirst();
    return recovery !== undefined;
  }

  /**
   * Why nothing is sent although the identifier is a channel, or undefined when the code may
   * go (the identifier's own limit is taken before): the limit per account, the account's failure lock (a new code would only
   * cost a message), and for SMS the per-number cooldown and the confirmed-number budget.
   * Each refusal is neutral: the flow simply leads nowhere, and the log says why.
   */
  async function suppression(trx: Executor, flow: PasswordResetFlowRow, owners: ChannelOwners): Promise<string | undefined> {
    const primary = owners.accounts[0];
    if (!primary) return 'no-account';
    const purpose = CODE_PURPOSE[flow.identifier_kind];
    const clientKey = clientKeyOf(flow);
    // The lock of this client only: a stranger's wrong codes never stop codes to the owner.
    if ((await deps.verification.lockedFor(primary.id, purpose, trx, scopeOf(clientKey))) !== undefined) return 'account-locked';
    if (flow.identifier_kind === 'phone') {
      const last = await deps.verification.lastIssuedTo(trx, purpose, owners.deliverTo);
      if (last !== undefined && clock.now() - last < RESET_RESEND_COOLDOWN_MS) return 'number-cooldown';
    }
    // Per client only: a total per account would let a stranger who knows the login e-mail use
    // up the sends of the owner's other channels too (the identifier's own total stops bombing).
    if (!(await deps.rateLimits.consume('reset-account', `${primary.id}|${clientKey}`)).allowed) return 'account-limit';
    if (flow.identifier_kind === 'phone' && !(await deps.smsGuard?.allowConfirmedSend({ country: flow.country ?? 'ZZ', accountId: primary.id })))
      return 'sms-budget';
    return undefined;
  }

  /** The code (and for e-mail the link) to exactly the channel entered, in the first account's language. */
  async function sendCode(trx: Executor, flow: PasswordResetFlowRow, owners: ChannelOwners): Promise<SecretPurpose> {
    const primary = owners.accounts[0] as AccountRow;
    const accountIds = owners.accounts.map((account) => account.id);
    const purpose = CODE_PURPOSE[flow.identifier_kind];
    const origin = { ip: flow.ip, userAgent: flow.user_agent };
    // Beside the codes of other flows (another browser's, the owner's): each flow has its own.
    const code = await deps.verification.issue(trx, {
      purpose,
      accountId: primary.id,
      target: flow.identifier ?? undefined,
      flowId: flow.id,
      data: { accountIds },
      coexist: true,
    });
    if (flow.identifier_kind === 'phone') {
      await deps.notifier.notify(trx, {
        kind: 'account.password-reset-sms',
        locale: localeOf(primary),
        to: owners.deliverTo,
        accountId: primary.id,
        params: { code: code.secret },
        origin,
        expiresAt: code.expiresAt,
      });
      deps.metrics.smsCodesSent.inc({ country: flow.country ?? 'ZZ', purpose: 'password-reset' });
    } else {
      const link = await deps.verification.issue(trx, {
        purpose: LINK_PURPOSE,
        accountId: primary.id,
        target: flow.identifier ?? undefined,
        flowId: flow.id,
        data: { accountIds },
        coexist: true,
      });
      await deps.notifier.notify(trx, {
        kind: 'account.password-reset-code',
        locale: localeOf(primary),
        to: owners.deliverTo,
        accountId: primary.id,
        params: { code: code.secret, token: link.secret, minutes: purposePolicies[purpose].ttlMs / MINUTE },
        origin,
        expiresAt: code.expiresAt,
      });
    }
    return purpose;
  }

  /** "Someone asked for a reset, but there is no account" to an address known in no state (NOTIFY_UNKNOWN_RECIPIENTS). */
  async function tellUnknownAddress(trx: Executor, flow: PasswordResetFlowRow): Promise<void> {
    if (!deps.config.passwordReset.notifyUnknownRecipients || flow.identifier_kind !== 'email' || flow.identifier === null) return;
    if (await addressKnown(trx, flow.identifier)) return;
    if (!(await deps.rateLimits.consume('reset-unknown-notice', flow.identifier_hash)).allowed) return;
    const locale = isLocale(flow.locale) ? flow.locale : 'de';
    await deps.notifier.notify(trx, { kind: 'account.password-reset-unknown', locale, to: flow.identifier, params: {} });
  }

  /**
   * Decides what a flow leads to and sends its code, after the answer went out. Idempotent:
   * the claim is one conditional UPDATE, so the request's own run and the worker's never both
   * act. Lock order on PostgreSQL: this flow, then its new secrets (issued beside other flows'
   * secrets, so no account lock is taken; docs/architecture.md "Forgot password").
   */
  async function process(flowId: string, deviceToken?: string): Promise<void> {
    await inTransaction(database, async (trx) => {
      const now = clock.now();
      const flow = await repository.claim(trx, flowId, now);
      if (!flow) return;
      // Keyed by the submitted value whether or not it leads anywhere (docs/security.md): per
      // client, and for all clients together unless the browser is one the account knows.
      const perClient = (await deps.rateLimits.consume('reset-identifier', `${flow.identifier_hash}|${clientKeyOf(flow)}`)).allowed;
      const owners = await ownersOf(trx, flow);
      const knownDevice = owners?.accounts[0] !== undefined && (await knownBrowser(trx, owners.accounts[0].id, deviceToken));
      // Refused for this client already: the shared count is not touched (the owner's sends stay).
      const total = !perClient || knownDevice || (await deps.rateLimits.consume('reset-identifier-total', flow.identifier_hash)).allowed;
      const identifierAllowed = perClient && total;
      let outcome: Pick<PasswordResetFlowRow, 'channel' | 'account_ids' | 'secret_purpose' | 'secret_account_id' | 'identifier'> = {
        channel: null,
        account_ids: null,
        secret_purpose: null,
        secret_account_id: null,
        // An identifier that leads nowhere is not kept (it may be a stranger's address).
        identifier: null,
      };
      if (owners === undefined) {
        if (identifierAllowed) await tellUnknownAddress(trx, flow);
        deps.logger.info(
          { event: 'password_reset.requested', outcome: 'no-channel', kind: flow.identifier_kind },
          'password reset requested for no confirmed channel',
        );
      } else {
        const primary = owners.accounts[0] as AccountRow;
        const refused = identifierAllowed ? await suppression(trx, flow, owners) : perClient ? 'identifier-total-limit' : 'identifier-limit';
        if (refused !== undefined) {
          deps.logger.warn(
            { event: 'password_reset.send_suppressed', reason: refused, accountId: primary.id, kind: flow.identifier_kind },
            'password reset code not sent',
          );
          await deps.securityLog.record(trx, {
            accountId: primary.id,
            type: 'password_reset.suppressed',
            origin: { ip: flow.ip, userAgent: flow.user_agent },
            details: { reason: refused },
          });
        } else {
          const purpose = await sendCode(trx, flow, owners);
          outcome = {
            channel: channelOf(flow, primary),
            account_ids: JSON.stringify(owners.accounts.map((account) => account.id)),
            secret_purpose: purpose,
            secret_account_id: primary.id,
            identifier: flow.identifier,
          };
          deps.logger.info(
            { event: 'password_reset.requested', outcome: 'sent', accountId: primary.id, kind: flow.identifier_kind, accounts: owners.accounts.length },
            'password reset code sent',
          );
          for (const account of owners.accounts) {
            await deps.securityLog.record(trx, {
              accountId: account.id,
              type: 'password_reset.requested',
              origin: { ip: flow.ip, userAgent: flow.user_agent },
              details: { channel: channelOf(flow, account) },
            });
          }
        }
      }
      // Earlier flows of the identifier stay: only the browser's own earlier flow ended (request).
      await repository.recordOutcome(trx, flow.id, outcome);
    });
  }

  /** Runs `process` after the answer, remembering it so that tests and shutdown can wait. */
  function processSoon(flowId: string, deviceToken?: string): void {
    // Not a statement in the answer's own tick: on SQLite a query runs synchronously, and the
    // caller's answer must be complete before any work that depends on the identifier starts.
    // The device cookie stays in memory (the worker, picking up a stale flow, has none: it then
    // counts as an unknown browser).
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => process(flowId, deviceToken))
      .catch((error: unknown) => {
        // The worker picks the flow up again (it is still unprocessed: the transaction rolled back).
        deps.logger.error({ event: 'password_reset.process_failed', err: (error as Error).message }, 'password reset flow not processed');
      });
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  function channelOf(flow: Pick<PasswordResetFlowRow, 'identifier_kind' | 'identifier'>, account: Pick<AccountRow, 'email_normalized'>): ResetChannel {
    if (flow.identifier_kind === 'phone') return 'recovery-phone';
    return flow.identifier === account.email_normalized ? 'login-email' : 'recovery-email';
  }

  /** The flow of this cookie, if it is still open (not expired, replaced or used). */
  async function openFlow(token: string | undefined): Promise<PasswordResetFlowRow | undefined> {
    if (!token || token.length > 128) return undefined;
    const flow = await repository.find(database.db, flowIdOf(token));
    if (!flow || flow.expires_at <= clock.now() || flow.used_at !== null || flow.superseded_at !== null) return undefined;
    return flow;
  }

  /** The account list of a verified flow, masked, when there is a choice to make. */
  async function choices(accountIds: readonly string[]): Promise<AccountChoice[] | undefined> {
    if (accountIds.length < 2) return undefined;
    const rows = await database.db
      .selectFrom('accounts')
      .select(['id', 'email', 'created_at'])
      .where('id', 'in', [...accountIds])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ id: row.id, maskedEmail: maskEmail(row.email) }));
  }

  /**
   * On a right code or link: the flow's other secret dies (code and link of one request go
   * together); other flows' secrets stay (a reset ends them). The channel must still be one of
   * the accounts' (an undo or a removal may have taken it since the code went out): answers the
   * accounts it still reaches, or refuses.
   */
  async function onVerified(trx: Executor, secret: RedeemedSecret, flow: Pick<PasswordResetFlowRow, 'identifier' | 'identifier_kind'>): Promise<string[]> {
    if (secret.flowId !== null) await deps.verification.retireFlow(trx, secret.flowId, RESET_PURPOSES);
    const ids = (secret.data.accountIds as string[] | undefined) ?? [secret.accountId];
    const reached: string[] = [];
    for (const id of ids) {
      const account = await deps.accounts.findById(trx, id);
      if (account && (await reachedChannel(trx, account, flow)) !== undefined) reached.push(id);
    }
    if (reached.length === 0) throw new LifelineError('code-expired');
    return reached;
  }

  /**
   * The channel a flow went through, if it is still a settled channel of `account` (the login
   * e-mail, or a recovery address or number settled: recovery/channel-trust.ts), else undefined.
   */
  async function reachedChannel(
    trx: Executor,
    account: AccountRow,
    flow: Pick<PasswordResetFlowRow, 'identifier' | 'identifier_kind'>,
  ): Promise<ResetChannel | undefined> {
    if (flow.identifier === null) return undefined;
    const now = clock.now();
    if (flow.identifier_kind === 'phone') {
      const phone = await recoveryPhones.active(trx, account.id);
      return phone?.number_e164 === flow.identifier && isSettledAt(phone, now) ? 'recovery-phone' : undefined;
    }
    if (account.email_normalized === flow.identifier && account.email_verified_at !== null) return 'login-email';
    const email = await recoveryEmails.active(trx, account.id);
    return email?.address_normalized === flow.identifier && isSettledAt(email, now) ? 'recovery-email' : undefined;
  }

  /**
   * Whether the browser is one the account knows and trusts: its device cookie names the
   * account's first device or one older than HOLD_NEW_DEVICE_DAYS (a device an intruder signed
   * in with days ago is no "known browser").
   */
  async function knownBrowser(trx: Executor, accountId: string, deviceToken: string | undefined): Promise<boolean> {
    const deviceId = await deps.devices.recognise(accountId, deviceToken, trx);
    if (deviceId === undefined) return false;
    return (await deviceStanding(trx, { accountId, deviceId, now: clock.now(), newDeviceMs: deps.config.hold.newDeviceMs })) !== 'new';
  }

  /**
   * A wrong code in a flow that sent none: the same answers as the verification service gives
   * for a real one (tries, then used up; the hourly failures of the identifier, in flows with a
   * code or without, lock for an hour from the last, as 10 failures of an account do).
   */
  async function guessWithoutCode(flow: PasswordResetFlowRow, code: string): Promise<never> {
    // The lock of this client and identifier only (as a real flow's is this client's and account's).
    const kind = flow.identifier_kind === 'phone' ? 'digits6' : 'crockford8';
    const normalised = normaliseCode(kind, code);
    if (normalised === undefined) throw new LifelineError('validation-failed', { field: 'code' });
    deps.verification.hashLikeASecret(CODE_PURPOSE[flow.identifier_kind], normalised);
    const error = await inTransaction<LifelineError>(database, async (trx) => {
      const now = clock.now();
      const failures = await repository.failuresSince(trx, flow.identifier_hash, flow.client_key, now - FAILURE_WINDOW_MS);
      if (failures.count >= deps.config.verification.maxFailuresPerHour && failures.last !== null) {
        return new LifelineError('too-many-attempts', {}, { retryAfterSeconds: Math.max(1, Math.ceil((failures.last + FAILURE_WINDOW_MS - now) / 1000)) });
      }
      const left = await repository.takeAttempt(trx, flow.id, now);
      return left === undefined ? new LifelineError('code-expired') : new LifelineError('wrong-code', { triesLeft: left });
    });
    deps.logger.info({ event: 'password_reset.code_rejected', reason: error.code, accountId: null }, 'password reset code rejected');
    throw error;
  }

  /** Writes a new flow for an identifier (processed after the answer, or at once for support). */
  async function startFlow(identifier: ResetIdentifier, input: ForgotRequest): Promise<{ flowToken: string; flowId: string; expiresAt: number }> {
    const now = clock.now();
    const clientKey = clientBucketKey(input.client.ip);
    // This browser's own earlier flow ends (its secrets first: the lock order of verify), unless
    // verified; the same work whatever the identifiers are. Other browsers' flows stay.
    // (A verified flow's secrets are used up already, so retiring them changes nothing.)
    if (input.previousFlowToken && input.previousFlowToken.length <= 128) {
      const previousId = flowIdOf(input.previousFlowToken);
      await deps.verification.retireFlow(database.db, previousId, RESET_PURPOSES);
      await repository.supersedeUnverified(database.db, previousId, now);
    }
    const flowToken = randomToken(32);
    const flowId = flowIdOf(flowToken);
    await repository.insert(database.db, {
      id: flowId,
      identifier_hash: identifierHash(identifier),
      identifier_kind: identifier.kind,
      identifier: identifier.normalized,
      country: identifier.kind === 'phone' ? identifier.country : null,
      locale: input.locale,
      ip: input.client.ip,
      client_key: clientKey,
      user_agent: input.client.userAgent?.slice(0, 512) ?? null,
      created_at: now,
      expires_at: now + FLOW_TTL_MS,
      processed_at: null,
      channel: null,
      account_ids: null,
      secret_purpose: null,
      secret_account_id: null,
      attempts_left: maxAttempts,
      last_failure_at: null,
      superseded_at: null,
      verified_at: null,
      used_at: null,
    });
    return { flowToken, flowId, expiresAt: now + FLOW_TTL_MS };
  }

  return {
    /**
     * POST /password/forgot: parse (a malformed entry is a 4xx), limit per client (429), write
     * the flow; everything else happens after the answer (`processSoon`). Returns the cookie.
     */
    async request(input: ForgotRequest): Promise<{ flowToken: string; flowId: string; expiresAt: number }> {
      const identifier = parseResetIdentifier(input.identifier, input.country, deps.config.sms);
      await deps.rateLimits.enforce('reset-client', clientBucketKey(input.client.ip));
      return startFlow(identifier, input);
    },

    /**
     * The back office's "send a reset link" (admin API, `lifeline account send-reset`): a flow for
     * the account's login e-mail, processed before this returns, so the code and the
     * `/reset-password?token=` link are queued to that address. Nobody gets the flow's cookie:
     * the link works in whichever browser the owner opens it. The per-address limits apply as to
     * any request (a back office cannot flood a mailbox); the per-client one does not (the back
     * office is one client for all its users). The password stays valid until the owner resets it.
     */
    async requestForSupport(input: { email: string; locale: Locale; client: ClientInfo }): Promise<void> {
      const identifier = parseResetIdentifier(input.email, undefined, deps.config.sms);
      const { flowId } = await startFlow(identifier, { ...input, identifier: input.email, country: undefined, previousFlowToken: undefined });
      await process(flowId);
    },

    processSoon,
    process,

    /** Waits for the processing started after answers (tests; a graceful shutdown). */
    async drain(): Promise<void> {
      // An answer's onResponse hook (which starts the processing) may still be due.
      await new Promise((resolve) => setImmediate(resolve));
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },

    /** Worker: flows whose processing did not happen after the answer (the instance stopped). */
    async processStale(): Promise<number> {
      const ids = await repository.unprocessedBefore(database.db, clock.now() - STALE_FLOW_MS, 100);
      for (const id of ids) await process(id);
      return ids.length;
    },

    /** GET /password/forgot: where this browser's flow stands (the page resumes there after a reload). */
    async status(token: string | undefined): Promise<FlowStatus> {
      const flow = await openFlow(token);
      if (!flow) return { stage: 'none' };
      const channel = flow.identifier_kind === 'phone' ? 'sms' : 'email';
      if (flow.verified_at !== null) {
        if (flow.verified_at + VERIFIED_TTL_MS <= clock.now()) return { stage: 'none' };
        const accounts = await choices(parseIds(flow));
        return { stage: 'verified', channel, ...(accounts ? { accounts } : {}) };
      }
      return { stage: 'code-sent', channel, resendAvailableAt: new Date(flow.created_at + RESET_RESEND_COOLDOWN_MS).toISOString() };
    },

    /**
     * POST /password/forgot/verify with a code: only in the flow it was sent for (the cookie).
     * A flow that sent nothing answers exactly like one that did.
     */
    async verifyCode(token: string | undefined, code: string): Promise<{ accounts?: AccountChoice[] }> {
      let flow = await openFlow(token);
      if (!flow) throw new LifelineError('code-expired');
      if (flow.processed_at === null) {
        await process(flow.id);
        flow = await openFlow(token);
        if (!flow) throw new LifelineError('code-expired');
      }
      if (flow.verified_at !== null) throw new LifelineError('code-expired');
      const { secret_purpose: purpose, secret_account_id: accountId } = flow;
      if (purpose === null || accountId === null) return guessWithoutCode(flow, code);
      const flowId = flow.id;
      try {
        // Wrong codes lock the client that asked for this flow only (a stranger's guesses never
        // lock the owner's flow), as flows without a code count per identifier and that client:
        // the same answers whether or not the identifier has an account.
        const failureScope = scopeOf(clientKeyOf(flow));
        // The account first (PostgreSQL lock order): an undo takes it, then the account's secrets
        // (this code and its link among them) and flows; verify retires its flow's link too.
        const lockAccount = async (trx: Executor) => {
          await deps.accounts.findByIdForUpdate(trx, accountId, database.dialect === 'postgres');
        };
        const accountIds = await deps.verification.redeemCode(
          { purpose: purpose as SecretPurpose, accountId, code, flowId, failureScope, lockFirst: lockAccount },
          async (trx, secret) => {
            if (!(await repository.markVerified(trx, flowId, clock.now()))) throw new LifelineError('code-expired');
            const reached = await onVerified(trx, secret, flow);
            await repository.narrowAccounts(trx, flowId, reached);
            return reached;
          },
        );
        // Sent vs confirmed per country: the conversion rate that falls when someone pumps SMS.
        if (flow.identifier_kind === 'phone') deps.metrics.smsCodesConfirmed.inc({ country: flow.country ?? 'ZZ', purpose: 'password-reset' });
        const accounts = await choices(accountIds);
        return accounts ? { accounts } : {};
      } catch (error) {
        // Counted for the identifier too: when the account's lock stops codes from being sent,
        // the next flow has none, and its guesses must meet the same lock (guessWithoutCode).
        if (isLifelineError(error) && error.code === 'wrong-code') await repository.recordFailure(database.db, flowId, clock.now());
        if (isLifelineError(error))
          deps.logger.info({ event: 'password_reset.code_rejected', reason: refusalReason(error), accountId }, 'password reset code rejected');
        throw error;
      }
    },

    /**
     * POST /password/forgot/verify with the e-mail's link token: it alone proves access to the
     * mailbox, so it works in any browser and starts a verified flow there (a new cookie).
     */
    async verifyLink(linkToken: string, client: ClientInfo): Promise<{ flowToken: string; expiresAt: number; accounts?: AccountChoice[] }> {
      const flowToken = randomToken(32);
      let accountIds: string[];
      try {
        accountIds = await deps.verification.redeemLink({ purpose: LINK_PURPOSE, token: linkToken, lockAccountFirst: true }, async (trx, secret) => {
          const target = secret.target ?? '';
          const ids = await onVerified(trx, secret, { identifier: target, identifier_kind: 'email' });
          const now = clock.now();
          await repository.insert(trx, {
            id: flowIdOf(flowToken),
            identifier_hash: identifierHash({ kind: 'email', normalized: target }),
            identifier_kind: 'email',
            identifier: target,
            country: null,
            locale: 'de',
            ip: client.ip,
            client_key: clientBucketKey(client.ip),
            user_agent: client.userAgent?.slice(0, 512) ?? null,
            created_at: now,
            expires_at: now + VERIFIED_TTL_MS,
            processed_at: now,
            channel: null,
            account_ids: JSON.stringify(ids),
            secret_purpose: LINK_PURPOSE,
            secret_account_id: secret.accountId,
            attempts_left: 0,
            last_failure_at: null,
            superseded_at: null,
            verified_at: now,
            used_at: null,
          });
          return ids;
        });
      } catch (error) {
        if (isLifelineError(error) && ['invalid-or-expired', 'code-used-up', 'too-many-attempts', 'code-expired'].includes(error.code))
          throw new LifelineError('link-expired');
        throw error;
      }
      const accounts = await choices(accountIds);
      return { flowToken, expiresAt: clock.now() + VERIFIED_TTL_MS, ...(accounts ? { accounts } : {}) };
    },

    /**
     * POST /password/reset: the verified flow sets a new password (sign-up policy) for its
     * account (or the chosen one), once. All sessions end, every other reset secret and flow of
     * the account dies, a blocked sign-in is unblocked, every channel is told. No session.
     */
    async reset(token: string | undefined, input: { password: string; accountId: string | undefined; client: ClientInfo }): Promise<void> {
      const flow = await openFlow(token);
      if (!flow || flow.verified_at === null || flow.verified_at + VERIFIED_TTL_MS <= clock.now()) throw new LifelineError('reset-expired');
      const accountIds = parseIds(flow);
      if (input.accountId !== undefined && !accountIds.includes(input.accountId)) throw new LifelineError('validation-failed', { field: 'accountId' });
      if (input.accountId === undefined && accountIds.length > 1) throw new LifelineError('account-required');
      const accountId = input.accountId ?? accountIds[0];
      const account = accountId === undefined ? undefined : await deps.accounts.findById(database.db, accountId);
      if (!account) throw new LifelineError('reset-expired');
      const refusal = checkNewPassword(input.password, { email: account.email_normalized, appName: deps.config.appName });
      if (refusal) throw new LifelineError(refusal);
      // Off the event loop (the hasher's thread pool), before the transaction holds any lock.
      const passwordHash = await deps.hasher.hash(input.password);
      await inTransaction(database, async (trx) => {
        const now = clock.now();
        // Lock order on PostgreSQL: the account, then the flow (an undo takes the account, then
        // the account's secrets and flows; the other order deadlocked with it).
        const current = await deps.accounts.findByIdForUpdate(trx, account.id, database.dialect === 'postgres');
        if (!current) throw new LifelineError('reset-expired');
        if (!(await repository.markUsed(trx, flow.id, now))) throw new LifelineError('reset-expired');
        // The channel must still be the account's, and settled: an undo or a removal since the code ends the flow.
        const reached = await reachedChannel(trx, current, flow);
        if (!reached) throw new LifelineError('reset-expired');
        // What was not settled goes (read before the held changes end, which drop held rows).
        const channels = await channelRowsOf(trx, account.id);
        await deps.accounts.update(trx, account.id, { password_hash: passwordHash, password_changed_at: now, password_reset_required: 0 }, now);
        const revoked = await deps.sessions.revokeAll(trx, account.id);
        await deps.verification.invalidate(trx, account.id, [...RESET_PURPOSES, 'login-email-change', 'login-email-change-cancel']);
        await repository.supersedeForAccount(trx, account.id, flow.id, now);
        // The reset came through a settled channel (the only kind that resets): the owner is back
        // in control. What waits ends (a login-e-mail change, a scheduled deletion, every held
        // change), and so does every open action verification; every channel that is not settled
        // goes — an intruder's channel would otherwise settle later and be his way back
        // (docs/security.md "The owner wins").
        await endWaitingChanges(trx, { ...deps, clock }, current, input.client);
        await deps.actionVerifications.failOpen(trx, account.id, now);
        const removed = await removeUnsettledChannels(trx, account.id, now, channels, { keepRestored: true });
        await tellEveryChannel(trx, current, reached, flow.identifier, input.client, now, removed);
        await deps.securityLog.record(trx, {
          accountId: account.id,
          type: 'sessions.revoked_by_password_reset',
          origin: input.client,
          details: { count: revoked },
        });
        deps.logger.info(
          { event: 'password_reset.completed', accountId: account.id, channel: reached, sessionsRevoked: revoked, channelsRemoved: removed.length },
          'password reset through a recovery channel',
        );
      });
    },

    /** Housekeeping: flows past their end go after a day (the security log keeps what happened). */
    async prune(): Promise<number> {
      return inTransaction(database, (trx) => repository.prune(trx, clock.now() - 24 * 60 * MINUTE));
    },
  };

  /**
   * The reset notice to every channel of the account: its login and recovery e-mail (the
   * catalogue's `account` audience) and, by a short SMS without a link, its recovery phone.
   * It names the channel that was used, when and from where (docs/reference/security-requirements.md 3.14).
   */
  async function tellEveryChannel(
    trx: Executor,
    account: AccountRow,
    channel: ResetChannel,
    identifier: string | null,
    client: ClientInfo,
    now: number,
    removed: readonly RemovedChannel[],
  ): Promise<void> {
    const locale = localeOf(account);
    const details = changeDetails(deps.translator, account, client, now);
    const shown = identifier === null ? '' : channel === 'recovery-phone' ? maskNumber(identifier) : identifier;
    const via = deps.translator.text(locale, `mail.password-reset.channels.${channel}`, { target: shown });
    const list = removed.map(describeRemoved).join(', ');
    const removedText = removed.length > 0 ? deps.translator.text(locale, 'mail.password-reset.removed', { list }) : '';
    await deps.notifier.notify(trx, {
      kind: 'account.password-reset',
      locale,
      accountId: account.id,
      params: { ...details, via, removed: removedText },
      origin: client,
      details: { channel, ...(removed.length > 0 ? { removed: list } : {}) },
      undo: { restore: {} },
    });
    const phone = await recoveryPhones.active(trx, account.id);
    if (phone && deps.smsGuard && (await deps.smsGuard.allowConfirmedSend({ country: phone.country, accountId: account.id }))) {
      await deps.notifier.notify(trx, {
        kind: 'account.password-reset-sms-notice',
        locale,
        to: phone.number_e164,
        accountId: account.id,
        params: { when: details.when },
      });
    }
  }
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
