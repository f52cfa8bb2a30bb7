import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { RecoveryView } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { EmailField, SubmitButton } from '../../components/form-fields.js';
import { errorMessage, splitErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { ensurePrivilege } from '../../privilege.js';
import { HeldRemoval, HeldReplacement, heldUntil, localTime } from './held-change.js';

type EmailView = RecoveryView['email'];
type Message = { kind: 'success' | 'error'; text: string } | undefined;

/**
 * "E-Mail-Adresse" in "Kontowiederherstellung", as the seed describes it: not set up →
 * "Jetzt einrichten" (the password dialog comes first when the window is closed, then the
 * address); pending → the address, "Bestätigung ausstehend", "Erneut senden" (with when) and
 * "Abbrechen"; active → the address and "Verwalten" (change, remove). A change shows both,
 * each in its own box: the active address ("Aktiv", "Verwalten") and below it the new one
 * ("Neue Adresse", "Bestätigung ausstehend", its own "Erneut senden" and "Abbrechen").
 */
export function RecoveryEmailRow({ view, reload }: { view: EmailView; reload: () => Promise<void> }) {
  const { t, locale } = useI18n();
  const ids = useId();
  const [editing, setEditing] = useState(false);
  const [managing, setManaging] = useState(false);
  const [address, setAddress] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [message, setMessage] = useState<Message>();
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const messageRef = useRef<HTMLDivElement>(null);
  /** "Jetzt einrichten" or "Verwalten": where the focus goes back when the form is closed. */
  const headButton = useRef<HTMLButtonElement>(null);

  // The "possible from" time of "Erneut senden" passes while the page is open.
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 5000);
    return () => window.clearInterval(timer);
  }, []);

  const run = useCallback(
    async (action: () => Promise<unknown>, done: string | ((result: unknown) => string)) => {
      if (busy) return;
      setBusy(true);
      setMessage(undefined);
      try {
        const result = await action();
        await reload();
        setMessage({ kind: 'success', text: typeof done === 'string' ? done : done(result) });
        setEditing(false);
        setManaging(false);
      } catch (error) {
        setMessage({ kind: 'error', text: errorMessage(t, error) });
      } finally {
        setBusy(false);
        messageRef.current?.focus();
      }
    },
    [busy, reload, t],
  );

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
      setMessage({ kind: 'success', text: t('ui.profile.recovery.emailRow.sent', { address: address.trim() }) });
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

  /** "Entfernen": at once, or (from a new device) held for 72 hours, and the message says until when. */
  const remove = () =>
    void run(
      () => api.recoveryEmail.remove(),
      (result) => {
        const date = heldUntil(result);
        return date ? t('ui.profile.recovery.heldAccepted', { date }) : t('ui.profile.recovery.emailRow.removed');
      },
    );

  /** "Änderung abbrechen" of a held removal or replacement. */
  const cancelHeld = () => void run(() => api.recoveryEmail.cancelHeld(), t('ui.profile.recovery.heldCancelled'));

  const time = (iso: string) => new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { timeStyle: 'short' }).format(new Date(iso));
  const pending = view.pending;
  const resendLocked = pending ? new Date(pending.resendAvailableAt).getTime() > now : false;
  const active = view.status === 'active' ? view.address : undefined;
  const id = (part: string) => `${ids}-${part}`;

  return (
    <div className="recovery-row" role="group" aria-labelledby={id('label')}>
      <div className="recovery-head">
        <div className="recovery-text">
          <p className="label" id={id('label')}>
            {t('ui.profile.recovery.email')}
          </p>
          {view.status === 'none' ? (
            <>
              <p className="value muted">{t('ui.profile.recovery.notSetUp')}</p>
              {!editing ? <p className="hint">{t('ui.profile.recovery.emailRow.advice')}</p> : null}
            </>
          ) : null}
        </div>
        {view.status === 'none' && !editing ? (
          <button ref={headButton} type="button" className="primary" onClick={() => void openForm()}>
            {t('ui.profile.recovery.setUp')}
          </button>
        ) : null}
      </div>

      {active !== undefined ? (
        <div className="recovery-entry recovery-entry-active">
          <div className="recovery-entry-main">
            <p className="value">
              <span className="recovery-address">{active}</span> <span className="badge">{t('ui.profile.recovery.emailRow.activeBadge')}</span>
            </p>
            <button
              ref={headButton}
              type="button"
              aria-expanded={managing}
              aria-controls={managing ? id('manage') : undefined}
              onClick={() => setManaging((open) => !open)}
            >
              {t('ui.profile.recovery.emailRow.manage')}
            </button>
          </div>
          {view.usableFrom ? <p className="hint recovery-usable-from">{t('ui.profile.recovery.usableFrom', { date: localTime(view.usableFrom) })}</p> : null}
          {view.removalAt ? (
            <HeldRemoval text={t('ui.profile.recovery.removalHeld', { date: localTime(view.removalAt) })} busy={busy} onCancel={cancelHeld} />
          ) : null}
          {managing ? (
            <div className="actions recovery-entry-actions" id={id('manage')}>
              <button type="button" onClick={() => void openForm()}>
                {t('ui.profile.recovery.emailRow.change')}
              </button>
              <button type="button" className="danger" aria-disabled={busy || undefined} onClick={remove}>
                {t('ui.profile.recovery.emailRow.remove')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}

      {view.replacement ? (
        <HeldReplacement
          caption={t('ui.profile.recovery.emailRow.heldAddress')}
          value={view.replacement.address}
          effectiveAt={view.replacement.effectiveAt}
          busy={busy}
          onCancel={cancelHeld}
        />
      ) : null}
      {view.addition ? (
        <HeldReplacement
          caption={t('ui.profile.recovery.emailRow.addedAddress')}
          value={view.addition.address}
          effectiveAt={view.addition.effectiveAt}
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
            active !== undefined ? `${id('new')} ${id('pending-address')} ${id('pending-badge')}` : `${id('pending-address')} ${id('pending-badge')}`
          }
        >
          {active !== undefined ? (
            <p className="recovery-caption" id={id('new')}>
              {t('ui.profile.recovery.emailRow.newAddress')}
            </p>
          ) : null}
          <div className="recovery-entry-main">
            <div className="recovery-text">
              <p className="value">
                <span className="recovery-address" id={id('pending-address')}>
                  {pending.address}
                </span>{' '}
                <span className="badge badge-pending" id={id('pending-badge')}>
                  {t('ui.profile.recovery.emailRow.pendingBadge')}
                </span>
              </p>
              {resendLocked ? (
                <p className="hint" id={id('resend-at')}>
                  {t('ui.profile.recovery.emailRow.resendAt', { time: time(pending.resendAvailableAt) })}
                </p>
              ) : null}
            </div>
            <div className="actions compact">
              <button
                type="button"
                aria-disabled={busy || resendLocked || undefined}
                aria-describedby={resendLocked ? id('resend-at') : undefined}
                onClick={() => !resendLocked && void run(() => api.recoveryEmail.resend(), t('ui.profile.recovery.emailRow.resent'))}
              >
                {t('ui.profile.recovery.emailRow.resend')}
              </button>
              <button
                type="button"
                aria-disabled={busy || undefined}
                onClick={() =>
                  void run(
                    () => api.recoveryEmail.cancelPending(),
                    active !== undefined ? t('ui.profile.recovery.emailRow.cancelledChange', { address: active }) : t('ui.profile.recovery.emailRow.cancelled'),
                  )
                }
              >
                {t('ui.profile.recovery.emailRow.cancel')}
              </button>
            </div>
          </div>
        </div>
      ) : null}

      {editing ? (
        <form className="subform recovery-form" onSubmit={(event) => void submit(event)} noValidate>
          <EmailField
            label={t('ui.profile.recovery.emailRow.address')}
            name="recoveryEmail"
            autoComplete="email"
            autoFocus
            value={address}
            onChange={(value) => {
              setAddress(value);
              setFieldError(undefined);
            }}
            hint={t('ui.profile.recovery.emailRow.advice')}
            error={fieldError}
          />
          <div className="actions">
            <SubmitButton busy={busy}>{t('ui.profile.recovery.emailRow.submit')}</SubmitButton>
            <button type="button" onClick={closeForm}>
              {t('ui.common.cancel')}
            </button>
          </div>
        </form>
      ) : null}

      <div ref={messageRef} tabIndex={-1} className="recovery-message">
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </div>
    </div>
  );
}
