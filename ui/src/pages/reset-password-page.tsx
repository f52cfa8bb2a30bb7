import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { Alert } from '../components/alert.js';
import { errorMessage } from '../errors.js';
import { useLinkToken } from '../link-token.js';
import { useI18n } from '../i18n.js';
import { useReturnTo } from '../return-to.js';
import { useLocation } from '../router.js';
import { loadFlow, problemCode, stepAfterVerify, type Verified } from './forgot-password/flow.js';
import { SharedStep, useSteps } from './forgot-password/shared-steps.js';
import { StepHeading } from './forgot-password/step-heading.js';

/**
 * The page the link in the "Passwort vergessen?" e-mail opens (/reset-password?token=…).
 * Opening it changes nothing (mail scanners open links): the button sends the token. Then the
 * forgot page's steps: the account choice when needed, the new password. Opened again without
 * the token (a reload), it resumes a flow this browser has already verified. A `return_to` of
 * its address (or one this browser remembered) is carried to the sign-in after the reset, which
 * then goes back there (return-to.ts).
 */
export function ResetPasswordPage() {
  const { t } = useI18n();
  const token = useLinkToken();
  useReturnTo(useLocation().query);
  const { step, focus, go, resume } = useSteps(token ? { kind: 'link' } : { kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const say = (key: string) => t(`ui.forgot.link.${key}`);

  useEffect(() => {
    if (token) return;
    let current = true;
    void loadFlow().then((status) => {
      if (current) resume(status.stage === 'verified' ? stepAfterVerify(status.accounts) : { kind: 'gone', reason: 'missing-link' });
    });
    return () => {
      current = false;
    };
  }, [token, resume]);

  const verify = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await api<Verified>('POST', '/api/v1/password/forgot/verify', { token });
      go(stepAfterVerify(result.accounts));
    } catch (failure) {
      const problem = problemCode(failure);
      if (problem === 'link-expired' || problem === 'code-expired' || problem === 'validation-failed') go({ kind: 'gone', reason: 'link-expired' });
      else setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  if (step.kind === 'loading') {
    return (
      <section className="card narrow" aria-labelledby="reset-title" aria-busy="true">
        <h1 id="reset-title">{say('title')}</h1>
        <p>{t('ui.common.loading')}</p>
      </section>
    );
  }
  if (step.kind === 'link') {
    return (
      <section className="card narrow" aria-labelledby="reset-title">
        <StepHeading id="reset-title" focus={focus}>
          {say('title')}
        </StepHeading>
        <p>{say('intro')}</p>
        <p className="muted">{say('notRequested')}</p>
        {error ? <Alert kind="error">{error}</Alert> : null}
        <div className="actions">
          <button type="button" className="primary" aria-disabled={busy || undefined} onClick={() => void verify()}>
            {say('submit')}
          </button>
        </div>
      </section>
    );
  }
  return <SharedStep key={step.kind} step={step} focus={focus} go={go} userInputs={[]} />;
}
