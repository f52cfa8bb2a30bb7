import { LifelineError } from '../../core/errors.js';
import type { Executor } from '../../db/database.js';
import type { ActionVerificationRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import type { RequestOrigin } from '../../notifications/security-log.js';
import { VERIFIED_VALIDITY_MS, type ActionVerificationDeps, type Requester } from './context.js';
import { ACTION_PURPOSES, retireSecretsOf } from './secrets.js';

/*
 * The arrows of verification-states.mmd that more than one flow takes, or that the owner's
 * repair takes: pending → verified (the code or the link), pending → failed (the tries used up),
 * and every open record → failed (the owner regains control).
 */

/** Marks the record verified inside the transaction that used its secret. */
export async function markVerified(
  deps: Pick<ActionVerificationDeps, 'clock' | 'records' | 'verification' | 'securityLog'>,
  trx: Executor,
  row: ActionVerificationRow,
  requester: Requester,
  origin: RequestOrigin,
): Promise<void> {
  const now = deps.clock.now();
  if (!(await deps.records.markVerified(trx, row.id, now, now + VERIFIED_VALIDITY_MS))) throw new LifelineError('verification-not-redeemable');
  // The record's other secret (the link beside the code, or the code beside the link) dies with it.
  await retireSecretsOf(deps, trx, row);
  await deps.securityLog.record(trx, {
    accountId: row.account_id,
    type: 'action_verification.verified',
    origin,
    details: { action: row.action, channel: row.channel, requester: requester.name },
  });
}

/** The record fails (its code's tries used up), in a transaction of its own; logged once, by the request that failed it. */
export async function fail(
  deps: Pick<ActionVerificationDeps, 'database' | 'clock' | 'records' | 'securityLog'>,
  row: ActionVerificationRow,
  requester: Requester,
  origin: RequestOrigin,
  reason: string,
): Promise<void> {
  await inTransaction(deps.database, async (trx) => {
    if (await deps.records.markFailed(trx, row.id, deps.clock.now())) {
      await deps.securityLog.record(trx, {
        accountId: row.account_id,
        type: 'action_verification.failed',
        origin,
        details: { action: row.action, channel: row.channel, requester: requester.name, reason },
      });
    }
  });
}

/**
 * Every open verification of the account ends (failed), pending or verified but not yet
 * consumed, with its codes and links: "Das war ich nicht" (docs/security.md "The owner wins")
 * must not leave an intruder a verified record to consume for a host's sensitive action.
 * Runs in the caller's transaction, after the account's lock. Answers how many ended.
 */
export async function failOpen(deps: Pick<ActionVerificationDeps, 'records' | 'verification'>, trx: Executor, accountId: string, now: number): Promise<number> {
  // The records before their secrets: the lock order of send, code and link (record, then secret).
  const ended = await deps.records.failOpenOf(trx, accountId, now);
  await deps.verification.invalidate(trx, accountId, ACTION_PURPOSES);
  return ended;
}
