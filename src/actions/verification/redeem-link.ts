import { LifelineError } from '../../core/errors.js';
import type { RequestOrigin } from '../../notifications/security-log.js';
import { asDeadLink } from '../../one-time-secrets/one-time-secret-service.js';
import type { ActionVerificationDeps } from './context.js';
import { lockRecord, namedRequester, requesterName } from './records.js';
import { LINK_PURPOSE } from './secrets.js';
import { verificationStatus, viewOf, type VerificationView } from './state.js';
import { markVerified } from './transitions.js';

/** What an email's link would confirm: the action, who asks and when. */
export interface LinkPreview {
  readonly action: string;
  readonly requester: string;
  readonly createdAt: number;
}

/**
 * What an email's link would confirm, without using it (GET: mail scanners open links): the
 * action, who asks and when; undefined for a dead or forged link or a record no longer pending.
 */
export async function previewLink(deps: ActionVerificationDeps, token: string): Promise<LinkPreview | undefined> {
  const secret = await deps.verification.peekLink({ purpose: LINK_PURPOSE, token });
  if (!secret?.flowId) return undefined;
  const row = await deps.records.findById(deps.database.db, secret.flowId);
  if (!row || verificationStatus(row, deps.clock.now()) !== 'pending') return undefined;
  return { action: row.action, requester: await requesterName(deps, row), createdAt: row.created_at };
}

/**
 * The email's link: it verifies the record it was sent for, in any browser (the link is the
 * proof). A dead link, or a record no longer pending, is 410 link-expired.
 */
export async function redeemLink(
  deps: ActionVerificationDeps,
  token: string,
  origin: RequestOrigin,
): Promise<{ view: VerificationView; returnTo: string | null }> {
  let verifiedId: string | undefined;
  try {
    // The record before the secret, as the code's path and `send` do (else the two deadlock on PostgreSQL).
    await deps.verification.redeemLink(
      { purpose: LINK_PURPOSE, token, lockFirst: (trx, owner) => (owner.flowId ? lockRecord(deps, trx, owner.flowId) : Promise.resolve()) },
      async (trx, secret) => {
        const row = await deps.records.findById(trx, secret.flowId ?? '');
        if (!row) throw new LifelineError('link-expired');
        // Read through trx: on SQLite a read through database.db would wait for this transaction.
        await markVerified(deps, trx, row, await namedRequester(deps, row, trx), origin);
        verifiedId = row.id;
      },
    );
  } catch (error) {
    throw asDeadLink(error, ['verification-not-redeemable']);
  }
  const row = await deps.records.getById(deps.database.db, verifiedId ?? '');
  return { view: viewOf(row, deps.clock.now()), returnTo: row.return_to };
}
