import type { Locale } from '../../i18n/translator.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { MINUTE } from '../../core/clock.js';
import { inTransaction } from '../../db/transaction.js';
import { createFlowContext, type AccountChoice, type FlowStatus, type ForgotRequest, type PasswordResetServiceDeps } from './flow-context.js';
import { createFlowProcessing } from './process.js';
import { createFlowRequests } from './request.js';
import { createFlowReset, type ResetDone, type ResetInput } from './reset.js';
import { createFlowVerification } from './verify.js';

export { RESET_PURPOSES, RESET_RESEND_COOLDOWN_MS } from './flow-context.js';
export type { AccountChoice, FlowStatus, ForgotRequest, PasswordResetServiceDeps } from './flow-context.js';

/**
 * "Passwort vergessen?" (docs/reference/product.md §5, docs/reference/security-requirements.md §3),
 * in the shape of a recovery flow: request → process → verify → reset (state.ts, drawn in
 * password-reset.mmd).
 *
 * The request answers after the same work for every identifier: parse it, write a flow row,
 * set the flow cookie. Whether the identifier is a confirmed channel of an account is decided
 * after the answer has gone (`process`, run right after the response and, should the instance
 * stop, by the worker), so the answer's content and timing cannot tell (docs/reference/security-requirements.md 3.1, 3.2).
 * A flow that led nowhere (unknown, unconfirmed, over a limit) behaves like one that sent a
 * code: the same answers to wrong codes, the same tries, the same lock.
 *
 * A code is bound to its flow (the cookie), 5 tries, single use; the email also carries a link
 * that works in any browser and starts a verified flow there. Then a new password (sign-up
 * policy), all sessions revoked, every other reset secret and flow of the account dead, every
 * channel told. The user signs in afresh.
 */
export interface PasswordResetService {
  /**
   * POST /password/forgot (request.ts): parse (a malformed entry is a 4xx), limit per client
   * (429), write the flow; everything else happens after the answer (`processSoon`). Returns
   * the cookie's value, the flow's id and its end.
   */
  request(input: ForgotRequest): Promise<{ flowToken: string; flowId: string; expiresAt: number }>;

  /**
   * The back office's "send a reset link" (admin API, `lifeline account send-reset`): a flow for
   * the account's login email, processed before this returns, so the code and the
   * `/reset-password?token=` link are queued to that address. Nobody gets the flow's cookie:
   * the link works in whichever browser the owner opens it. The per-address limits apply as to
   * any request (a back office cannot flood a mailbox); the per-client one does not (the back
   * office is one client for all its users). The password stays valid until the owner resets it.
   */
  requestForSupport(input: { email: string; locale: Locale; client: ClientInfo }): Promise<void>;

  /**
   * process.ts, after the answer: runs `process` in the next turn of the event loop and
   * remembers it for `drain`. The device cookie is passed in memory only (the worker has none).
   */
  processSoon(flowId: string, deviceToken?: string): void;

  /**
   * Decides what a flow leads to and sends its code (process.ts); once per flow (a conditional
   * claim), whoever calls it: the answer's hook, the worker, or verify on demand.
   */
  process(flowId: string, deviceToken?: string): Promise<void>;

  /** Waits for the processing started after answers (tests; a graceful shutdown). */
  drain(): Promise<void>;

  /** Worker: flows whose processing did not happen after the answer (the instance stopped); answers how many. */
  processStale(): Promise<number>;

  /** GET /password/forgot (request.ts): where this browser's flow stands (the page resumes there after a reload). */
  status(token: string | undefined): Promise<FlowStatus>;

  /**
   * POST /password/forgot/verify with a code (verify.ts): only in the flow it was sent for (the
   * cookie). A flow that sent nothing answers exactly like one that did: 400 `wrong-code` with
   * `triesLeft`, 410 `code-expired`, 429 `too-many-attempts`. Answers the accounts to choose from.
   */
  verifyCode(token: string | undefined, code: string): Promise<{ accounts?: AccountChoice[] }>;

  /**
   * POST /password/forgot/verify with a recovery code (verify.ts; docs/architecture.md "Recovery
   * codes"): in a flow started with the account's login email, a code of its current, settled
   * set verifies the flow for that account (used up at once, every channel told; the client is
   * named in the notice). Wrong, used, another account's, a flow of a recovery channel or of no
   * account: 400 `wrong-code` under the tries and the lock of the flow's own code, exactly as a
   * wrong mailed code. A malformed code is 400 `validation-failed` and costs no try.
   */
  verifyRecoveryCode(token: string | undefined, code: string, client: ClientInfo): Promise<{ accounts?: AccountChoice[] }>;

  /**
   * POST /password/forgot/verify with the email's link token (verify.ts): it alone proves access
   * to the mailbox, so it works in any browser and starts a verified flow there (a new cookie).
   * A dead link is 410 `link-expired`.
   */
  verifyLink(linkToken: string, client: ClientInfo): Promise<{ flowToken: string; expiresAt: number; accounts?: AccountChoice[] }>;

  /**
   * POST /password/reset (reset.ts): the verified flow sets a new password (sign-up policy) for
   * its account (or the chosen one), once. All sessions end, every other reset secret and flow
   * of the account dies, a blocked sign-in is unblocked, every channel is told. No session.
   */
  reset(token: string | undefined, input: ResetInput): Promise<ResetDone>;

  /** Housekeeping: flows past their end go after a day (the security log keeps what happened); answers how many. */
  prune(): Promise<number>;
}

/** Assembles the flow's operations over one shared context (flow-context.ts). */
export function createPasswordResetService(deps: PasswordResetServiceDeps): PasswordResetService {
  const context = createFlowContext(deps);
  const processing = createFlowProcessing(context);
  return {
    ...createFlowRequests(context, processing),
    ...processing,
    ...createFlowVerification(context, processing),
    ...createFlowReset(context),
    async prune() {
      return inTransaction(deps.database, (trx) => deps.flows.prune(trx, deps.clock.now() - 24 * 60 * MINUTE));
    },
  };
}
