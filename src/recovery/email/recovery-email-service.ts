import { DAY, MINUTE } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow, RecoveryEmailRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import { parseEmail } from '../../accounts/signup-service.js';
import { comparableEmail } from '../../contract/email-address.js';
import type { UndoRestore } from '../../notifications/notifier.js';
import { clientBucketKey } from '../../security/client-address.js';
import type { RateLimits } from '../../security/rate-limits.js';
import type { AuthenticatedSession, ClientInfo } from '../../sessions/session-service.js';
import type { ChannelHoldService } from '../hold/channel-hold-service.js';
import type { RecoveryEmailRepository } from './recovery-email-repository.js';
import { createChannelChange, type Asker, type ChannelView } from '../channel-change.js';
import type { ChannelDeps } from '../channel-deps.js';
import { enforceCooldown } from '../channel-state.js';
import { changeDetails, localeOf } from '../notice-context.js';

/** "erneut senden" at most once a minute. */
export const RESEND_COOLDOWN_MS = MINUTE;
/** The link lives as long as the purpose allows (24 h: people set this up and read the mail later). */
const LINK_LIFETIME_MS = DAY;
const PURPOSE = 'recovery-email-confirmation' as const;

/** The profile's view of the recovery email: the address in full (it is the owner's own). */
export type RecoveryEmailView = ChannelView<{ readonly address: string }>;

/**
 * The recovery email (docs/reference/product.md §2 and the seed's first part): set up with the
 * password (or in the privileged window, checked by the route), confirmed by a link that only the
 * new address gets, changed with the old address active until the new one is confirmed, removed
 * with the removed address and the login email told. Transitions follow recovery/channel-state.ts
 * (email/state.mmd); every change writes its security-log row and notices in the transaction
 * that makes it.
 */
export interface RecoveryEmailService {
  /** The profile's view: the active address, a pending one, and what waits out a 72-hour hold. */
  view(accountId: string): Promise<RecoveryEmailView>;

  /**
   * Set up or change: the address is validated and normalised like the login email and must
   * differ from it (422 `same-as-login-email`: access to both may be lost together). A
   * pending setup is replaced, its link dies. 5 sends an hour per account, address and client.
   */
  setUp(auth: AuthenticatedSession, input: { address: string; client: ClientInfo }): Promise<void>;

  /** "erneut senden": at most once a minute (429), within the hourly caps; 404 with nothing pending. */
  resend(auth: AuthenticatedSession, client: ClientInfo): Promise<void>;

  /**
   * The link's POST (no session needed: the link may be opened on another device; the token is
   * the proof). The pending address becomes active; an old active one is replaced and told.
   * An address set up from a new device (an addition or a replacement) is confirmed but waits
   * 72 hours: the answer says when; every channel got a link that cancels it.
   */
  confirm(token: string, client: ClientInfo): Promise<{ address: string; effectiveAt?: number }>;

  /** "abbrechen": the pending address and its link go; an active address is untouched. */
  cancel(auth: AuthenticatedSession, client: ClientInfo): Promise<void>;

  /**
   * "Verwalten → entfernen" (privileged window, checked by the route). From a session on a new
   * device it is held for 72 hours: the answer names when, every channel can cancel it, the
   * worker applies it. Made at once, it also ends the sessions of the device that had set the
   * address up, if that was another one (recovery/owner-repair.ts).
   */
  remove(auth: AuthenticatedSession, client: ClientInfo): Promise<{ effectiveAt?: number }>;

  /** Housekeeping: the held removals, replacements and additions whose 72 hours are over; answers how many. */
  applyHeldChanges(): Promise<number>;

  /**
   * The login email was changed to an address that is also the recovery address (or is being
   * set up as one): the recovery address goes, and is told, since access to both would be lost
   * together. Runs in the login-email change's transaction.
   */
  onLoginEmailChanged(trx: Executor, account: AccountRow, newNormalized: string, client: ClientInfo): Promise<void>;
}

