import { LifelineError } from '../../core/errors.js';
import type { ActionVerificationDeps, Requester } from './context.js';
import { ownRecord } from './records.js';
import { viewOf, type VerificationView } from './state.js';

/** What the consumer expects the record to be for: another action's or account's record is refused. */
export interface ConsumeExpectation {
  readonly action?: string | undefined;
  readonly accountId?: string | undefined;
}

/**
 * Redeems a verified record, once: 200 the first time, 409 after (or while it is not
 * verified), 410 once its 10 minutes are over. One conditional UPDATE decides, so two
 * parallel consumes cannot both win.
 */
export async function consume(deps: ActionVerificationDeps, id: string, requester: Requester, expected: ConsumeExpectation = {}): Promise<VerificationView> {
  const row = await ownRecord(deps, deps.database.db, id, requester);
  // A record for another action or account is not this one: refused, and nothing is used up.
  if ((expected.action !== undefined && row.action !== expected.action) || (expected.accountId !== undefined && row.account_id !== expected.accountId)) {
    throw new LifelineError('verification-not-redeemable');
  }
  const now = deps.clock.now();
  if (!(await deps.records.markConsumed(deps.database.db, id, now))) {
    if (row.verified_at !== null && row.consumed_at === null && now >= row.expires_at) throw new LifelineError('verification-expired');
    throw new LifelineError('verification-not-redeemable');
  }
  return viewOf({ ...row, consumed_at: now }, now);
}
