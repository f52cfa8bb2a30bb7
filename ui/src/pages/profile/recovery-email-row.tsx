import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { RecoveryView } from '../../api-types.js';
import { ConfirmQuestion, useConfirmQuestion } from '../../components/confirm-question.js';
import { EmailField, SubmitButton } from '../../components/form-fields.js';
import { errorMessage, splitErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { ensurePrivilege } from '../../privilege.js';
import { useAccountTime } from './account-time.js';
import { ActiveChannel, ChannelRow, HeldChanges, PendingChannel, useRowActions, type ChannelState } from './channel-row.js';
import { heldUntil } from './held-change.js';

/**
 * The recovery email as GET /recovery shows it. `unreachable`: mail to the address bounces (recovery
 * readiness, docs/reference/product.md §10, not built yet): the API does not send it, the row is ready.
 */
export type EmailView = RecoveryView['email'] & { readonly unreachable?: boolean };

/**
 * "E-Mail-Adresse" in "Kontowiederherstellung", as the seed describes it: not set up →
 * "Jetzt einrichten" (the password dialog comes first when the window is closed, then the
 * address); pending → the address, "Bestätigung ausstehend", "Erneut senden" (with when) and
 * "Abbrechen"; active → the address and "Verwalten" ("Ändern"; "Entfernen" asks first, as the
 * phone's does). A change shows both, each in its own box: the active address ("Aktiv",
 * "Verwalten") and below it the new one ("Neue Adresse", "Bestätigung ausstehend", its own
 * "Erneut senden" and "Abbrechen"). A removal held for 72 hours shows "Wird entfernt" and when.
 */
export function RecoveryEmailRow({ view, reload }: { view: EmailView; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const { at, clock } = useAccountTime();
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.recovery.emailRow.${key}`, params);
  const ids = useId();
  const resendHintId = `${ids}-resend-at`;
  const removal = useConfirmQuestion({ onAsk: () => setMessage(undefined) });
  const [editing, setEditing] = useState(false);
  const [managing, setManaging] = useState(false);
  const [address, setAddress] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [now, setNow] = useState(() => Date.now());
  /** "Jetzt einrichten" or "Verwalten": where the focus goes back when the form is closed. */
  const headButton = useRef<HTMLButtonElement>(null);
  const { busy, setBusy, message, setMessage, messageRef, run } = useRowActions(reload, {
    onDone: () => {
      setEditing(false);
      setManaging(false);
      removal.setAsking(false);
    },
    // Closing the password dialog that "Ja, entfernen" may open says nothing; the question stays.
    quietWhenCancelled: true,
  });

  // The "possible from" time of "Erneut senden" passes while the page is open.
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 5000);
    return () => window.clearInterval(timer);
  }, []);

  /** "Jetzt einrichten" and "Ändern": the password first when the window is closed, then the address. */
  const openForm = async () => {
    if (busy) return;
    setBusy(true);
    setMessage(undefined);
    try {
      if (await ensurePrivilege()) {
        setFieldError(undefined);
        setAddress('');
        setManaging(false);
        setEditing(true);
      }
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(t, error) });
    } finally {
      setBusy(false);
    }
  };

  const closeForm = () => {
    flushSync(() => {
      setEditing(false);
      setFieldError(undefined);
    });
    headButton.current?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setFieldError(undefined);
    setMessage(undefined);
    let sent = false;
    try {
      // Should the window close meanwhile, the API answers privilege-required: the password
      // dialog opens and the request is sent again.
      await api.recoveryEmail.add({ address });
      await reload();
      setMessage({ kind: 'success', text: say('sent', { address: address.trim() }) });
      setEditing(false);
      setManaging(false);
      setAddress('');
      sent = true;
    } catch (error) {
      const { fields, form } = splitErrors(t, error, {
        'same-as-login-email': 'address',
        'already-recovery-email': 'address',
        'validation-failed': 'address',
        'rate-limited': 'address',
      });
      setFieldError(fields.address ?? form);
    } finally {
      setBusy(false);
      // The form is gone: the focus goes to the message, not lost on the page.
      if (sent) messageRef.current?.focus();
    }
  };

  /**
   * "Ja, entfernen": at once, or (from a new device) held for 72 hours, and then the message says
   * when, and that the address works until then. The API asks for the password when the
   * privileged window is closed (the dialog opens, the request is sent again).
   */
  const remove = () =>
    void run(
      () => api.recoveryEmail.remove(),
      (result) => {
        const effectiveAt = heldUntil(result);
        return effectiveAt ? { kind: 'info', text: say('removalHeldMessage', { date: at(effectiveAt) }) } : say('removed');
      },
    );

  /** "Änderung abbrechen" of a held removal or replacement. */
  const cancelHeld = () => void run(() => api.recoveryEmail.cancelHeld(), t('ui.profile.recovery.heldCancelled'));

  const pending = view.pending;
  const resendLocked = pending ? new Date(pending.resendAvailableAt).getTime() > now : false;
  const active = view.status === 'active' ? view.address : undefined;
  const state: ChannelState = view.removalAt
    ? { tone: 'warning', label: t('ui.profile.recovery.removalBadge') }
    : view.unreachable
      ? { tone: 'danger', label: t('ui.profile.recovery.unreachableBadge') }
      : { tone: 'ok', label: say('activeBadge') };

  return (
    <ChannelRow
      label={t('ui.profile.recovery.email')}
      notSetUp={view.status === 'none'}
      advice={editing ? undefined : say('advice')}
      setUp={editing ? undefined : { onClick: () => void openForm(), ref: headButton }}
      message={message}
      messageRef={messageRef}
    >
      {active !== undefined ? (
        <ActiveChannel
          value={active}
          state={state}
          problem={view.unreachable && !view.removalAt ? say('unreachable') : undefined}
          manageLabel={say('manage')}
          managing={managing}
          onManage={() => {
            setManaging((open) => !open);
            removal.setAsking(false);
          }}
          manageRef={headButton}
          manage={(panelId) => (
            <div id={panelId}>
              <div className="actions recovery-entry-actions">
                <button type="button" onClick={() => void openForm()}>
                  {say('change')}
                </button>
                <button
                  ref={removal.asker}
                  type="button"
                  className="danger"
                  aria-controls={removal.asking ? `${ids}-ask` : undefined}
                  onClick={() => (removal.asking ? removal.keep() : removal.ask())}
                >
                  {say('remove')}
                </button>
              </div>
              {removal.asking ? (
                <ConfirmQuestion
                  id={`${ids}-ask`}
                  text={say('removeQuestion', { address: active })}
                  questionRef={removal.question}
                  confirm={say('removeConfirm')}
                  onConfirm={remove}
                  busy={busy}
                  cancel={say('removeKeep')}
                  onCancel={removal.keep}
                />
              ) : null}
            </div>
          )}
          usableFrom={view.usableFrom}
          removalHeld={view.removalAt ? t('ui.profile.recovery.removalHeld', { date: at(view.removalAt) }) : undefined}
          busy={busy}
          onCancelHeld={cancelHeld}
        />
      ) : null}

      <HeldChanges
        replacement={view.replacement ? { value: view.replacement.address, effectiveAt: view.replacement.effectiveAt } : undefined}
        addition={view.addition ? { value: view.addition.address, effectiveAt: view.addition.effectiveAt } : undefined}
        captions={{ replacement: say('heldAddress'), addition: say('addedAddress') }}
        busy={busy}
        onCancel={cancelHeld}
      />

      {pending ? (
        <PendingChannel
          caption={active !== undefined ? say('newAddress') : undefined}
          value={pending.address}
          badge={say('pendingBadge')}
          note={{
            content: resendLocked ? (
              <p className="hint" id={resendHintId}>
                {say('resendAt', { time: clock(pending.resendAvailableAt) })}
              </p>
            ) : null,
          }}
          actions={
            <>
              <button
                type="button"
                aria-disabled={busy || resendLocked || undefined}
                aria-describedby={resendLocked ? resendHintId : undefined}
                onClick={() => !resendLocked && void run(() => api.recoveryEmail.resend(), say('resent'))}
              >
                {say('resend')}
              </button>
              <button
                type="button"
                aria-disabled={busy || undefined}
                onClick={() =>
                  void run(() => api.recoveryEmail.cancelPending(), active !== undefined ? say('cancelledChange', { address: active }) : say('cancelled'))
                }
              >
                {say('cancel')}
              </button>
            </>
          }
        />
      ) : null}

      {editing ? (
        <form className="subform recovery-form" onSubmit={(event) => void submit(event)} noValidate>
          <EmailField
            label={say('address')}
            name="recoveryEmail"
            autoComplete="email"
            autoFocus
            value={address}
            onChange={(value) => {
              setAddress(value);
              setFieldError(undefined);
            }}
            hint={say('advice')}
            error={fieldError}
          />
          <div className="actions">
            <SubmitButton busy={busy}>{say('submit')}</SubmitButton>
            <button type="button" onClick={closeForm}>
              {t('ui.common.cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </ChannelRow>
  );
}
