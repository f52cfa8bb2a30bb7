import { HOUR, type Clock } from '../../core/clock.js';
import { createAccountRepository } from '../../accounts/account-repository.js';
import { LifelineError } from '../../core/errors.js';
import { newId } from '../../core/random.js';
import type { Database, Executor } from '../../db/database.js';
import type { AccountRow, HeldChangeKind, HeldChangeRow, SessionRow } from '../../db/tables.js';
import { inTransaction } from '../../db/transaction.js';
import { localeOf, type Translator } from '../../i18n/translator.js';
import { describeEvent, formatEventTime } from '../../notifications/event-details.js';
import type { Notifier } from '../../notifications/notifier.js';
import type { SecurityLog } from '../../notifications/security-log.js';
import type { SmsSendGuard } from '../../security/sms-send-guard.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { asDeadLink, type VerificationService } from '../../verification/verification-service.js';

/** How long a held change waits (issue 9; Google and Microsoft use this grace period). */
export const HOLD_MS = 72 * HOUR;
/** A session this young, on a device the account had never used, is held. */
export const FRESH_SESSION_MS = 24 * HOUR;
/** The device must have been first seen at this session's sign-in (the same transaction, a little slack). */
const SAME_SIGN_IN_MS = 60 * 1000;

/**
 * The 72-hour hold (issue 9): removing a recovery channel from a session that signed in less
 * than 24 hours ago on a new device (not the account's first one: the first sign-in after
 * sign-up is not "new") does not happen at once. Every channel hears of it with a link of its
 * own that cancels it; the worker applies it after 72 hours. An intruder with a stolen password
 * cannot quietly strip the owner's ways back in.
 */
