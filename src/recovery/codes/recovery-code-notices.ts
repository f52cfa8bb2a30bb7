import type { Executor } from '../../db/database.js';
import type { AccountRow } from '../../db/tables.js';
import type { Translator } from '../../i18n/translator.js';
import type { Notifier } from '../../notifications/notifier.js';
import type { SmsSendGuard } from '../../security/sms-send-guard.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { changeDetails, localeOf } from '../notice-context.js';
import type { RecoveryPhoneRepository } from '../phone/recovery-phone-repository.js';

/** What the notices use (a part of the service's dependencies). */
export interface RecoveryCodeNoticeDeps {
  readonly notifier: Notifier;
  readonly translator: Translator;
  /** The recovery phone is told by SMS (without a link). */
  readonly recoveryPhones: Pick<RecoveryPhoneRepository, 'active'>;
  /** Undefined without an SMS provider: then no SMS. */
  readonly smsGuard: Pick<SmsSendGuard, 'allowConfirmedSend'> | undefined;
}

/** What a notice about a set names: whose, which set (its undo ends it), who asked and when. */
interface SetEvent {
  readonly account: AccountRow;
  readonly setId: string;
  readonly client: ClientInfo;
  readonly now: number;
}

/**
 * The notices of recovery codes, to every channel (docs/architecture.md "Messages: one answer
 * each"): the login and recovery email (the `account` audience), each with its "Das war ich
 * nicht" link where the notifier finds it safe — the undo ends the set the event names
 * (recovery/undo/security-undo-service.ts) —, and the recovery phone by a short SMS without a link.
 */
export function createRecoveryCodeNotices(deps: RecoveryCodeNoticeDeps) {
  /** The SMS to the account's recovery phone, within the confirmed-number budget (over it the SMS is skipped; the mails still go). */
  async function textThePhone(trx: Executor, account: AccountRow, kind: string, params: Record<string, string>): Promise<void> {
    const phone = await deps.recoveryPhones.active(trx, account.id);
    if (!phone || !deps.smsGuard || !(await deps.smsGuard.allowConfirmedSend({ country: phone.country, accountId: account.id }))) return;
    await deps.notifier.notify(trx, { kind, locale: localeOf(account), to: phone.number_e164, accountId: account.id, params });
  }

  return {
    /** A new set was made (`replaced`: an old one ended with it). */
    async created(trx: Executor, event: SetEvent & { readonly replaced: boolean }): Promise<void> {
      const { account, client, now } = event;
      const locale = localeOf(account);
      const details = changeDetails(deps.translator, account, client, now);
      const replaced = event.replaced ? deps.translator.text(locale, 'mail.recovery-codes-created.replaced') : '';
      await deps.notifier.notify(trx, {
        kind: 'recovery.codes-created',
        locale,
        accountId: account.id,
        params: { ...details, replaced },
        origin: client,
        at: now,
        details: { replaced: event.replaced },
        undo: { restore: { recoveryCodeSet: event.setId } },
      });
      await textThePhone(trx, account, 'recovery.codes-created-sms', { when: details.when });
    },

    /** A code was used in "Passwort vergessen?"; `remaining` codes of the set are left. */
    async used(trx: Executor, event: SetEvent & { readonly remaining: number }): Promise<void> {
      const { account, client, now, remaining } = event;
      const locale = localeOf(account);
      const details = changeDetails(deps.translator, account, client, now);
      const key = remaining === 0 ? 'none' : remaining === 1 ? 'one' : 'other';
      const left = deps.translator.text(locale, `mail.recovery-code-used.remaining.${key}`, { count: remaining });
      await deps.notifier.notify(trx, {
        kind: 'recovery.code-used',
        locale,
        accountId: account.id,
        params: { ...details, remaining: left },
        origin: client,
        at: now,
        details: { remaining },
        undo: { restore: { recoveryCodeSet: event.setId } },
      });
      await textThePhone(trx, account, 'recovery.code-used-sms', { when: details.when, remaining: left });
    },
  };
}
