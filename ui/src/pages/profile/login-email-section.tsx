import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.js';
import { api } from '../../api-client.js';
import type { AccountView } from '../../api-types.js';
import { ActionVerification } from '../../components/action-verification.js';
import { Alert } from '../../components/alert.js';
import { EmailField, SubmitButton } from '../../components/form-fields.js';
import { splitErrors, wasCancelled, type FormErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useAccountTime } from './account-time.js';

/**
 * "E-Mail-Adresse für die Anmeldung" on the page "Anmeldung & Passwort": the address with
 * "Ändern" (a link to the new address; a code to a confirmed channel first where the account has
 * one), and a change that waits its 7 days.
 */
export function LoginEmailSection({ account }: { account: AccountView }) {
  const { t } = useI18n();
  const { at } = useAccountTime();
  const [editingEmail, setEditingEmail] = useState(false);
  const [newEmail, setNewEmail] = useState('');
  const [emailErrors, setEmailErrors] = useState<FormErrors>({ fields: {} });
  const [emailSentTo, setEmailSentTo] = useState<{ email: string; effectiveAt?: string } | undefined>();
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

  return (
    <section className="card" aria-labelledby="signin-title">
      <h2 id="signin-title">{t('ui.profile.signIn.email')}</h2>
      <div className="row">
        <div>
          <p className="value">{account.email}</p>
          {account.pendingEmail ? (
            <p className="hint pending-email">
              {t('ui.profile.signIn.pendingEmail', {
                email: account.pendingEmail.email,
                date: at(account.pendingEmail.effectiveAt),
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
              t('ui.profile.signIn.emailSentWaiting', { email: emailSentTo.email, date: at(emailSentTo.effectiveAt) })
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
    </section>
  );
}
