import { LifelineError, isLifelineError } from '../../core/errors.js';
import { randomToken } from '../../core/random.js';
import type { Executor } from '../../db/database.js';
import type { PasswordResetFlowRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import type { RedeemedSecret } from '../../one-time-secrets/one-time-secret-service.js';
import type { SecretPurpose } from '../../one-time-secrets/purposes.js';
import { normaliseCode } from '../../one-time-secrets/secret-format.js';
import { refusalReason } from '../../one-time-secrets/secret-refusals.js';
import { clientBucketKey } from '../../security/client-address.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { normaliseRecoveryCode } from '../codes/recovery-code-format.js';
import { CODE_PURPOSE, FAILURE_WINDOW_MS, LINK_PURPOSE, RESET_PURPOSES, type AccountChoice, type FlowContext, type ReachedFlow } from './flow-context.js';
import type { FlowProcessing } from './process.js';
import { flowState, nextStates, VERIFIED_TTL_MS } from './state.js';

/** The proof of access to a channel: the code in the flow's browser, or the email's link in any; or a recovery code. */
export interface FlowVerification {
  verifyCode(token: string | undefined, code: string): Promise<{ accounts?: AccountChoice[] }>;
  verifyRecoveryCode(token: string | undefined, code: string, client: ClientInfo): Promise<{ accounts?: AccountChoice[] }>;
  verifyLink(linkToken: string, client: ClientInfo): Promise<{ flowToken: string; expiresAt: number; accounts?: AccountChoice[] }>;
}

/**
 * verify: a code only in the flow it was sent for (wrong codes counted for the client that asked
 * for the flow, so a stranger's guesses lock only the stranger); a flow that sent nothing answers
 * exactly like one that did. The email's link works in any browser and starts a verified flow
 * there. Either way the channel must still be a settled channel of the accounts. A recovery code
 * verifies a flow of the account's login email, under the tries and locks of the flow's own code.
 */
export function createFlowVerification(context: FlowContext, processing: Pick<FlowProcessing, 'process'>): FlowVerification {
  const { deps, openFlow, scopeOf, clientKeyOf, choices, reachedChannel, flowIdOf, identifierHash, parseIds } = context;
  const { database, clock } = deps;
  const lockAccount = async (trx: Executor, accountId: string): Promise<void> => {
    await deps.accounts.findByIdForUpdate(trx, accountId, database.dialect === 'postgres');
  };

  /** The flow of this cookie if it waits for a code (processed on demand first); a verified or dead one is 410. */
  async function waitingFlow(token: string | undefined): Promise<PasswordResetFlowRow> {
    let flow = await openFlow(token);
    if (!flow) throw new LifelineError('code-expired');
    if (flowState(flow, clock.now()) === 'requested') {
      await processing.process(flow.id);
      flow = await openFlow(token);
      if (!flow) throw new LifelineError('code-expired');
    }
    // Only a flow waiting for its code takes one (state.ts: code-sent, no-code); a verified one is done.
    if (nextStates(flowState(flow, clock.now()), 'wrong-code').length === 0) throw new LifelineError('code-expired');
    return flow;
  }

  /**
   * A guess in a flow with a code: a wrong one is counted for the identifier too (when the
   * account's lock stops codes from being sent, the next flow has none, and its guesses must meet
   * the same lock: guessWithoutCode), and every refusal is logged with its cause.
   */
  async function guessing<T>(flowId: string, accountId: string, guess: () => Promise<T>): Promise<T> {
    try {
      return await guess();
    } catch (error) {
      if (isLifelineError(error) && error.code === 'wrong-code') await deps.flows.recordFailure(database.db, flowId, clock.now());
      // The secret service's cause (code-incorrect, code-used-up, invalid-or-expired) where it gives one.
      if (isLifelineError(error))
        deps.logger.info({ event: 'password_reset.code_rejected', reason: refusalReason(error), accountId }, 'password reset code rejected');
      throw error;
    }
  }

  /** The account whose verified login email is the flow's identifier (a flow for a recovery address or number has none). */
  async function loginAccountOf(flow: PasswordResetFlowRow): Promise<string | undefined> {
    if (flow.identifier_kind !== 'email' || flow.identifier === null) return undefined;
    const account = await deps.accounts.findByEmail(database.db, flow.identifier);
    return account && account.email_verified_at !== null && parseIds(flow).includes(account.id) ? account.id : undefined;
  }

  /**
   * On a right code or link: the flow's other secret dies (code and link of one request go
   * together); other flows' secrets stay (a reset ends them). The channel must still be one of
   * the accounts' (an undo or a removal may have taken it since the code went out): answers the
   * accounts it still reaches, or refuses.
   */
  async function onVerified(trx: Executor, secret: RedeemedSecret, flow: ReachedFlow): Promise<string[]> {
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
   * A wrong code in a flow that sent none: the same answers as the verification service gives
   * for a real one (tries, then used up; the hourly failures of the identifier, in flows with a
   * code or without, lock for an hour from the last, as 10 failures of an account do).
   */
  async function guessWithoutCode(flow: PasswordResetFlowRow, hashWork: () => void): Promise<never> {
    // The hashing a real guess does; then the lock of this client and identifier only (as a real flow's is this client's and account's).
    hashWork();
    const error = await inTransaction<LifelineError>(database, async (trx) => {
      const now = clock.now();
      const failures = await deps.flows.failuresSince(trx, flow.identifier_hash, flow.client_key, now - FAILURE_WINDOW_MS);
      if (failures.count >= deps.config.verification.maxFailuresPerHour && failures.last !== null) {
        return new LifelineError('too-many-attempts', {}, { retryAfterSeconds: Math.max(1, Math.ceil((failures.last + FAILURE_WINDOW_MS - now) / 1000)) });
      }
      const left = await deps.flows.takeAttempt(trx, flow.id, now);
      return left === undefined ? new LifelineError('code-expired') : new LifelineError('wrong-code', { triesLeft: left });
    });
    deps.logger.info({ event: 'password_reset.code_rejected', reason: error.code, accountId: null }, 'password reset code rejected');
    throw error;
  }

  return {
    async verifyCode(token, code) {
      const flow = await waitingFlow(token);
      const { secret_purpose: purpose, secret_account_id: accountId } = flow;
      if (purpose === null || accountId === null) {
        const normalised = normaliseCode(flow.identifier_kind === 'phone' ? 'digits6' : 'crockford8', code);
        if (normalised === undefined) throw new LifelineError('validation-failed', { field: 'code' });
        return guessWithoutCode(flow, () => deps.verification.hashLikeASecret(CODE_PURPOSE[flow.identifier_kind], normalised));
      }
      const flowId = flow.id;
      const accountIds = await guessing<string[]>(flowId, accountId, () =>
        // Wrong codes lock the client that asked for this flow only (a stranger's guesses never
        // lock the owner's flow), as flows without a code count per identifier and that client:
        // the same answers whether or not the identifier has an account. The account first
        // (PostgreSQL lock order): an undo takes it, then the account's secrets (this code and
        // its link among them) and flows; verify retires its flow's link too.
        deps.verification.redeemCode(
          {
            purpose: purpose as SecretPurpose,
            accountId,
            code,
            flowId,
            failureScope: scopeOf(clientKeyOf(flow)),
            lockFirst: (trx) => lockAccount(trx, accountId),
          },
          async (trx, secret) => {
            if (!(await deps.flows.markVerified(trx, flowId, clock.now()))) throw new LifelineError('code-expired');
            const reached = await onVerified(trx, secret, flow);
            await deps.flows.narrowAccounts(trx, flowId, reached);
            return reached;
          },
        ),
      );
      // Sent vs confirmed per country: the conversion rate that falls when someone pumps SMS.
      if (flow.identifier_kind === 'phone') deps.metrics.smsCodesConfirmed.inc({ country: flow.country ?? 'ZZ', purpose: 'password-reset' });
      const accounts = await choices(accountIds);
      return accounts ? { accounts } : {};
    },

    async verifyRecoveryCode(token, typed, client) {
      const flow = await waitingFlow(token);
      const code = normaliseRecoveryCode(typed);
      if (code === undefined) throw new LifelineError('validation-failed', { field: 'recoveryCode' });
      const { secret_purpose: purpose, secret_account_id: accountId } = flow;
      if (purpose === null || accountId === null) return guessWithoutCode(flow, () => deps.recoveryCodes.hashLikeACode(code));
      // Only the account whose login email started the flow: for a recovery address or number
      // every recovery code is a wrong code, as it is for an address of no account.
      const ownerId = await loginAccountOf(flow);
      const flowId = flow.id;
      await guessing(flowId, accountId, () =>
        // The tries and the lock of the flow's own code (this client's): guessing recovery codes
        // costs what guessing the mailed code costs. The accounts first (lock order as above).
        deps.verification.redeemCodeByProof(
          {
            purpose: purpose as SecretPurpose,
            accountId,
            flowId,
            failureScope: scopeOf(clientKeyOf(flow)),
            lockFirst: async (trx) => {
              for (const id of new Set([accountId, ownerId ?? accountId])) await lockAccount(trx, id);
            },
          },
          async (trx) => {
            if (ownerId !== undefined) return deps.recoveryCodes.use(trx, { accountId: ownerId, code, client });
            deps.recoveryCodes.hashLikeACode(code);
            return undefined;
          },
          async (trx, _secret, used) => {
            if (!(await deps.flows.markVerified(trx, flowId, clock.now(), used.setId))) throw new LifelineError('code-expired');
            // The flow's code and link die with it; the flow now resets only the code's account.
            await deps.verification.retireFlow(trx, flowId, RESET_PURPOSES);
            await deps.flows.narrowAccounts(trx, flowId, [used.accountId]);
          },
        ),
      );
      return {};
    },

    async verifyLink(linkToken, client) {
      const flowToken = randomToken(32);
      let accountIds: string[];
      try {
        accountIds = await deps.verification.redeemLink({ purpose: LINK_PURPOSE, token: linkToken, lockAccountFirst: true }, async (trx, secret) => {
          const target = secret.target ?? '';
          const ids = await onVerified(trx, secret, { identifier: target, identifier_kind: 'email', channel: null, recovery_code_set_id: null });
          const now = clock.now();
          await deps.flows.insert(trx, {
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
  };
}
