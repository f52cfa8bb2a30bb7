import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { onPrivilegeRequired } from '../api.js';
import { useI18n } from '../i18n.js';
import { CurrentPasswordField, SubmitButton } from './form-fields.js';
import { reauthenticate, trapFocus } from './modal-dialog.js';

/**
 * "Geben Sie zunächst Ihr Passwort ein": the one password re-entry dialog (the seed's first
 * step). Whenever the API answers `privilege-required`, the API client asks this provider;
 * the dialog opens, re-authenticates, and the client retries the action. A wrong password is
 * shown in the dialog itself. A native modal <dialog> (the page behind is inert); Tab and
 * Shift+Tab cycle inside it (the browser alone would let the focus leave for its own toolbar),
 * Escape cancels, and the focus goes back to the control that caused it. Its form exists only
 * while it is open, so the closed dialog adds no second password field to the page.
 */
export function PasswordDialogProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  // Everyone waiting for the password: two actions may need it at once; one entry serves both.
  const pending = useRef<((ok: boolean) => void)[]>([]);
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const close = useCallback((ok: boolean) => {
    dialog.current?.close();
    setOpen(false);
    setPassword('');
    setError(undefined);
    for (const resolve of pending.current.splice(0)) resolve(ok);
    const target = returnFocus.current;
    returnFocus.current = null;
    if (target?.isConnected) target.focus();
  }, []);

  useEffect(() => {
    onPrivilegeRequired(
      () =>
        new Promise<boolean>((resolve) => {
          pending.current.push(resolve);
          if (pending.current.length > 1) return;
          returnFocus.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
          setOpen(true);
        }),
    );
    return () => onPrivilegeRequired(undefined);
  }, []);

  // Opened once its form is rendered: showModal() then focuses the password field.
  useEffect(() => {
    const element = dialog.current;
    if (open && element && !element.open) {
      element.showModal();
      element.querySelector<HTMLInputElement>('input')?.focus();
    }
  }, [open]);

  const typePassword = (value: string) => {
    setPassword(value);
    setError(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    const problem = await reauthenticate(t, password);
    setBusy(false);
    if (problem === undefined) close(true);
    else setError(problem);
  };

  return (
    <>
      {children}
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby="reauth-title"
        aria-describedby="reauth-intro"
        onKeyDown={trapFocus}
        onCancel={(event) => {
          event.preventDefault();
          close(false);
        }}
      >
        {open ? (
          <form onSubmit={(event) => void submit(event)} noValidate>
            <h2 id="reauth-title">{t('ui.reauth.title')}</h2>
            <p id="reauth-intro">{t('ui.reauth.intro')}</p>
            <CurrentPasswordField value={password} onChange={typePassword} error={error} />
            <div className="actions">
              <SubmitButton busy={busy}>{t('ui.reauth.submit')}</SubmitButton>
              <button type="button" onClick={() => close(false)}>
                {t('ui.common.cancel')}
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </>
  );
}
