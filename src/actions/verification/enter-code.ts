import { LifelineError } from '../../core/errors.js';
import { codeBurnt } from '../../one-time-secrets/secret-refusals.js';
import type { ActionVerificationRow } from '../../db/tables.js';
import type { RequestOrigin } from '../../notifications/security-log.js';
import type { SecretPurpose } from '../../one-time-secrets/purposes.js';
import type { ActionVerificationDeps, Requester } from './context.js';
import { lockRecord } from './records.js';
import { requirePending, viewOf, type VerificationView } from './state.js';
import { fail, markVerified } from './transitions.js';

/**
 * Checks a typed code for `row`: the right one verifies the record (in the transaction that uses
 * the code, the record locked before the code); 400 wrong-code with triesLeft; a burnt code
 * (its last try wrong, or its tries used up) fails the record; a dead or missing code is 410
 * code-expired.
 */
export async function enterCode(
  deps: ActionVerificationDeps,
  row: ActionVerificationRow,
  code: string,
  requester: Requester,
  origin: RequestOrigin,
): Promise<VerificationView> {
  requirePending(row, deps.clock.now());
  if (row.secret_purpose === null) throw new LifelineError('code-expired');
  try {
    await deps.verification.redeemCode(
      { purpose: row.secret_purpose as SecretPurpose, accountId: row.account_id, code, flowId: row.id, lockFirst: (trx) => lockRecord(deps, trx, row.id) },
      (trx) => markVerified(deps, trx, row, requester, origin),
    );
  } catch (error) {
    // The secret service answers in the API's words (wrong-code, code-expired); a burnt code fails the record.
    if (codeBurnt(error)) await fail(deps, row, requester, origin, 'tries-used-up');
    throw error;
  }
  return viewOf(await deps.records.getById(deps.database.db, row.id), deps.clock.now());
}
