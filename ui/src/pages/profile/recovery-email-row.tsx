import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { RecoveryView } from '../../../../src/contract/recovery.js';
import { api } from '../../api.js';
import { Alert } from '../../components/alert.js';
import { Field } from '../../components/field.js';
import { errorMessage, splitErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';

type EmailView = RecoveryView['email'];
type Message = { kind: 'success' | 'error'; text: string } | undefined;

/**
 * "E-Mail-Adresse" in "Kontowiederherstellung", as the seed describes it: not set up →
 * "Jetzt einrichten" (the password dialog comes first when the window is closed, then the
 * address); pending → the address, "Bestätigung ausstehend", "Erneut senden" (with when) and
 * "Abbrechen"; active → the address and "Verwalten" (change, remove); a change shows both.
 */
export function RecoveryEmailRow({ view, reload }: { view: EmailView; reload: () => Promise<void> }) {
  const { t, locale } = useI18n();
  const [editing, setEditing] = useState(false);
  const [managing, setManaging] = useState(false);
  const [address, setAddress] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [message, setMessage] = useState<Message>();
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const messageRef = useRef<HTMLDivElement>(null);

  // The "possible from" time of "Erneut senden" passes while the page is open.
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 5000);
    return () => window.clearInterval(timer);
  }, []);

  const run = useCallback(
    async (action: () => Promise<unknown>, done: string) => {
      if (busy) return;
      setBusy(true);
      setMessage(undefined);
      try {
        await action();
        await reload();
        setMessage({ kind: 'success', text: done });
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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setFieldError(undefined);
    setMessage(undefined);
    try {
      // Outside the privileged window the API answers privilege-required: the password dialog
      // ("Geben Sie zunächst Ihr Passwort ein") opens and the request is sent again.
      await api('PUT', '/api/v1/recovery/email', { address });
      await reload();
      setMessage({ kind: 'success', text: t('ui.profile.recovery.emailRow.sent', { address }) });
      setEditing(false);
      setManaging(false);
      setAddress('');
    } catch (error) {
      const { fields, form } = splitErrors(t, error, { 'same-as-login-email': 'address', 'already-recovery-email': 'address', 'validation-failed': 'address', 'rate-limited': 'address' });
      setFieldError(fields.address ?? form);
    } finally {
      setBusy(false);
    }
  };

  const time = (iso: string) => new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { timeStyle: 'short' }).format(new Date(iso));
  const pending = view.pending;
  const resendLocked = pending ? new Date(pending.resendAvailableAt).getTime() > now : false;

  return (
    <div className="recovery-row">
      <div className="row">
        <div>
          <p className="label">{t('ui.profile.recovery.email')}</p>
          {view.status === 'active' ? <p className="value">{view.address}</p> : null}
          {view.status === 'none' ? <p className="value muted">{t('ui.profile.recovery.notSetUp')}</p> : null}
          {pending ? (
            <p className="value">
              {view.status === 'active' ? <span className="muted">{t('ui.profile.recovery.emailRow.pendingChange')} </span> : null}
              {pending.address} <span className="badge badge-pending">{t('ui.profile.recovery.emailRow.pendingBadge')}</span>
            </p>
          ) : null}
        </div>
        <div className="actions compact">
          {view.status === 'none' && !editing ? (
            <button type="button" className="primary" onClick={() => setEditing(true)}>
              {t('ui.profile.recovery.setUp')}
            </button>
          ) : null}
          {view.status === 'active' && !managing && !editing ? (
            <button type="button" aria-expanded={managing} onClick={() => setManaging(true)}>
              {t('ui.profile.recovery.emailRow.manage')}
            </button>
          ) : null}
        </div>
      </div>

      {pending ? (
        <div className="actions compact">
          <button type="button" aria-disabled={busy || resendLocked || undefined} onClick={() => !resendLocked && void run(() => api('POST', '/api/v1/recovery/email/resend'), t('ui.profile.recovery.emailRow.resent'))}>
            {t('ui.profile.recovery.emailRow.resend')}
          </button>
          <button type="button" aria-disabled={busy || undefined} onClick={() => void run(() => api('DELETE', '/api/v1/recovery/email/pending'), t('ui.profile.recovery.emailRow.cancelled'))}>
            {t('ui.profile.recovery.emailRow.cancel')}
          </button>
          {resendLocked ? <p className="hint">{t('ui.profile.recovery.emailRow.resendAt', { time: time(pending.resendAvailableAt) })}</p> : null}
        </div>
      ) : null}

      {managing && !editing ? (
        <div className="actions compact">
          <button type="button" onClick={() => setEditing(true)}>
            {t('ui.profile.recovery.emailRow.change')}
          </button>
          <button type="button" className="danger" aria-disabled={busy || undefined} onClick={() => void run(() => api('DELETE', '/api/v1/recovery/email'), t('ui.profile.recovery.emailRow.removed'))}>
            {t('ui.profile.recovery.emailRow.remove')}
          </button>
          <button type="button" className="link-button" onClick={() => setManaging(false)}>
            {t('ui.profile.recovery.emailRow.close')}
          </button>
        </div>
      ) : null}

      {editing ? (
        <form className="subform" onSubmit={(event) => void submit(event)} noValidate>
          <Field
            label={t('ui.profile.recovery.emailRow.address')}
            name="recoveryEmail"
            type="email"
            autoComplete="email"
            inputMode="email"
            required
            autoFocus
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            hint={t('ui.profile.recovery.emailRow.advice')}
            error={fieldError}
          />
          <div className="actions">
            <button type="submit" className="primary" aria-disabled={busy || undefined}>
              {t('ui.profile.recovery.emailRow.submit')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('ui.common.cancel')}
            </button>
          </div>
        </form>
      ) : null}

      <div ref={messageRef} tabIndex={-1}>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </div>
    </div>
  );
}
