import { useEffect, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { PhoneOptions } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { loadCallingCodes } from '../../components/country-options.js';
import { errorMessage, wasCancelled } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { ensurePrivilege, privilegeIsOpen } from '../../privilege.js';
import { HeldRemoval, HeldReplacement, heldUntil, localTime } from './held-change.js';
import { RecoveryPhoneDialog, unbroken, type Confirmed, type DialogStart, type PhoneView } from './recovery-phone-dialog.js';

type Message = { kind: 'success' | 'error'; text: string } | undefined;

/**
 * "Telefonnummer" in "Kontowiederherstellung", as the seed describes it: not set up → "Jetzt
 * einrichten" opens the step-by-step dialog (password, number, code); pending → the masked
 * number, "Bestätigung ausstehend", "Code eingeben" (the dialog at the code) and "Abbrechen";
 * active → the masked number and "Verwalten" ("Nummer ändern": the same dialog, the old number
 * stays active until the new one is confirmed; "Deaktivieren": the password if the window is
 * closed, then a short question). A change shows both: the active number and below it the new
 * one with its own "Code eingeben" and "Abbrechen".
 */
export function RecoveryPhoneRow({ view, options, reload }: { view: PhoneView; options: PhoneOptions; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const ids = useId();
  const id = (part: string) => `${ids}-${part}`;
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.recovery.phoneRow.${key}`, params);
  const [dialog, setDialog] = useState<DialogStart | undefined>();
  const [managing, setManaging] = useState(false);
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState<Message>();
  const [busy, setBusy] = useState(false);
  const messageRef = useRef<HTMLDivElement>(null);
  const deactivateButton = useRef<HTMLButtonElement>(null);
  const question = useRef<HTMLParagraphElement>(null);
  const codeButton = useRef<HTMLButtonElement>(null);
  /** The button that opened the dialog: the focus goes back to it when the dialog is closed. */
  const opener = useRef<HTMLElement | null>(null);

  // The country names' calling codes load in the background, so the dialog has them at once.
  useEffect(() => {
    void loadCallingCodes().catch(() => undefined);
  }, []);

  const active = view.status === 'active' ? view.masked : undefined;
  const pending = view.pending;

  /** "Jetzt einrichten" and "Nummer ändern": the password step only while the privileged window is closed. */
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
      // A change from a fresh session on a new device waits 72 hours: say when.
      const text = confirmed.effectiveAt
        ? say('changeHeld', { masked: unbroken(confirmed.masked), date: localTime(confirmed.effectiveAt) })
        : confirmed.changed
          ? say('changed')
          : say('confirmed');
      flushSync(() => {
        setManaging(false);
        setMessage({ kind: 'success', text });
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

  const run = async (action: () => Promise<unknown>, done: string | ((result: unknown) => string)) => {
    if (busy) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const result = await action();
      await reload();
      flushSync(() => {
        setMessage({ kind: 'success', text: typeof done === 'string' ? done : done(result) });
        setManaging(false);
        setAsking(false);
      });
    } catch (error) {
      if (!wasCancelled(error)) setMessage({ kind: 'error', text: errorMessage(t, error) });
    } finally {
      setBusy(false);
      messageRef.current?.focus();
    }
  };

  /** "Deaktivieren" asks first; "Ja, deaktivieren" needs the privileged window (the password dialog opens when it is closed). */
  const ask = () => {
    flushSync(() => {
      setAsking(true);
      setMessage(undefined);
    });
    question.current?.focus();
  };
  const keep = () => {
    flushSync(() => setAsking(false));
    deactivateButton.current?.focus();
  };
  const deactivate = async () => {
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
        const date = heldUntil(result);
        return date ? t('ui.profile.recovery.heldAccepted', { date }) : say('deactivated');
      },
    );
  };

  /** "Änderung abbrechen" of a held deactivation or replacement. */
  const cancelHeld = () => void run(() => api.recoveryPhone.cancelHeld(), t('ui.profile.recovery.heldCancelled'));

  return (
    <div className="recovery-row" role="group" aria-labelledby={id('label')}>
      <div className="recovery-head">
        <div className="recovery-text">
          <p className="label" id={id('label')}>
            {t('ui.profile.recovery.phone')}
          </p>
          {view.status === 'none' ? (
            <>
              <p className="value muted">{t('ui.profile.recovery.notSetUp')}</p>
              <p className="hint">{say('advice')}</p>
            </>
          ) : null}
        </div>
        {view.status === 'none' ? (
          <button type="button" className="primary" aria-disabled={busy || undefined} onClick={() => void openDialog()}>
            {t('ui.profile.recovery.setUp')}
          </button>
        ) : null}
      </div>

      {active !== undefined ? (
        <div className="recovery-entry recovery-entry-active">
          <div className="recovery-entry-main">
            <p className="value">
              <span className="recovery-address recovery-number">{active}</span> <span className="badge">{say('activeBadge')}</span>
            </p>
            <button
              type="button"
              aria-expanded={managing}
              aria-controls={managing ? id('manage') : undefined}
              onClick={() => {
                setManaging((open) => !open);
                setAsking(false);
                setMessage(undefined);
              }}
            >
              {say('manage')}
            </button>
          </div>
          {view.usableFrom ? <p className="hint recovery-usable-from">{t('ui.profile.recovery.usableFrom', { date: localTime(view.usableFrom) })}</p> : null}
          {view.removalAt ? (
            <HeldRemoval text={t('ui.profile.recovery.removalHeldPhone', { date: localTime(view.removalAt) })} busy={busy} onCancel={cancelHeld} />
          ) : null}
          {managing ? (
            <div id={id('manage')}>
              <div className="actions recovery-entry-actions">
                <button type="button" aria-disabled={busy || undefined} onClick={() => void openDialog()}>
                  {say('change')}
                </button>
                <button
                  ref={deactivateButton}
                  type="button"
                  className="danger"
                  aria-controls={asking ? id('ask') : undefined}
                  onClick={() => (asking ? keep() : ask())}
                >
                  {say('deactivate')}
                </button>
              </div>
              {asking ? (
                <div className="recovery-question" id={id('ask')} role="group" aria-labelledby={id('question')}>
                  <p id={id('question')} ref={question} tabIndex={-1}>
                    {say('deactivateQuestion', { masked: unbroken(active) })}
                  </p>
                  <div className="actions recovery-entry-actions">
                    <button type="button" className="danger" aria-disabled={busy || undefined} onClick={() => void deactivate()}>
                      {say('deactivateConfirm')}
                    </button>
                    <button type="button" onClick={keep}>
                      {say('deactivateKeep')}
                    </button>
                  </div>
                </div>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}

      {view.replacement ? (
        <HeldReplacement
          caption={say('heldNumber')}
          value={view.replacement.masked}
          effectiveAt={view.replacement.effectiveAt}
          numberStyle
          busy={busy}
          onCancel={cancelHeld}
        />
      ) : null}
      {view.addition ? (
        <HeldReplacement
          caption={say('addedNumber')}
          value={view.addition.masked}
          effectiveAt={view.addition.effectiveAt}
          numberStyle
          addition
          busy={busy}
          onCancel={cancelHeld}
        />
      ) : null}

      {pending ? (
        <div
          className="recovery-entry recovery-entry-pending"
          role="group"
          aria-labelledby={
            active !== undefined ? `${id('new')} ${id('pending-number')} ${id('pending-badge')}` : `${id('pending-number')} ${id('pending-badge')}`
          }
        >
          {active !== undefined ? (
            <p className="recovery-caption" id={id('new')}>
              {say('newNumber')}
            </p>
          ) : null}
          <div className="recovery-entry-main">
            <p className="value">
              <span className="recovery-address recovery-number" id={id('pending-number')}>
                {pending.masked}
              </span>{' '}
              <span className="badge badge-pending" id={id('pending-badge')}>
                {say('pendingBadge')}
              </span>
            </p>
            <div className="actions compact">
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
            </div>
          </div>
        </div>
      ) : null}

      {dialog ? (
        <RecoveryPhoneDialog start={dialog} view={view} options={options} reload={reload} onClose={(confirmed) => void closeDialog(confirmed)} />
      ) : null}

      <div ref={messageRef} tabIndex={-1} className="recovery-message">
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </div>
    </div>
  );
}
