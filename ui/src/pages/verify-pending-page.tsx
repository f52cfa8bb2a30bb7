import { useState } from 'react';
import { api } from '../api-client.js';
import { Alert } from '../components/alert.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { PENDING_EMAIL_KEY } from './login-page.js';

/** After signing in with an unconfirmed address: what to do, and "Link erneut senden". */
export function VerifyPendingPage() {
  const { t } = useI18n();
  const email = sessionStorage.getItem(PENDING_EMAIL_KEY) ?? '';
  const [state, setState] = useState<{ kind: 'idle' | 'sent' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);

  const resend = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await api.signup.resendLink({ email });
      setState({ kind: 'sent' });
    } catch (error) {
      setState({ kind: 'error', message: errorMessage(t, error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">{t('ui.verify.title')}</h1>
      <p>{t('ui.verify.intro', { email })}</p>
      <p>{t('ui.verify.noMail')}</p>
      {state.kind === 'sent' ? <Alert kind="success">{t('ui.verify.resent')}</Alert> : null}
      {state.kind === 'error' ? <Alert kind="error">{state.message}</Alert> : null}
      <div className="actions">
        <button type="button" className="primary" disabled={email === ''} aria-disabled={busy || undefined} onClick={() => void resend()}>
          {t('ui.verify.resend')}
        </button>
        <Link href="/login">{t('ui.confirm.toLogin')}</Link>
      </div>
    </section>
  );
}
