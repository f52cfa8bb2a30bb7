import type { AccountRepository } from '../../accounts/account-repository.js';
import { normaliseEmail } from '../../contract/email-address.js';
import { newId } from '../../core/random.js';
import type { Executor } from '../../db/database.js';
import type { AccountRow } from '../../db/tables.js';
import { SETTLE_MS, wasSettledBefore } from '../channel-trust.js';
import type { RecoveryEmailRepository } from '../email/recovery-email-repository.js';
import type { RecoveryPhoneRepository } from '../phone/recovery-phone-repository.js';
import type { UndoLinkData } from './undo-links.js';
import type { UndoRepository } from './undo-repository.js';

/** What an undo did, in the order it did it (the API's `done`, the page's list). */
export type UndoStep =
  | 'recovery-email-restored'
  | 'recovery-email-removed'
  | 'recovery-phone-restored'
  | 'recovery-phone-removed'
  | 'recovery-codes-ended'
  | 'login-email-restored'
  | 'login-email-not-restored'
  | 'pending-changes-cancelled'
  | 'open-flows-ended'
  | 'signed-out-everywhere'
  | 'later-links-invalidated'
  | 'sign-in-blocked';

type Restore = UndoLinkData['restore'];

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** What putting channels back needs: the account and channel rows, and the undo's own SQL. */
export interface RestoreDeps {
  readonly accounts: AccountRepository;
  readonly recoveryEmails: Pick<RecoveryEmailRepository, 'active'>;
  readonly recoveryPhones: Pick<RecoveryPhoneRepository, 'active'>;
  readonly undoRows: UndoRepository;
}

/** Step 1 of an undo: what the undone event changed comes back, as far as it may (security-undo-service.ts). */
export interface ChannelRestorer {
  /** Puts back the recovery address the event replaced or removed (see restoreRecoveryEmail below). */
  recoveryEmail(trx: Executor, account: AccountRow, restore: Restore, since: number, now: number): Promise<UndoStep[]>;
  /** The same for the recovery phone. */
  recoveryPhone(trx: Executor, account: AccountRow, restore: Restore, since: number, now: number): Promise<UndoStep[]>;
  /** Puts back the login email the event changed, unless another account holds the address by now. */
  loginEmail(trx: Executor, account: AccountRow, restore: Restore, now: number): Promise<UndoStep[]>;
  /** The channels as a snapshot had them: the login email undoes an undo made from a recovery address. */
  snapshotted(trx: Executor, account: AccountRow, snapshot: Restore, since: number, now: number): Promise<UndoStep[]>;
  /** The recovery channels and the login email as they are now (server-side only, kept with a link). */
  snapshot(trx: Executor, account: AccountRow): Promise<Restore>;
}

