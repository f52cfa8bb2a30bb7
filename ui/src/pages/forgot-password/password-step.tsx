import { useState, type FormEvent } from 'react';
import { api } from '../../api-client.js';
import { Alert } from '../../components/alert.js';
import { PasswordField } from '../../components/field.js';
import { NewPasswordField, SubmitButton } from '../../components/form-fields.js';
import { splitErrors, type FormErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { signInHref } from '../../return-to.js';
import { navigate } from '../../router.js';
import { useSession } from '../../session.js';
import { problemCode, type AccountChoice } from './flow.js';
import { RESET_EMAIL_KEY } from '../login-page.js';
import { BackToSignInAside, StepCard } from './step-card.js';

/**
 * Step 4: the new password, twice (checked here, before anything is sent), with the strength
 * meter of the sign-up page. The server signs the account out everywhere and does not sign it
 * in: on success the sign-in page says that the password was changed. A flow that ran out
 * (`reset-expired`) and a missing choice of account (`account-required`) go to the parent.
 */
export function PasswordStep({
  account,
  canChooseAccount,
  userInputs,
  focus,
  onAccountRequired,
  onChooseOtherAccount,
  onExpired,
}: {
  account: AccountChoice | undefined;
  /** Several accounts were offered: "Anderes Konto wählen" goes back to the choice. */
  canChooseAccount: boolean;
  /** What the user typed (their address), so the strength meter counts it as guessable. */
  userInputs: readonly string[];
  focus: boolean;
  onAccountRequired: () => void;
  onChooseOtherAccount: () => void;
  onExpired: () => void;
}) {
  const { t } = useI18n();
  const { reload } = useSession();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.forgot.password.${key}`, params);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (password === '') {
      setErrors({ fields: { password: say('required') } });
      return;
    }
    if (repeat === '') {
      setErrors({ fields: { repeat: say('repeatRequired') } });
      return;
    }
    if (repeat !== password) {
      setErrors({ fields: { repeat: say('mismatch') } });
      return;
    }
    setBusy(true);
    setErrors({ fields: {} });
    try {
      const done = await api.passwordReset.setPassword({ password, ...(account ? { accountId: account.id } : {}) });
      sessionStorage.setItem(RESET_EMAIL_KEY, done.email);
      // A session of this browser was revoked with all others: the header must not say "signed in".
      await reload();
      navigate(signInHref('/login?notice=password-reset'));
    } catch (failure) {
      const problem = problemCode(failure);
      if (problem === 'reset-expired') onExpired();
      else if (problem === 'account-required') onAccountRequired();
      else setErrors(splitErrors(t, failure, { 'password-*': 'password', 'validation-failed': 'password' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <StepCard id="forgot-password-title" title={say('title')} focus={focus}>
      <p>{say('intro')}</p>
      {account ? (
        <p className="step-intro">
          {say('account', { email: account.maskedEmail })}
          {canChooseAccount ? (
            <>
              {' '}
              <button type="button" className="link-button" onClick={onChooseOtherAccount}>
                {say('otherAccount')}
              </button>
            </>
          ) : null}
        </p>
      ) : null}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <NewPasswordField
          label={say('label')}
          value={password}
          onChange={(value) => {
            setPassword(value);
            setErrors({ fields: {} });
          }}
          error={errors.fields.password}
          userInputs={userInputs}
        />
        <PasswordField
          label={say('repeat')}
          name="repeat"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(event) => {
            setRepeat(event.target.value);
            setErrors((current) => (current.fields.repeat ? { fields: {} } : current));
          }}
          error={errors.fields.repeat}
        />
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <div className="actions">
          <SubmitButton busy={busy}>{say('submit')}</SubmitButton>
        </div>
      </form>
      <BackToSignInAside />
    </StepCard>
  );
}
