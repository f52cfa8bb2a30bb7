import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api-client.js';
import { Alert } from '../components/alert.js';
import { EmailField, NewPasswordField, SubmitButton } from '../components/form-fields.js';
import { splitErrors, type FormErrors } from '../errors.js';
import { useI18n } from '../i18n.js';
import { checkFields } from '../validation.js';
import { returnAppName, useReturnTo, withReturnTo } from '../return-to.js';
import { Link, useLocation } from '../router.js';

/**
 * "Registrieren": the answer is the same whether or not the address has an account. Sent here
 * from a host application (`?return_to=`, return-to.ts), the page says that signing in after
 * the confirmation continues there (naming the application of a return link), and its links to
 * the sign-in carry the way back.
 */
export function RegisterPage() {
  const { t, locale } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [sentTo, setSentTo] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const returnTo = useReturnTo(useLocation().query);
  const signInHref = withReturnTo('/login', returnTo);
  const returnApp = returnAppName(returnTo);
  const returnHint = returnApp ? t('ui.register.returnToApp', { app: returnApp }) : t('ui.register.returnTo');

  useEffect(() => setErrors({ fields: {} }), [locale]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const wrong = checkFields(t, { email: { kind: 'email', value: email }, password: { kind: 'new-password', value: password } });
    if (Object.keys(wrong).length > 0) {
      setErrors({ fields: wrong });
      return;
    }
    setBusy(true);
    setErrors({ fields: {} });
    try {
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      await api.signup.register({ email, password, locale, ...(timeZone ? { timeZone } : {}) });
      setSentTo(email);
    } catch (error) {
      setErrors(splitErrors(t, error, { 'password-*': 'password', 'invalid-time-zone': 'email' }));
    } finally {
      setBusy(false);
    }
  };

  if (sentTo) {
    return (
      <section className="card narrow" aria-labelledby="register-done">
        <h1 id="register-done">{t('ui.register.doneTitle')}</h1>
        <Alert kind="success">{t('ui.register.done', { email: sentTo })}</Alert>
        {returnTo ? <p>{returnHint}</p> : null}
        <p>
          <Link href={signInHref}>{t('ui.register.signIn')}</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="card narrow" aria-labelledby="register-title">
      <h1 id="register-title">{t('ui.register.title')}</h1>
      {returnTo ? <Alert kind="info">{returnHint}</Alert> : null}
      <p>{t('ui.register.intro')}</p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <EmailField label={t('ui.common.email')} name="email" autoComplete="email" value={email} onChange={setEmail} error={errors.fields.email} />
        <NewPasswordField label={t('ui.common.password')} value={password} onChange={setPassword} error={errors.fields.password} userInputs={[email]} />
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <div className="actions">
          <SubmitButton busy={busy}>{t('ui.register.submit')}</SubmitButton>
        </div>
      </form>
      <p className="aside">
        {t('ui.register.haveAccount')} <Link href={signInHref}>{t('ui.register.signIn')}</Link>
      </p>
    </section>
  );
}
