import { useEffect, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { PhoneOptions } from '../../api-types.js';
import { ConfirmQuestion, useConfirmQuestion } from '../../components/confirm-question.js';
import { loadCallingCodes } from '../../components/country-options.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { ensurePrivilege, privilegeIsOpen } from '../../privilege.js';
import { useAccountTime } from './account-time.js';
import { ActiveChannel, ChannelRow, HeldChanges, PendingChannel, useRowActions, type ChannelState } from './channel-row.js';
import { heldUntil } from './held-change.js';
import { RecoveryPhoneDialog, unbroken, type Confirmed, type DialogStart, type PhoneView } from './recovery-phone-dialog.js';

/**
 * "Telefonnummer" in "Kontowiederherstellung", as the seed describes it: not set up → "Jetzt
 * einrichten" opens the step-by-step dialog (password, number, code); pending → the masked
 * number, "Bestätigung ausstehend", "Code eingeben" (the dialog at the code) and "Abbrechen";
 * active → the masked number and "Verwalten" ("Ändern": the same dialog, the old number stays
 * active until the new one is confirmed; "Entfernen": a short question, then the password if the
 * window is closed). The verbs are the email row's, so both rows read alike. A change shows
 * both: the active number and below it the new one with its own "Code eingeben" and "Abbrechen".
 * `unreachable` (SMS to it fail; not sent by the API yet) says so on the active number.
 */
export function RecoveryPhoneRow({ view, options, reload }: { view: PhoneView; options: PhoneOptions; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const { at } = useAccountTime();
  const questionIds = useId();
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.recovery.phoneRow.${key}`, params);
  const [dialog, setDialog] = useState<DialogStart | undefined>();
  const [managing, setManaging] = useState(false);
  const deactivation = useConfirmQuestion({ onAsk: () => setMessage(undefined) });
  const { busy, setBusy, message, setMessage, messageRef, run } = useRowActions(reload, {
    onDone: () => {
      setManaging(false);
      deactivation.setAsking(false);
    },
    quietWhenCancelled: true,
  });
  const codeButton = useRef<HTMLButtonElement>(null);
  /** The button that opened the dialog: the focus goes back to it when the dialog is closed. */
  const opener = useRef<HTMLElement | null>(null);

  // The country names' calling codes load in the background, so the dialog has them at once.
  useEffect(() => {
    void loadCallingCodes().catch(() => undefined);
  }, []);

  const active = view.status === 'active' ? view.masked : undefined;
  const pending = view.pending;

  /** "Jetzt einrichten" and "Ändern": the password step only while the privileged window is closed. */
  const openDialog = async () => {
    if (busy) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setBusy(true);
    setMessage(undefined);
    try {
      setDialog({ step: (await privilegeIsOpen()) ? 'number' : 'password' });
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(t, error) });
    } finally {
      setBusy(false);
    }
  };

  /** "Code eingeben": the dialog at its last step. */
  const openAtCode = () => {
    if (busy) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setMessage(undefined);
    setDialog({ step: 'code' });
  };

  const closeDialog = async (confirmed: Confirmed | undefined) => {
    flushSync(() => setDialog(undefined));
    if (confirmed) {
      await reload();
      // A change from a fresh session on a new device waits 72 hours: say when (not as a success yet).
      const said = confirmed.effectiveAt
        ? ({
            kind: 'info',
            text: say(confirmed.changed ? 'changeHeld' : 'additionHeld', { masked: unbroken(confirmed.masked), date: at(confirmed.effectiveAt) }),
          } as const)
        : ({ kind: 'success', text: confirmed.changed ? say('changed') : say('confirmed') } as const);
      flushSync(() => {
        setManaging(false);
        setMessage(said);
      });
      // The button that opened the dialog may be gone: the focus goes to the announced message.
      messageRef.current?.focus();
      return;
    }
    // Closed before the code: back to the button that opened it, or (the SMS went out and the
    // row changed meanwhile) to "Code eingeben", which opens it again.
    const target = opener.current?.isConnected ? opener.current : (codeButton.current ?? messageRef.current);
    target?.focus();
  };

  /** "Entfernen" asks first; "Ja, entfernen" needs the privileged window (the password dialog opens when it is closed). */
  const remove = async () => {
    if (busy) return;
    try {
      if (!(await ensurePrivilege())) return;
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(t, error) });
      return;
    }
    await run(
      () => api.recoveryPhone.remove(),
      (result) => {
        const effectiveAt = heldUntil(result);
        return effectiveAt ? { kind: 'info', text: say('removalHeldMessage', { date: at(effectiveAt) }) } : say('removed');
      },
    );
  };

  /** "Änderung abbrechen" of a held deactivation or replacement. */
  const cancelHeld = () => void run(() => api.recoveryPhone.cancelHeld(), t('ui.profile.recovery.heldCancelled'));

  const state: ChannelState = view.removalAt
    ? { tone: 'warning', label: t('ui.profile.recovery.removalBadge') }
    : view.unreachable
      ? { tone: 'danger', label: t('ui.profile.recovery.unreachableBadge') }
      : { tone: 'ok', label: say('activeBadge') };

  return (
    <ChannelRow
      label={t('ui.profile.recovery.phone')}
      notSetUp={view.status === 'none'}
      advice={say('advice')}
      setUp={{ onClick: () => void openDialog(), busy }}
      message={message}
      messageRef={messageRef}
    >
      {active !== undefined ? (
        <ActiveChannel
          value={active}
          numberStyle
          state={state}
          problem={view.unreachable && !view.removalAt ? say('unreachable') : undefined}
          manageLabel={say('manage')}
          managing={managing}
          onManage={() => {
            setManaging((open) => !open);
            deactivation.setAsking(false);
            setMessage(undefined);
          }}
          manage={(panelId) => (
            <div id={panelId}>
              <div className="actions recovery-entry-actions">
                <button type="button" aria-disabled={busy || undefined} onClick={() => void openDialog()}>
                  {say('change')}
                </button>
                <button
                  ref={deactivation.asker}
                  type="button"
                  className="danger"
                  aria-controls={deactivation.asking ? `${questionIds}-ask` : undefined}
                  onClick={() => (deactivation.asking ? deactivation.keep() : deactivation.ask())}
                >
                  {say('remove')}
                </button>
              </div>
              {deactivation.asking ? (
                <ConfirmQuestion
                  id={`${questionIds}-ask`}
                  text={say('removeQuestion', { masked: unbroken(active) })}
                  questionRef={deactivation.question}
                  confirm={say('removeConfirm')}
                  onConfirm={() => void remove()}
                  busy={busy}
                  cancel={say('removeKeep')}
                  onCancel={deactivation.keep}
                />
              ) : null}
            </div>
          )}
          usableFrom={view.usableFrom}
          removalHeld={view.removalAt ? t('ui.profile.recovery.removalHeldPhone', { date: at(view.removalAt) }) : undefined}
          busy={busy}
          onCancelHeld={cancelHeld}
        />
      ) : null}

      <HeldChanges
        replacement={view.replacement ? { value: view.replacement.masked, effectiveAt: view.replacement.effectiveAt } : undefined}
        addition={view.addition ? { value: view.addition.masked, effectiveAt: view.addition.effectiveAt } : undefined}
        captions={{ replacement: say('heldNumber'), addition: say('addedNumber') }}
        numberStyle
        busy={busy}
        onCancel={cancelHeld}
      />

      {pending ? (
        <PendingChannel
          caption={active !== undefined ? say('newNumber') : undefined}
          value={pending.masked}
          numberStyle
          badge={say('pendingBadge')}
          actions={
            <>
              <button ref={codeButton} type="button" className="primary" aria-disabled={busy || undefined} onClick={openAtCode}>
                {say('enterCode')}
              </button>
              <button
                type="button"
                aria-disabled={busy || undefined}
                onClick={() =>
                  void run(
                    () => api.recoveryPhone.cancelPending(),
                    active !== undefined ? say('cancelledChange', { masked: unbroken(active) }) : say('cancelled'),
                  )
                }
              >
                {say('cancel')}
              </button>
            </>
          }
        />
      ) : null}

      {dialog ? (
        <RecoveryPhoneDialog start={dialog} view={view} options={options} reload={reload} onClose={(confirmed) => void closeDialog(confirmed)} />
      ) : null}
    </ChannelRow>
  );
}
