import { LifelineError, isLifelineError } from '../core/errors.js';

// How a refused one-time secret is answered (one-time-secret-service.ts `redeem`): a typed code
// in the API's words here, once for every flow that takes codes; a link in the secret service's
// own codes, which each link's flow turns into its one answer (`asDeadLink`).

/**
 * Why a typed code was refused, beyond what the API answers: the causes a link's redemption
 * still answers as its codes (`code-incorrect`, `code-used-up`, `invalid-or-expired`). Internal
 * only: logs and flows read it (`password_reset.code_rejected` names it as `reason`), the
 * answer never carries it.
 */
export type CodeRefusal = 'code-incorrect' | 'code-used-up' | 'invalid-or-expired';

/**
 * A typed code refused, in the API's own words (docs/api.md): a wrong guess is 400 `wrong-code`
 * with `triesLeft`; a code that is used, burnt, replaced, expired or unknown is 410
 * `code-expired`, whatever the cause, so every flow that takes codes answers alike. The cause
 * stays on the error as `reason` for whoever must tell them apart (action verification fails
 * its record when the code is burnt).
 */
export class CodeRejected extends LifelineError {
  readonly reason: CodeRefusal;

  constructor(reason: CodeRefusal, triesLeft = 0) {
    super(reason === 'code-incorrect' ? 'wrong-code' : 'code-expired', reason === 'code-incorrect' ? { triesLeft } : {});
    this.reason = reason;
  }
}

/** The cause of a refused code for the log: the secret service's reason, else the error's own code. */
export function refusalReason(error: LifelineError): string {
  return error instanceof CodeRejected ? error.reason : error.code;
}

/** Whether the refusal leaves the code burnt: its last try was just taken, or it had none left. */
export function codeBurnt(error: unknown): boolean {
  if (!(error instanceof CodeRejected)) return false;
  return error.reason === 'code-used-up' || (error.reason === 'code-incorrect' && error.params.triesLeft === 0);
}

/** What a failed link redemption means to whoever clicked it: the link is dead (410 `link-expired`), whatever the cause. */
const DEAD_LINK_CAUSES: ReadonlySet<string> = new Set(['invalid-or-expired', 'code-used-up', 'code-incorrect', 'too-many-attempts']);

/**
 * Turns a failure of `redeemLink` into 410 `link-expired` (a link's page has one answer for a
 * used, expired, replaced or forged link); `alsoDead` names a flow's own codes that mean the
 * same. Anything else is passed on unchanged.
 */
export function asDeadLink(error: unknown, alsoDead: readonly string[] = []): unknown {
  return isLifelineError(error) && (DEAD_LINK_CAUSES.has(error.code) || alsoDead.includes(error.code)) ? new LifelineError('link-expired') : error;
}