export function createChannelRestorer(deps: RestoreDeps): ChannelRestorer {
  /**
   * Whether a channel the event replaced or removed may come back: only if it was settled before
   * the event (an intruder's address that the owner replaced or removed never returns). Data of
   * links from before settled times were kept: 7 days after the confirmation.
   */
  function wasSettled(settledAt: unknown, confirmedAt: unknown, since: number): boolean {
    const confirmed = num(confirmedAt);
    return wasSettledBefore(num(settledAt) ?? (confirmed === null ? null : confirmed + SETTLE_MS), since);
  }

  /**
   * Puts back the recovery address the event replaced or removed, if it was settled before the
   * event and no settled address took its place since. It comes back as new (confirmed now, not
   * settled): a channel restored by an undo has to earn its standing again.
   */
  async function restoreRecoveryEmail(trx: Executor, account: AccountRow, restore: Restore, since: number, now: number): Promise<UndoStep[]> {
    const address = str(restore.previousAddress);
    const normalized = address ? normaliseEmail(address) : undefined;
    // The login email cannot be its own recovery address (it may have become it since).
    if (!address || !normalized || normalized === account.email_normalized || !wasSettled(restore.previousSettledAt, restore.previousConfirmedAt, since))
      return [];
    if (await deps.recoveryEmails.active(trx, account.id)) return [];
    await deps.undoRows.insertRestoredEmail(trx, {
      id: newId(),
      accountId: account.id,
      address,
      addressNormalized: normalized,
      now,
      settledAt: now + SETTLE_MS,
    });
    return ['recovery-email-restored'];
  }

  /** As {@link restoreRecoveryEmail}, for the recovery phone. */
  async function restoreRecoveryPhone(trx: Executor, account: AccountRow, restore: Restore, since: number, now: number): Promise<UndoStep[]> {
    const number = str(restore.previousNumber);
    if (!number || !wasSettled(restore.previousSettledAt, restore.previousConfirmedAt, since)) return [];
    if (await deps.recoveryPhones.active(trx, account.id)) return [];
    await deps.undoRows.insertRestoredPhone(trx, {
      id: newId(),
      accountId: account.id,
      numberE164: number,
      country: str(restore.previousCountry) ?? 'ZZ',
      now,
      settledAt: now + SETTLE_MS,
    });
    return ['recovery-phone-restored'];
  }

  async function restoreLoginEmail(trx: Executor, account: AccountRow, restore: Restore, now: number): Promise<UndoStep[]> {
    const email = str(restore.previousEmail);
    const normalized = str(restore.previousEmailNormalized);
    if (!email || !normalized) return [];
    if (normalized === account.email_normalized) return ['login-email-restored'];
    // Another account may hold the address by now: then it stays where it is (said on the page).
    const holder = await deps.accounts.findByEmail(trx, normalized);
    if (holder && holder.id !== account.id) return ['login-email-not-restored'];
    await deps.accounts.update(trx, account.id, { email, email_normalized: normalized }, now);
    // The restored login email cannot stay a recovery address too.
    await deps.undoRows.removeRecoveryAddress(trx, account.id, normalized);
    return ['login-email-restored'];
  }

  return {
    recoveryEmail: restoreRecoveryEmail,
    recoveryPhone: restoreRecoveryPhone,
    loginEmail: restoreLoginEmail,

    async snapshotted(trx, account, r, since, now) {
      const done: UndoStep[] = [];
      done.push(
        ...(await restoreRecoveryEmail(
          trx,
          account,
          { previousAddress: r.emailAddress ?? null, previousConfirmedAt: r.emailConfirmedAt ?? null, previousSettledAt: r.emailSettledAt ?? null },
          since,
          now,
        )),
      );
      done.push(
        ...(await restoreRecoveryPhone(
          trx,
          account,
          {
            previousNumber: r.phoneNumber ?? null,
            previousCountry: r.phoneCountry ?? null,
            previousConfirmedAt: r.phoneConfirmedAt ?? null,
            previousSettledAt: r.phoneSettledAt ?? null,
          },
          since,
          now,
        )),
      );
      if (r.loginEmailNormalized !== account.email_normalized) {
        done.push(
          ...(await restoreLoginEmail(trx, account, { previousEmail: r.loginEmail ?? null, previousEmailNormalized: r.loginEmailNormalized ?? null }, now)),
        );
      }
      return done;
    },

    async snapshot(trx, account) {
      const email = await deps.recoveryEmails.active(trx, account.id);
      const phone = await deps.recoveryPhones.active(trx, account.id);
      return {
        emailAddress: email?.address ?? null,
        emailConfirmedAt: email?.confirmed_at ?? null,
        emailSettledAt: email?.settled_at ?? null,
        phoneNumber: phone?.number_e164 ?? null,
        phoneCountry: phone?.country ?? null,
        phoneConfirmedAt: phone?.confirmed_at ?? null,
        phoneSettledAt: phone?.settled_at ?? null,
        loginEmail: account.email,
        loginEmailNormalized: account.email_normalized,
      };
    },
  };
}
