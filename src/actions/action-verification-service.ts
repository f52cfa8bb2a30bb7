import { DAY } from '../core/clock.js';
import type { Executor } from '../db/database.js';
import type { RequestOrigin } from '../notifications/security-log.js';
import type { VerificationChannel } from './action-policy.js';
import { choicesFor, hasAllowedChannel, type ChannelChoice } from './verification/channels.js';
import type { ActionVerificationDeps, Requester } from './verification/context.js';
import { consume, type ConsumeExpectation } from './verification/consume.js';
import { enterCode } from './verification/enter-code.js';
import { namedRequester, ownRecord, recordByPageToken, requesterName } from './verification/records.js';
import { previewLink, redeemLink, type LinkPreview } from './verification/redeem-link.js';
import { send, type Sent } from './verification/send.js';
import { start, type StartInput, type Started } from './verification/start.js';
import { viewOf, type VerificationView } from './verification/state.js';
import { failOpen } from './verification/transitions.js';

export type { ActionVerificationDeps, Requester } from './verification/context.js';
export { SEND_COOLDOWN_MS, VERIFICATION_WINDOW_MS, VERIFIED_VALIDITY_MS } from './verification/context.js';
export type { ChannelChoice } from './verification/channels.js';
export type { StartInput } from './verification/start.js';
export type { VerificationStatus, VerificationView } from './verification/state.js';

/**
 * Verification of sensitive actions (docs/reference/product.md §5): before an action, the user proves
 * access to a confirmed channel. A record is bound to the account, the action name and the
 * requester (API key or session); its code is a one-time secret bound to the record (flow id);
 * once verified it can be consumed once within 10 minutes, so a host cannot be tricked into
 * accepting one verification twice. The user reaches it through the host (which drives it by
 * API) or through Lifeline's page (`url`, a capability of its own). The life of a record:
 * actions/verification/verification-states.mmd; each operation's flow in actions/verification/.
 */
export interface ActionVerificationService {
  /**
   * Every open verification of the account ends (failed), with its codes and links: the owner
   * regained control (recovery/owner-regains-control.ts: a password reset, "Das war ich nicht").
   * Runs in the caller's transaction, after the account's lock; answers how many ended.
   */
  failOpen(trx: Executor, accountId: string, now: number): Promise<number>;

  /**
   * Starts a verification: 201 `{id, url, expiresAt}`. A host may not name Lifeline's own
   * actions; the account must exist and have a confirmed login email. With `channel`, the code
   * goes out at once.
   */
  start(input: StartInput): Promise<Started>;

  /** The requester's own record (404 for any other requester's). */
  status(id: string, requester: Requester): Promise<VerificationView>;

  /** The channels the user may pick for this record (masked), and whether the action accepts each. */
  channels(id: string, requester: Requester): Promise<ChannelChoice[]>;

  /** Sends the record's code (for a host's email also a link) to `channel`; a new code retires the earlier one. */
  send(id: string, requester: Requester, channel: VerificationChannel, origin: RequestOrigin): Promise<Sent>;

  /** Checks a typed code: verified, or 400 wrong-code with triesLeft (the last wrong try fails the record). */
  enterCode(id: string, requester: Requester, code: string, origin: RequestOrigin): Promise<VerificationView>;

  /**
   * Redeems a verified record, once: 200 the first time, 409 after (or while it is not
   * verified), 410 once its 10 minutes are over. One conditional UPDATE decides, so two
   * parallel consumes cannot both win. A record for another action or account is refused.
   */
  consume(id: string, requester: Requester, expected?: ConsumeExpectation): Promise<VerificationView>;

  /** The page (`/verify-action?token=`): what it shows, by the capability in its URL. */
  page(token: string): Promise<{ view: VerificationView; channels: ChannelChoice[]; returnTo: string | null; requesterName: string }>;

  /** The page's "send the code": as `send`, for whoever started the record. */
  pageSend(token: string, channel: VerificationChannel, origin: RequestOrigin): Promise<Sent>;

  /** The page's code: as `enterCode`, for whoever started the record; with where to return to. */
  pageCode(token: string, code: string, origin: RequestOrigin): Promise<{ view: VerificationView; returnTo: string | null }>;

  /**
   * What an email's link would confirm, without using it (GET: mail scanners open links): the
   * action, who asks and when; undefined for a dead or forged link or a record no longer pending.
   */
  previewLink(token: string): Promise<LinkPreview | undefined>;

  /** The email's link: it verifies the record it was sent for, in any browser. */
  redeemLink(token: string, origin: RequestOrigin): Promise<{ view: VerificationView; returnTo: string | null }>;

  /** Whether the account has a channel that `action` accepts now (else a policy's other path applies). */
  hasAllowedChannel(accountId: string, action: string): Promise<boolean>;

  /** Housekeeping: records a day past their end go (their secrets are pruned by the one-time-secret service); answers how many. */
  prune(): Promise<number>;
}

/** Assembles the flows of actions/verification/ over one set of dependencies (src/services.ts builds it once). */
export function createActionVerificationService(deps: ActionVerificationDeps): ActionVerificationService {
  const { database, clock } = deps;
  const db = database.db;

  return {
    failOpen: (trx, accountId, now) => failOpen(deps, trx, accountId, now),
    start: (input) => start(deps, input),
    status: async (id, requester) => viewOf(await ownRecord(deps, db, id, requester), clock.now()),
    channels: async (id, requester) => choicesFor(deps, await ownRecord(deps, db, id, requester)),
    send: async (id, requester, channel, origin) => send(deps, await ownRecord(deps, db, id, requester), channel, requester, origin),
    enterCode: async (id, requester, code, origin) => enterCode(deps, await ownRecord(deps, db, id, requester), code, requester, origin),
    consume: (id, requester, expected) => consume(deps, id, requester, expected),

    async page(token) {
      const row = await recordByPageToken(deps, db, token);
      return { view: viewOf(row, clock.now()), channels: await choicesFor(deps, row), returnTo: row.return_to, requesterName: await requesterName(deps, row) };
    },

    async pageSend(token, channel, origin) {
      const row = await recordByPageToken(deps, db, token);
      return send(deps, row, channel, await namedRequester(deps, row), origin);
    },

    async pageCode(token, code, origin) {
      const row = await recordByPageToken(deps, db, token);
      const verified = await enterCode(deps, row, code, await namedRequester(deps, row), origin);
      return { view: verified, returnTo: row.return_to };
    },

    previewLink: (token) => previewLink(deps, token),
    redeemLink: (token, origin) => redeemLink(deps, token, origin),
    hasAllowedChannel: (accountId, action) => hasAllowedChannel(deps, accountId, action),
    prune: () => deps.records.deleteExpiredBefore(db, clock.now() - DAY),
  };
}
