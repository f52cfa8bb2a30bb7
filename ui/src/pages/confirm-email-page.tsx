import { useState } from 'react';
import { api } from '../api.js';
import { Alert } from '../components/alert.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { Link, useLocation } from '../router.js';
import { useSession } from '../session.js';

/**
 * The page a confirmation link opens. Opening it changes nothing: the button sends the POST
 * (mail scanners open links; they must not confirm). `change` is the new login e-mail's page.
 */
export function ConfirmEmailPage({ change }: { change: boolean }) {
  const { t } = useI18n();
  const { query } = useLocation();
  const { reload } = useSession();
  const token = query.get('token') ?? '';
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'done'; email: string } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);

  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const result = await api<{ email: string }>('POST', change ? '/api/v1/account/email/confirm' : '/api/v1/signup/confirm', { token });
      setState({ kind: 'done', email: result.email });
      if (change) await reload();
    } catch (error) {
      setState({ kind: 'error', message: errorMessage(t, error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow" aria-labelledby="confirm-title">
      <h1 id="confirm-title">{t(change ? 'ui.confirm.titleChange' : 'ui.confirm.title')}</h1>
      {token === '' ? <Alert kind="error">{t('ui.confirm.missingToken')}</Alert> : null}
      {state.kind === 'done' ? (
        <>
          <Alert kind="success">{t(change ? 'ui.confirm.doneChange' : 'ui.confirm.done', { email: state.email })}</Alert>
          <p>
            <Link href={change ? '/profile' : '/login'}>{t(change ? 'ui.confirm.toProfile' : 'ui.confirm.toLogin')}</Link>
          </p>
        </>
      ) : (
        <>
          <p>{t(change ? 'ui.confirm.introChange' : 'ui.confirm.intro')}</p>
          {state.kind === 'error' ? <Alert kind="error">{state.message}</Alert> : null}
          <div className="actions">
            <button type="button" className="primary" disabled={token === ''} aria-disabled={busy || undefined} onClick={() => void confirm()}>
              {t(change ? 'ui.confirm.submitChange' : 'ui.confirm.submit')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
