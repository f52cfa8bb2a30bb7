import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.js';
import { api } from '../../api-client.js';
import type { AccountView } from '../../api-types.js';
import { ActionVerification } from '../../components/action-verification.js';
import { formatEventTime } from '../../security-events.js';
import { Alert } from '../../components/alert.js';
import { PasswordField } from '../../components/field.js';
import { CurrentPasswordField, EmailField, SubmitButton } from '../../components/form-fields.js';
import { splitErrors, wasCancelled, type FormErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useSession } from '../../session.js';

/** "Anmeldung": the login e-mail with "Ändern", and "Passwort ändern". */
export function SignInSection({ account }: { account: AccountView }) {
  const { t, locale } = useI18n();
  const { reload } = useSession();
  const [editingEmail, setEditingEmail] = useState(false);
  const [newEmail, setNewEmail] = useState('');
  const [emailErrors, setEmailErrors] = useState<FormErrors>({ fields: {} });
  const [emailSentTo, setEmailSentTo] = useState<{ email: string; effectiveAt?: string } | undefined>();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [passwordErrors, setPasswordErrors] = useState<FormErrors>({ fields: {} });
  const [passwordChanged, setPasswordChanged] = useState(false);
  const [busy, setBusy] = useState(false);

  /** The new address waiting for a code (a settled channel of the account must confirm the change). */
  const [verifying, setVerifying] = useState<string | undefined>();
  /**
   * "Ändern" takes the focus back when the form or the code step closes (sent or cancelled):
   * the control that had it is gone, and a keyboard user would start again at the top.
   */
  const changeButton = useRef<HTMLButtonElement>(null);
  const [refocus, setRefocus] = useState(0);
  useEffect(() => {
    if (refocus > 0) changeButton.current?.focus();
  }, [refocus]);
  const closeEmail = () => {
    setEditingEmail(false);
    setVerifying(undefined);
    setRefocus((n) => n + 1);
  };

  const sendEmailChange = async (address: string, verificationId?: string) => {
    if (busy) return;
    setBusy(true);
    setEmailErrors({ fields: {} });
    try {
      // Outside the privileged window the API answers privilege-required: the password dialog opens and the request is sent again.
      const accepted = await api.account.changeEmail(verificationId ? { newEmail: address, verificationId } : { newEmail: address });
      setEmailSentTo({ email: address, ...(accepted.effectiveAt ? { effectiveAt: accepted.effectiveAt } : {}) });
      setNewEmail('');
      closeEmail();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'verification-required') setVerifying(address);
      else if (!wasCancelled(error)) {
        setVerifying(undefined);
        setEmailErrors(splitErrors(t, error, { 'same-as-current-email': 'newEmail', 'validation-failed': 'newEmail' }));
      }
    } finally {
      setBusy(false);
    }
  };
  const changeEmail = (event: FormEvent) => {
    event.preventDefault();
    void sendEmailChange(newEmail);
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
      await api.account.changePassword({ currentPassword: current, newPassword: next });
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
          {account.pendingEmail ? (
            <p className="hint pending-email">
              {t('ui.profile.signIn.pendingEmail', {
                email: account.pendingEmail.email,
                date: formatEventTime(account.pendingEmail.effectiveAt, locale, account.timeZone),
              })}
            </p>
          ) : null}
        </div>
        {!editingEmail ? (
          <button
            ref={changeButton}
            type="button"
            onClick={() => setEditingEmail(true)}
            aria-expanded={editingEmail}
            aria-label={t('ui.profile.signIn.changeEmailLabel')}
          >
            {t('ui.profile.signIn.change')}
          </button>
        ) : null}
      </div>
      {emailSentTo ? (
        <Alert kind="success">
          {emailSentTo.effectiveAt
            ? // No channel confirmed 7 days ago verified it: it waits, and the old address may cancel it.
              t('ui.profile.signIn.emailSentWaiting', { email: emailSentTo.email, date: formatEventTime(emailSentTo.effectiveAt, locale, account.timeZone) })
            : t('ui.profile.signIn.emailSent', { email: emailSentTo.email })}
        </Alert>
      ) : null}
      {editingEmail && verifying !== undefined ? (
        <div className="subform">
          <ActionVerification
            action="lifeline.change-login-email"
            headingLevel={3}
            intro={t('ui.profile.signIn.verifyIntro', { email: verifying })}
            unavailableReason={t('ui.profile.signIn.verifyTooYoung')}
            onVerified={(id) => void sendEmailChange(verifying, id)}
            onCancel={closeEmail}
          />
          {emailErrors.form ? <Alert kind="error">{emailErrors.form}</Alert> : null}
        </div>
      ) : editingEmail ? (
        <form onSubmit={changeEmail} noValidate className="subform">
          <EmailField
            label={t('ui.profile.signIn.newEmail')}
            name="newEmail"
            autoComplete="email"
            autoFocus
            value={newEmail}
            onChange={setNewEmail}
            error={emailErrors.fields.newEmail}
          />
          {emailErrors.form ? <Alert kind="error">{emailErrors.form}</Alert> : null}
          <div className="actions">
            <SubmitButton busy={busy}>{t('ui.profile.signIn.emailSubmit')}</SubmitButton>
            <button type="button" onClick={closeEmail}>
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
          <CurrentPasswordField
            label={t('ui.profile.signIn.currentPassword')}
            name="currentPassword"
            value={current}
            onChange={setCurrent}
            error={passwordErrors.fields.currentPassword}
          />
          <PasswordField
            label={t('ui.profile.signIn.newPassword')}
            name="newPassword"
            autoComplete="new-password"
            required
            value={next}
            onChange={(e) => setNext(e.target.value)}
            hint={t('ui.register.passwordHint')}
            error={passwordErrors.fields.newPassword}
          />
          <PasswordField
            label={t('ui.profile.signIn.repeatPassword')}
            name="repeatPassword"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            error={passwordErrors.fields.repeatPassword}
          />
          {passwordErrors.form ? <Alert kind="error">{passwordErrors.form}</Alert> : null}
          <div className="actions">
            <SubmitButton busy={busy}>{t('ui.profile.signIn.passwordSubmit')}</SubmitButton>
          </div>
        </form>
      </div>
    </section>
  );
}
