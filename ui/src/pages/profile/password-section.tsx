import { useId, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { AccountView } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { PasswordField } from '../../components/field.js';
import { CurrentPasswordField, SubmitButton } from '../../components/form-fields.js';
import { splitErrors, type FormErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useSession } from '../../session.js';

/**
 * "Passwort" on the page "Anmeldung & Passwort": closed behind "Passwort ändern", which opens
 * the form with the focus in its first field (three password fields nobody came for would make
 * the page long and invite the browser to fill them). "Abbrechen" closes it and gives the focus
 * back to the button; after the change the form closes and the focus is on the message.
 */
export function PasswordSection({ account }: { account: AccountView }) {
  const { t } = useI18n();
  const { reload } = useSession();
  const ids = useId();
  const [open, setOpen] = useState(false);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const message = useRef<HTMLDivElement>(null);

  const reset = () => {
    setCurrent('');
    setNext('');
    setRepeat('');
    setErrors({ fields: {} });
  };

  const openForm = () => {
    flushSync(() => {
      reset();
      setChanged(false);
      setOpen(true);
    });
    document.getElementById(`${ids}-current`)?.focus();
  };

  const close = () => {
    flushSync(() => {
      setOpen(false);
      reset();
    });
    opener.current?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (next !== repeat) {
      setErrors({ fields: { repeatPassword: t('ui.profile.signIn.mismatch') } });
      return;
    }
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await api.account.changePassword({ currentPassword: current, newPassword: next });
      flushSync(() => {
        setOpen(false);
        reset();
        setChanged(true);
      });
      // The form is gone: the focus goes to the message, not lost on the page.
      message.current?.focus();
      await reload();
    } catch (error) {
      setErrors(splitErrors(t, error, { 'wrong-password': 'currentPassword', 'password-*': 'newPassword', 'rate-limited': 'currentPassword' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{t('ui.profile.signIn.passwordTitle')}</h2>
      <p>{t('ui.profile.signIn.passwordIntro')}</p>
      <div ref={message} tabIndex={-1} className="recovery-message">
        {changed ? <Alert kind="success">{t('ui.profile.signIn.passwordChanged')}</Alert> : null}
      </div>
      {open ? (
        <form onSubmit={(event) => void submit(event)} noValidate className="subform">
          <input type="email" name="username" autoComplete="username" value={account.email} readOnly hidden />
          <CurrentPasswordField
            id={`${ids}-current`}
            label={t('ui.profile.signIn.currentPassword')}
            name="currentPassword"
            value={current}
            onChange={setCurrent}
            error={errors.fields.currentPassword}
          />
          <PasswordField
            label={t('ui.profile.signIn.newPassword')}
            name="newPassword"
            autoComplete="new-password"
            required
            value={next}
            onChange={(e) => setNext(e.target.value)}
            hint={t('ui.register.passwordHint')}
            error={errors.fields.newPassword}
          />
          <PasswordField
            label={t('ui.profile.signIn.repeatPassword')}
            name="repeatPassword"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            error={errors.fields.repeatPassword}
          />
          {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
          <div className="actions">
            <SubmitButton busy={busy}>{t('ui.profile.signIn.passwordSubmit')}</SubmitButton>
            <button type="button" onClick={close}>
              {t('ui.common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button ref={opener} type="button" onClick={openForm}>
            {t('ui.profile.signIn.changePassword')}
          </button>
        </div>
      )}
    </section>
  );
}
