import { useState, type FormEvent } from 'react';
import { ApiError } from '../api.js';
import { api } from '../api-client.js';
import { Alert } from '../components/alert.js';
import { CurrentPasswordField, EmailField, SubmitButton } from '../components/form-fields.js';
import { splitErrors, type FormErrors } from '../errors.js';
import { useI18n } from '../i18n.js';
import { BackToApp } from '../components/back-to-app.js';
import { clearReturnTo, continueAfterSignIn, returnAppName, useReturnTo, withReturnTo } from '../return-to.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import { checkFields } from '../validation.js';
import { profilePageAfterSignIn } from './profile/profile-frame.js';

export const PENDING_EMAIL_KEY = 'lifeline.pendingEmail';

/**
 * The login email a finished password reset hands to the sign-in form (sessionStorage: this tab
 * only, never in the address bar): someone who came back by phone may not remember it.
 */
export const RESET_EMAIL_KEY = 'lifeline.resetEmail';

/** The address a reset left for the form, once (read and forgotten). */
function takeResetEmail(): string {
  const email = sessionStorage.getItem(RESET_EMAIL_KEY) ?? '';
  sessionStorage.removeItem(RESET_EMAIL_KEY);
  return email;
}

/**
 * "Anmelden": email and password; an unconfirmed address leads to the page that explains it.
 * Notices come as `?notice=` (after a password change, a reset, signing out, "Das war ich
 * nicht", and a scheduled deletion with its time in `at`); a sign-in that cancelled a scheduled
 * deletion passes its own notice on to the profile the same way.
 *
 * Sent here by a host application's sign-in (`?return_to=/oidc/interaction/<uid>`), or with a
 * return link to one of its pages (`?return_to=https://…` that ALLOWED_RETURN_ORIGINS allows), or
 * with one this browser remembered before a sign-up or a reset (return-to.ts), the page says so,
 * and a successful sign-in continues there instead of the profile; "Registrieren" and "Passwort
 * vergessen?" carry the way back, and "Zurück zu <App>" leaves without signing in.
 */
export function LoginPage() {
  const { t, locale } = useI18n();
  const { reload } = useSession();
  const { query } = useLocation();
  const notice = query.get('notice');
  const [email, setEmail] = useState(() => (notice === 'password-reset' ? takeResetEmail() : ''));
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const deleteAt = deletionTime(query.get('at'), locale);
  const returnTo = useReturnTo(query);
  const returnApp = returnAppName(returnTo);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const wrong = checkFields(t, { email: { kind: 'email', value: email }, password: { kind: 'password', value: password } });
    if (Object.keys(wrong).length > 0) {
      setErrors({ fields: wrong });
      return;
    }
    setBusy(true);
    setErrors({ fields: {} });
    let leaving = false;
    try {
      const signedIn = await api.session.signIn({ email, password });
      // Back to the host application (read again: a remembered one may have expired meanwhile).
      const continueTo = await continueAfterSignIn(query);
      if (continueTo) {
        clearReturnTo();
        // The button stays busy while the browser leaves: a second press must not sign in twice.
        leaving = true;
        window.location.assign(continueTo);
        return;
      }
      await reload();
      navigate(signedIn.deletionCancelled ? '/profile?notice=deletion-cancelled' : profilePageAfterSignIn(query.get('next')), { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'email-not-verified') {
        sessionStorage.setItem(PENDING_EMAIL_KEY, email);
        navigate('/verify-email');
        return;
      }
      setErrors(splitErrors(t, error, { 'validation-failed': 'email' }));
    } finally {
      if (!leaving) setBusy(false);
    }
  };

  return (
    <section className="card narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t('ui.login.title')}</h1>
      {notice === 'password-changed' ? <Alert kind="success">{t('ui.login.passwordChanged')}</Alert> : null}
      {notice === 'password-reset' ? <Alert kind="success">{t('ui.login.passwordReset')}</Alert> : null}
      {notice === 'signed-out' ? <Alert kind="info">{t('ui.login.signedOut')}</Alert> : null}
      {notice === 'deletion-scheduled' ? (
        <Alert kind="info">{deleteAt ? t('ui.login.deletionScheduled', { date: deleteAt }) : t('ui.login.deletionScheduledSoon')}</Alert>
      ) : null}
      {notice === 'account-secured' ? (
        <Alert kind="success">
          {t('ui.login.accountSecured')} <Link href="/forgot-password">{t('ui.login.forgot')}</Link>
        </Alert>
      ) : null}
      {returnTo ? <Alert kind="info">{returnApp ? t('ui.login.returnToApp', { app: returnApp }) : t('ui.login.returnTo')}</Alert> : null}
      <p>{t('ui.login.intro')}</p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <EmailField label={t('ui.common.email')} name="email" autoComplete="username" value={email} onChange={setEmail} error={errors.fields.email} />
        <CurrentPasswordField value={password} onChange={setPassword} error={errors.fields.password} />
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <div className="actions">
          <SubmitButton busy={busy}>{t('ui.login.submit')}</SubmitButton>
          <Link href={withReturnTo('/forgot-password', returnTo)}>{t('ui.login.forgot')}</Link>
        </div>
      </form>
      <p className="aside">
        {t('ui.login.noAccount')} <Link href={withReturnTo('/register', returnTo)}>{t('ui.login.register')}</Link>
      </p>
      {returnApp ? (
        <p className="aside">
          <BackToApp look="link" />
        </p>
      ) : null}
    </section>
  );
}

/** The time of a scheduled deletion (`at`, ISO 8601) in words ("14. März 2025 um 09:30"), or undefined if it is not one. */
function deletionTime(at: string | null, locale: string): string | undefined {
  const time = at === null ? Number.NaN : Date.parse(at);
  if (Number.isNaN(time)) return undefined;
  // On one line: "3." and "Dezember" apart would read badly.
  return new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeStyle: 'short' }).format(new Date(time)).replace(/ /g, '\u00a0');
}
