import { MINUTE } from '../../core/clock.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow, PasswordResetFlowRow, ResetChannel } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import { isLocale } from '../../i18n/translator.js';
import { purposePolicies, type SecretPurpose } from '../../one-time-secrets/purposes.js';
import { localeOf } from '../notice-context.js';
import { CODE_PURPOSE, LINK_PURPOSE, RESET_RESEND_COOLDOWN_MS, type FlowContext } from './flow-context.js';

/** The worker takes flows whose processing after the answer has not happened within this time. */
const STALE_FLOW_MS = 30_000;

/** Who a channel belongs to: the accounts (oldest first) and the address the code goes to. */
interface ChannelOwners {
  readonly accounts: readonly AccountRow[];
  /** The address as stored (what the message goes to); the E.164 number for a phone. */
  readonly deliverTo: string;
}

/** The deferred half of "Passwort vergessen?": what a flow leads to, decided after the answer. */
export interface FlowProcessing {
  process(flowId: string, deviceToken?: string): Promise<void>;
  processSoon(flowId: string, deviceToken?: string): void;
  drain(): Promise<void>;
  processStale(): Promise<number>;
}

/**
 * process: looks the identifier up (settled channels only), applies the neutral limits, sends
 * the code (and for email the link) and records the outcome on the flow — after the answer has
 * gone, so that neither its content nor its timing tells whether the identifier leads anywhere
 * (docs/reference/security-requirements.md 3.1, 3.2; docs/architecture.md "Forgot password").
 */
export function createFlowProcessing(context: FlowContext): FlowProcessing {
  const { deps, clientKeyOf, scopeOf } = context;
  const { database, clock } = deps;
  /** Processing that runs after an answer; tests and shutdown wait for it. */
  const inFlight = new Set<Promise<void>>();

  /** The accounts for which this identifier is a confirmed channel (login email, active recovery email or phone). */
  async function ownersOf(trx: Executor, flow: PasswordResetFlowRow): Promise<ChannelOwners | undefined> {
    const value = flow.identifier;
    if (value === null) return undefined;
    if (flow.identifier_kind === 'phone') {
      if (!deps.smsGuard) return undefined;
      // Only a settled number (recovery/channel-trust.ts): one an intruder added is no way in.
      const accounts = await deps.channelOwners.accountsBySettledPhone(trx, value, clock.now());
      return accounts.length > 0 ? { accounts, deliverTo: value } : undefined;
    }
    const login = await deps.accounts.findByEmail(trx, value);
    const byLogin = login && login.email_verified_at !== null ? [login] : [];
    // Only a settled address (recovery/channel-trust.ts): one an intruder added is no way in.
    const byRecovery = await deps.channelOwners.accountsBySettledRecoveryEmail(trx, value, clock.now());
    const all = [...byLogin, ...byRecovery.map(({ recovery_address: _, ...account }) => account)];
    const unique = all.filter((account, index) => all.findIndex((other) => other.id === account.id) === index);
    unique.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
    const deliverTo = byLogin[0]?.email ?? byRecovery[0]?.recovery_address;
    return unique.length > 0 && deliverTo !== undefined ? { accounts: unique, deliverTo } : undefined;
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
    // Per client only: a total per account would let a stranger who knows the login email use
    // up the sends of the owner's other channels too (the identifier's own total stops bombing).
    if (!(await deps.rateLimits.consume('reset-account', `${primary.id}|${clientKey}`)).allowed) return 'account-limit';
    if (flow.identifier_kind === 'phone' && !(await deps.smsGuard?.allowConfirmedSend({ country: flow.country ?? 'ZZ', accountId: primary.id })))
      return 'sms-budget';
    return undefined;
  }

  /** The code (and for email the link) to exactly the channel entered, in the first account's language. */
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
        // A recovery address several accounts share resets any of them: the mail names each.
        accountEmails: owners.accounts.map((account) => account.email),
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
    if (await deps.channelOwners.addressKnown(trx, flow.identifier)) return;
    if (!(await deps.rateLimits.consume('reset-unknown-notice', flow.identifier_hash)).allowed) return;
    const locale = isLocale(flow.locale) ? flow.locale : 'de';
    await deps.notifier.notify(trx, { kind: 'account.password-reset-unknown', locale, to: flow.identifier, params: {} });
  }

  /**
   * Whether the browser is one the account knows and trusts: its device cookie names the
   * account's first device or one older than HOLD_NEW_DEVICE_DAYS (a device an intruder signed
   * in with days ago is no "known browser").
   */
  async function knownBrowser(trx: Executor, accountId: string, deviceToken: string | undefined): Promise<boolean> {
    const deviceId = await deps.devices.recognise(accountId, deviceToken, trx);
    if (deviceId === undefined) return false;
    return (await deps.devices.standing(trx, { accountId, deviceId, now: clock.now(), newDeviceMs: deps.config.hold.newDeviceMs })) !== 'new';
  }

  function channelOf(flow: Pick<PasswordResetFlowRow, 'identifier_kind' | 'identifier'>, account: Pick<AccountRow, 'email_normalized'>): ResetChannel {
    if (flow.identifier_kind === 'phone') return 'recovery-phone';
    return flow.identifier === account.email_normalized ? 'login-email' : 'recovery-email';
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
      const flow = await deps.flows.claim(trx, flowId, now);
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
      await deps.flows.recordOutcome(trx, flow.id, outcome);
    });
  }

  return {
    process,

    /** Runs `process` after the answer, remembering it so that tests and shutdown can wait. */
    processSoon(flowId, deviceToken) {
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
    },

    async drain() {
      // An answer's onResponse hook (which starts the processing) may still be due.
      await new Promise((resolve) => setImmediate(resolve));
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },

    async processStale() {
      const ids = await deps.flows.unprocessedBefore(database.db, clock.now() - STALE_FLOW_MS, 100);
      for (const id of ids) await process(id);
      return ids.length;
    },
  };
}
