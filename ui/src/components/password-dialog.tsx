import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, onPrivilegeRequired } from '../api.js';
import { splitErrors } from '../errors.js';
import { useI18n } from '../i18n.js';
import { Alert } from './alert.js';
import { PasswordField } from './field.js';

/**
 * "Geben Sie zunächst Ihr Passwort ein": the one password re-entry dialog (the seed's first
 * step). Whenever the API answers `privilege-required`, the API client asks this provider;
 * the dialog opens, re-authenticates, and the client retries the action. A wrong password is
 * shown in the dialog itself. A native modal <dialog>: the page behind is inert, Tab stays
 * inside, Escape cancels, and focus goes back to where it was.
 */
export function PasswordDialogProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const pending = useRef<((ok: boolean) => void) | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const close = useCallback((ok: boolean) => {
    dialog.current?.close();
    setPassword('');
    setError(undefined);
    pending.current?.(ok);
    pending.current = undefined;
    returnFocus.current?.focus();
  }, []);

  useEffect(() => {
    onPrivilegeRequired(
      () =>
        new Promise<boolean>((resolve) => {
          pending.current = resolve;
          returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          dialog.current?.showModal();
        }),
    );
    return () => onPrivilegeRequired(undefined);
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await api('POST', '/api/v1/session/reauthenticate', { password });
      close(true);
    } catch (failure) {
      const { fields, form } = splitErrors(t, failure, { 'wrong-password': 'password', 'rate-limited': 'password' });
      setError(fields.password ?? form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {children}
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby="reauth-title"
        aria-describedby="reauth-intro"
        onCancel={(event) => {
          event.preventDefault();
          close(false);
        }}
      >
        <form onSubmit={(event) => void submit(event)} noValidate>
          <h2 id="reauth-title">{t('ui.reauth.title')}</h2>
          <p id="reauth-intro">{t('ui.reauth.intro')}</p>
          <PasswordField
            label={t('ui.common.password')}
            name="password"
            autoComplete="current-password"
            autoFocus
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={error}
          />
          {busy ? <Alert kind="info">{t('ui.common.loading')}</Alert> : null}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || password === ''}>
              {t('ui.reauth.submit')}
            </button>
            <button type="button" onClick={() => close(false)}>
              {t('ui.common.cancel')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