export function createChannelHold(deps: {
  database: Database;
  clock: Clock;
  verification: VerificationService;
  notifier: Notifier;
  securityLog: SecurityLog;
  translator: Translator;
  smsGuard: SmsSendGuard | undefined;
  config: { readonly http: { readonly publicUrl: string } };
}) {
  const { database, clock } = deps;
  const accounts = createAccountRepository();

  return {
    /** Whether a change asked by this session is held. */
    async appliesTo(db: Executor, session: Pick<SessionRow, 'account_id' | 'created_at' | 'device_id'>): Promise<boolean> {
      const now = clock.now();
      if (now - session.created_at >= FRESH_SESSION_MS || session.device_id === null) return false;
      const device = await db.selectFrom('devices').select(['id', 'created_at']).where('id', '=', session.device_id).executeTakeFirst();
      if (!device || device.created_at < session.created_at - SAME_SIGN_IN_MS) return false;
      const first = await db.selectFrom('devices').select('id').where('account_id', '=', session.account_id).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      return first?.id !== device.id;
    },

    /**
     * Holds `kind` for the account (in the caller's transaction) and tells every channel, each
     * with its own cancel link: the login e-mail, the active recovery e-mail, the active recovery
     * phone by SMS. A second request while one is held answers the first one's end.
     */
    async hold(trx: Executor, input: { account: AccountRow; kind: HeldChangeKind; what: string; client: ClientInfo }): Promise<number> {
      const now = clock.now();
      const existing = await trx
        .selectFrom('held_changes')
        .select('effective_at')
        .where('account_id', '=', input.account.id)
        .where('kind', '=', input.kind)
        .where('cancelled_at', 'is', null)
        .where('applied_at', 'is', null)
        .executeTakeFirst();
      if (existing) return existing.effective_at;
      const id = newId();
      const effectiveAt = now + HOLD_MS;
      await trx.insertInto('held_changes').values({ id, account_id: input.account.id, kind: input.kind, created_at: now, effective_at: effectiveAt, cancelled_at: null, applied_at: null }).execute();
      const locale = localeOf(input.account);
      const details = describeEvent(deps.translator, { at: now, locale, timeZone: input.account.time_zone, ip: input.client.ip, userAgent: input.client.userAgent });
      const params = { ...details, what: deps.translator.text(locale, `mail.heldWhat.${input.kind}`, { target: input.what }), effectiveAt: formatEventTime(effectiveAt, locale, input.account.time_zone) };
      const email = await trx.selectFrom('recovery_emails').select('address').where('account_id', '=', input.account.id).where('status', '=', 'active').executeTakeFirst();
      const phone = await trx.selectFrom('recovery_phones').select(['number_e164', 'country']).where('account_id', '=', input.account.id).where('status', '=', 'active').executeTakeFirst();
      const cancelLink = async (target: string) => (await deps.verification.issue(trx, { purpose: 'held-change-cancel', accountId: input.account.id, target, data: { heldId: id }, coexist: true })).secret;
      for (const to of new Set([input.account.email, ...(email ? [email.address] : [])])) {
        const token = await cancelLink(to.toLowerCase());
        await deps.notifier.notify(trx, { kind: 'recovery.change-held', locale, to, accountId: input.account.id, params: { ...params, token }, origin: input.client });
      }
      if (phone && deps.smsGuard && (await deps.smsGuard.allowConfirmedSend({ country: phone.country, accountId: input.account.id }))) {
        const token = await cancelLink(phone.number_e164);
        const link = `${deps.config.http.publicUrl}/cancel-hold?token=${encodeURIComponent(token)}`;
        await deps.notifier.notify(trx, { kind: 'recovery.change-held-sms', locale, to: phone.number_e164, accountId: input.account.id, params: { effectiveAt: params.effectiveAt, link }, origin: input.client });
      }
      await deps.securityLog.record(trx, { accountId: input.account.id, type: 'recovery.change_held', origin: input.client, details: { kind: input.kind, effectiveAt: new Date(effectiveAt).toISOString() } });
      return effectiveAt;
    },

    /** The account's held changes that still wait (the profile shows them). */
    async waiting(db: Executor, accountId: string): Promise<Pick<HeldChangeRow, 'kind' | 'effective_at'>[]> {
      return db.selectFrom('held_changes').select(['kind', 'effective_at']).where('account_id', '=', accountId).where('cancelled_at', 'is', null).where('applied_at', 'is', null).execute();
    },

    /** A channel's link: the held change does not happen. */
    async cancel(token: string, client: ClientInfo): Promise<void> {
      try {
        await deps.verification.redeemLink({ purpose: 'held-change-cancel', token }, async (trx, secret) => {
          const heldId = typeof secret.data.heldId === 'string' ? secret.data.heldId : '';
          const cancelled = await trx.updateTable('held_changes').set({ cancelled_at: clock.now() }).where('id', '=', heldId).where('cancelled_at', 'is', null).where('applied_at', 'is', null).executeTakeFirst();
          // Applied or cancelled already (through another channel's link): this link is as dead.
          if (Number(cancelled.numUpdatedRows) !== 1) throw new LifelineError('link-expired');
          await deps.securityLog.record(trx, { accountId: secret.accountId, type: 'recovery.change_hold_cancelled', origin: client, details: { heldId } });
        });
      } catch (error) {
        throw asDeadLink(error);
      }
    },

    /** Every held change of the account ends ("Das war ich nicht", a password reset): the owner is back. */
    async cancelAll(trx: Executor, accountId: string): Promise<number> {
      const result = await trx.updateTable('held_changes').set({ cancelled_at: clock.now() }).where('account_id', '=', accountId).where('cancelled_at', 'is', null).where('applied_at', 'is', null).executeTakeFirst();
      await deps.verification.invalidate(trx, accountId, ['held-change-cancel']);
      return Number(result.numUpdatedRows);
    },

    /**
     * Housekeeping: applies each due change of `kind` with `apply`, in a transaction that first
     * claims the row (one conditional UPDATE: two workers never both apply it). A change that
     * fails is logged by the caller and tried again next round.
     */
    async applyDue(kind: HeldChangeKind, apply: (trx: Executor, account: AccountRow) => Promise<void>): Promise<number> {
      const due = await database.db.selectFrom('held_changes').select(['id', 'account_id']).where('kind', '=', kind).where('effective_at', '<=', clock.now()).where('cancelled_at', 'is', null).where('applied_at', 'is', null).execute();
      let applied = 0;
      for (const row of due) {
        const done = await inTransaction(database, async (trx) => {
          // Lock order on PostgreSQL: the account, then the held row (as an undo's cancelAll takes them).
          const account = await accounts.findByIdForUpdate(trx, row.account_id, database.dialect === 'postgres');
          const claimed = await trx.updateTable('held_changes').set({ applied_at: clock.now() }).where('id', '=', row.id).where('cancelled_at', 'is', null).where('applied_at', 'is', null).executeTakeFirst();
          if (Number(claimed.numUpdatedRows) !== 1) return false;
          if (!account) return false;
          await apply(trx, account);
          return true;
        });
        if (done) applied++;
      }
      return applied;
    },
  };
}

export type ChannelHold = ReturnType<typeof createChannelHold>;