/** Builds the recovery email (see {@link RecoveryEmailService}). */
export function createRecoveryEmailService(
  deps: ChannelDeps & {
    readonly rateLimits: RateLimits;
    readonly repository: RecoveryEmailRepository;
    /** The 72-hour hold (absent: every change is at once). */
    readonly hold?: ChannelHoldService;
  },
): RecoveryEmailService {
  const { database, clock, repository } = deps;
  const change = createChannelChange(deps, {
    channel: 'email',
    purpose: PURPOSE,
    repository,
    deadSecret: 'invalid-or-expired',
    log: 'recovery_email',
    notices: { added: 'recovery.email-added', changed: 'recovery.email-changed', removed: 'recovery.email-removed' },
    secretLifetimeMs: LINK_LIFETIME_MS,
    resendCooldownMs: RESEND_COOLDOWN_MS,
    describe: (row) => row.address,
    shown: (row) => ({ address: row.address }),
    noticeParams: (row) => ({ address: row.address }),
    logDetails: (row, previous) => ({ address: row.address, ...(previous ? { previousAddress: previous.address } : {}) }),
    restoreOf,
    tellOld: {
      // The old address carries "Das war ich nicht" for the change, so it is told after the change's notice.
      replaced: (trx, { account, old, replacement, details, client, now, undo }) =>
        deps.notifier.notify(trx, {
          at: now,
          kind: 'recovery.email-replaced',
          locale: localeOf(account),
          to: old.address,
          accountId: account.id,
          params: { ...details, newAddress: replacement.address },
          origin: client,
          undo,
        }),
      // The removed address gets the link only if it had been active 7 days: an attacker's freshly added one must not undo its removal.
      removed: (trx, { account, old, params, client, undo }) =>
        deps.notifier.notify(trx, {
          kind: 'recovery.email-removed-notice',
          locale: localeOf(account),
          to: old.address,
          accountId: account.id,
          params,
          origin: client,
          undo,
        }),
    },
  });

  /** Sends are capped per account, per recipient and per client: 5 an hour each (429). */
  async function limitSends(accountId: string, normalized: string, ip: string): Promise<void> {
    await deps.rateLimits.enforce('recovery-email-account', accountId);
    await deps.rateLimits.enforce('recovery-email-address', normalized);
    await deps.rateLimits.enforce('recovery-email-client', clientBucketKey(ip));
  }

  /**
   * A fresh link (the previous one dies) to the pending address, and only there. `held`: a
   * session on a new device sent it, so the confirmed address will wait 72 hours; the
   * mark is on the row, since whoever opens the link has no session.
   */
  async function sendLink(
    trx: Executor,
    account: AccountRow,
    pending: Pick<RecoveryEmailRow, 'id' | 'address' | 'address_normalized'>,
    origin: ClientInfo,
    by: Asker,
  ): Promise<void> {
    const link = await deps.verification.issue(trx, {
      purpose: PURPOSE,
      accountId: account.id,
      target: pending.address_normalized,
      data: { recoveryEmailId: pending.id },
    });
    await deps.notifier.notify(trx, {
      kind: 'recovery.email-confirmation',
      locale: localeOf(account),
      to: pending.address,
      accountId: account.id,
      params: { token: link.secret },
      origin,
    });
    await repository.markSent(trx, pending.id, clock.now(), by.standing === 'new', origin, by.deviceId);
  }

  /** "erneut senden" at most once a minute: a time on the row, so it follows the clock and restarts. */
  const cooldown = (pending: Pick<RecoveryEmailRow, 'last_sent_at'>) => enforceCooldown(pending.last_sent_at, RESEND_COOLDOWN_MS, clock.now());

  return {
    ...change.operations,

    async setUp(auth, input) {
      const { email, normalized } = parseEmail(input.address, 'address');
      const account = auth.account;
      if (account.email_verified_at === null) throw new LifelineError('email-not-verified');
      if (comparableEmail(normalized) === comparableEmail(account.email_normalized)) throw new LifelineError('same-as-login-email');
      await limitSends(account.id, normalized, input.client.ip);
      const asker = await change.askerOf(auth);
      await inTransaction(database, async (trx) => {
        const { active } = await change.load(trx, account.id, 'set-up');
        if (active?.address_normalized === normalized) throw new LifelineError('already-recovery-email');
        const sendTo = (trx: Executor, pending: Pick<RecoveryEmailRow, 'id' | 'address' | 'address_normalized'>) =>
          sendLink(trx, account, pending, input.client, asker);
        await change.replacePending(
          trx,
          account,
          { address: email, address_normalized: normalized },
          { client: input.client, asker, details: { change: active !== undefined }, send: sendTo },
        );
      });
    },

    async resend(auth, client) {
      const { pending } = await repository.rows(database.db, auth.account.id);
      if (!pending) throw new LifelineError('not-found');
      cooldown(pending);
      await limitSends(auth.account.id, pending.address_normalized, client.ip);
      const asker = await change.askerOf(auth);
      await inTransaction(database, async (trx) => {
        const rows = await change.load(trx, auth.account.id, 'resend');
        if (!rows.pending) throw new LifelineError('not-found');
        // Again under the account's lock: of two parallel clicks only one sends.
        cooldown(rows.pending);
        // A held setup stays held whoever sends again (the mark is on the row); a new device's session marks it now.
        await sendLink(trx, auth.account, rows.pending, client, asker);
      });
    },

    async confirm(token, client) {
      // The account first (PostgreSQL lock order): the hold's rows are written under it everywhere.
      return deps.verification.redeemLink({ purpose: PURPOSE, token, lockAccountFirst: true }, async (trx, secret) => {
        const account = await deps.accounts.findById(trx, secret.accountId);
        const { active, pending } = await repository.rows(trx, secret.accountId);
        // The link belongs to exactly this pending address: a replaced or cancelled setup's link is dead.
        if (!account || !pending || pending.id !== secret.data.recoveryEmailId || pending.address_normalized !== secret.target) {
          throw new LifelineError('invalid-or-expired');
        }
        // A held change's notices name who asked for it, not whoever opened the link.
        const requester = pending.requested_ip === null ? client : { ip: pending.requested_ip, userAgent: pending.requested_user_agent };
        const { row, effectiveAt } = await change.confirmPending(trx, account, { active, pending }, { client, requester });
        return { address: row.address, ...(effectiveAt === undefined ? {} : { effectiveAt }) };
      });
    },

    async onLoginEmailChanged(trx, account, newNormalized, client) {
      const { active, pending, held } = await repository.rows(trx, account.id);
      if (pending?.address_normalized === newNormalized) {
        await repository.remove(trx, account.id, 'pending');
        await deps.verification.invalidate(trx, account.id, [PURPOSE]);
      }
      // A held replacement by this address would make it both: it ends.
      if (held?.address_normalized === newNormalized) await deps.hold?.supersede(trx, account.id, 'email');
      if (active?.address_normalized === newNormalized) {
        await repository.remove(trx, account.id, 'active');
        // What waited for the removed address (a removal, a replacement) ends with it: no address
        // appears 72 hours later that the profile no longer shows.
        await deps.hold?.supersede(trx, account.id, 'email');
        const params = { ...changeDetails(deps.translator, account, client, clock.now()), address: active.address };
        await deps.notifier.notify(trx, {
          kind: 'recovery.email-removed-notice',
          locale: localeOf(account),
          to: active.address,
          accountId: account.id,
          params,
          origin: client,
        });
        await deps.securityLog.record(trx, {
          accountId: account.id,
          type: 'recovery_email.removed',
          origin: client,
          details: { reason: 'became-login-email' },
        });
      }
    },
  };
}

/** What an undo of a change needs: the address active before it (or none). */
function restoreOf(previous: RecoveryEmailRow | undefined): UndoRestore {
  return previous
    ? { previousAddress: previous.address, previousConfirmedAt: previous.confirmed_at, previousSettledAt: previous.settled_at }
    : { previousAddress: null, previousConfirmedAt: null, previousSettledAt: null };
}
