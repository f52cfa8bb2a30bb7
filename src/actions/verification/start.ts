import { matchReturnLink, type ReturnLink } from '../../contract/return-links.js';
import { LifelineError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hashing.js';
import { randomToken } from '../../core/random.js';
import type { ActionVerificationRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import { localeOf } from '../../i18n/translator.js';
import type { RequestOrigin } from '../../notifications/security-log.js';
import { HOST_ACTION_PATTERN, LIFELINE_ACTION_PREFIX, isLifelineAction, type VerificationChannel } from '../action-policy.js';
import { VERIFICATION_WINDOW_MS, type ActionVerificationDeps, type Requester } from './context.js';
import { send } from './send.js';

export interface StartInput {
  readonly accountId: string;
  readonly action: string;
  readonly requester: Requester;
  readonly returnTo?: string | undefined;
  readonly channel?: VerificationChannel | undefined;
  readonly origin: RequestOrigin;
}

/** A started record, and the page's capability URL: what `start` answers (201). */
export interface Started {
  readonly id: string;
  readonly url: string;
  readonly expiresAt: number;
}

/**
 * A returnTo is an absolute http(s) URL that ALLOWED_RETURN_ORIGINS allows, judged as the web
 * UI judges `return_to` (docs/integration.md "Return links"; no open redirect).
 */
function checkReturnTo(returnTo: string | undefined, returnLinks: readonly ReturnLink[]): string | null {
  if (returnTo === undefined) return null;
  const match = matchReturnLink(returnTo, returnLinks);
  if (!match) throw new LifelineError('return-to-not-allowed');
  return match.url;
}

/** A host may not name Lifeline's own actions, and a session may name only those. */
function checkAction(action: string, requester: Requester): void {
  if (requester.kind === 'api-key') {
    if (action.toLowerCase().startsWith(LIFELINE_ACTION_PREFIX)) throw new LifelineError('action-reserved');
    if (!HOST_ACTION_PATTERN.test(action)) throw new LifelineError('validation-failed', { field: 'action' });
  } else if (!isLifelineAction(action)) {
    throw new LifelineError('validation-failed', { field: 'action' });
  }
}

/**
 * Starts a verification (pending, 30 minutes): the record and its `action_verification.started`
 * log entry in one transaction. The account must exist, have a confirmed login email and not be
 * disabled. The page's capability is a 256-bit token in the URL; only its SHA-256 is stored.
 * Answers the record, and sends its code at once when `channel` is given (`send`).
 */
export async function start(deps: ActionVerificationDeps, input: StartInput): Promise<Started> {
  const { database, clock } = deps;
  checkAction(input.action, input.requester);
  const returnTo = checkReturnTo(input.returnTo, deps.config.returnLinks);
  // The requester's budget first: probing for account ids costs it too.
  await deps.rateLimits.enforce(input.requester.kind === 'api-key' ? 'verification-start-key' : 'verification-start-session', input.requester.id);
  const account = await deps.accounts.findById(database.db, input.accountId);
  if (!account || account.email_verified_at === null) throw new LifelineError('not-found');
  // Support disabled it: no sensitive action of the host is confirmed for it (docs/integration.md "The admin API").
  if (account.disabled_at !== null) throw new LifelineError('account-disabled');
  await deps.rateLimits.enforce('verification-start-account', `${input.requester.kind}:${account.id}`);
  const id = randomToken(12);
  const pageToken = randomToken(32);
  const now = clock.now();
  const row: ActionVerificationRow = {
    id,
    account_id: account.id,
    action: input.action,
    requester_kind: input.requester.kind,
    requester_id: input.requester.id,
    return_to: returnTo,
    page_token_hash: sha256Hex(pageToken),
    channel: null,
    secret_purpose: null,
    locale: localeOf(account),
    created_at: now,
    expires_at: now + VERIFICATION_WINDOW_MS,
    sent_at: null,
    verified_at: null,
    failed_at: null,
    consumed_at: null,
  };
  await inTransaction(database, async (trx) => {
    await deps.records.insert(trx, row);
    // Every verification is in the account's security log from its start: a host asking is security-relevant.
    await deps.securityLog.record(trx, {
      accountId: account.id,
      type: 'action_verification.started',
      origin: input.origin,
      details: { action: input.action, requester: input.requester.name },
    });
  });
  if (input.channel !== undefined) await send(deps, row, input.channel, input.requester, input.origin);
  return { id, url: `${deps.config.http.publicUrl}/verify-action?token=${pageToken}`, expiresAt: row.expires_at };
}
