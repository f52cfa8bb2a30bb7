import { useState, type FormEvent } from 'react';
import { api, type AccountView } from '../../api.js';
import { Alert } from '../../components/alert.js';
import { Field, PasswordField } from '../../components/field.js';
import { splitErrors, wasCancelled } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useSession } from '../../session.js';

type Errors = { fields: Record<string, string>; form?: string };

/** "Anmeldung": the login e-mail with "Ändern", and "Passwort ändern". */
export function SignInSection({ account }: { account: AccountView }) {
  const { t } = useI18n();
  const { reload } = useSession();
  const [editingEmail, setEditingEmail] = useState(false);
  const [newEmail, setNewEmail] = useState('');
  const [emailErrors, setEmailErrors] = useState<Errors>({ fields: {} });
  const [emailSentTo, setEmailSentTo] = useState<string | undefined>();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [passwordErrors, setPasswordErrors] = useState<Errors>({ fields: {} });
  const [passwordChanged, setPasswordChanged] = useState(false);
  const [busy, setBusy] = useState(false);

  const changeEmail = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setEmailErrors({ fields: {} });
    try {
      // Outside the privileged window the API answers privilege-required: the password dialog opens and the request is sent again.
      await api('POST', '/api/v1/account/email', { newEmail });
      setEmailSentTo(newEmail);
      setEditingEmail(false);
      setNewEmail('');
    } catch (error) {
      if (!wasCancelled(error)) setEmailErrors(splitErrors(t, error, { 'same-as-current-email': 'newEmail', 'validation-failed': 'newEmail' }));
    } finally {
      setBusy(false);
    }
  };

  const changePassword = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setPasswordChanged(false);
    if (next !== repeat) {
      setPasswordErrors({ fields: { repeatPassword: t('ui.profile.signIn.mismatch') } });
      return;
    }
    setBusy(true);
    setPasswordErrors({ fields: {} });
    try {
      await api('PUT', '/api/v1/account/password', { currentPassword: current, newPassword: next });
      setPasswordChanged(true);
      setCurrent('');
      setNext('');
      setRepeat('');
      await reload();
    } catch (error) {
      setPasswordErrors(splitErrors(t, error, { 'wrong-password': 'currentPassword', 'password-*': 'newPassword', 'rate-limited': 'currentPassword' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="signin-title">
      <h2 id="signin-title">{t('ui.profile.signIn.title')}</h2>
      <div className="row">
        <div>
          <p className="label">{t('ui.profile.signIn.email')}</p>
          <p className="value">{account.email}</p>
        </div>
        {!editingEmail ? (
          <button type="button" onClick={() => setEditingEmail(true)} aria-expanded={editingEmail} aria-label={t('ui.profile.signIn.changeEmailLabel')}>
            {t('ui.profile.signIn.change')}
          </button>
        ) : null}
      </div>
      {emailSentTo ? <Alert kind="success">{t('ui.profile.signIn.emailSent', { email: emailSentTo })}</Alert> : null}
      {editingEmail ? (
        <form onSubmit={(event) => void changeEmail(event)} noValidate className="subform">
          <Field label={t('ui.profile.signIn.newEmail')} name="newEmail" type="email" autoComplete="email" inputMode="email" required autoFocus value={newEmail} onChange={(e) => setNewEmail(e.target.value)} error={emailErrors.fields.newEmail} />
          {emailErrors.form ? <Alert kind="error">{emailErrors.form}</Alert> : null}
          <div className="actions">
            <button type="submit" className="primary" aria-disabled={busy || undefined}>
              {t('ui.profile.signIn.emailSubmit')}
            </button>
            <button type="button" onClick={() => setEditingEmail(false)}>
              {t('ui.common.cancel')}
            </button>
          </div>
        </form>
      ) : null}

      <div className="subsection">
        <h3>{t('ui.profile.signIn.changePassword')}</h3>
        {passwordChanged ? <Alert kind="success">{t('ui.profile.signIn.passwordChanged')}</Alert> : null}
        <form onSubmit={(event) => void changePassword(event)} noValidate className="subform">
          <input type="email" name="username" autoComplete="username" value={account.email} readOnly hidden />
          <PasswordField label={t('ui.profile.signIn.currentPassword')} name="currentPassword" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} error={passwordErrors.fields.currentPassword} />
          <PasswordField label={t('ui.profile.signIn.newPassword')} name="newPassword" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} hint={t('ui.register.passwordHint')} error={passwordErrors.fields.newPassword} />
          <PasswordField label={t('ui.profile.signIn.repeatPassword')} name="repeatPassword" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} error={passwordErrors.fields.repeatPassword} />
          {passwordErrors.form ? <Alert kind="error">{passwordErrors.form}</Alert> : null}
          <div className="actions">
            <button type="submit" className="primary" aria-disabled={busy || undefined}>
              {t('ui.profile.signIn.passwordSubmit')}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}
