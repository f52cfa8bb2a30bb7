import { useEffect } from 'react';
import { api } from '../api-client.js';
import { Alert } from '../components/alert.js';
import { LoadingCard, useLinkButton } from '../components/link-page.js';
import { useLinkToken } from '../link-token.js';
import { useI18n } from '../i18n.js';
import { useReturnTo } from '../return-to.js';
import { useLocation } from '../router.js';
import { loadFlow, stepAfterVerify } from './forgot-password/flow.js';
import { SharedStep, useSteps } from './forgot-password/shared-steps.js';
import { StepCard } from './forgot-password/step-card.js';

/**
 * The page the link in the "Passwort vergessen?" email opens (/reset-password?token=…).
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

  const verify = useLinkButton(
    async () => {
      const result = await api.passwordReset.verify({ token });
      go(stepAfterVerify(result.accounts));
    },
    ['link-expired', 'code-expired', 'validation-failed'],
    () => go({ kind: 'gone', reason: 'link-expired' }),
  );

  if (step.kind === 'loading') return <LoadingCard titleId="reset-title" title={say('title')} />;
  if (step.kind === 'link') {
    return (
      <StepCard id="reset-title" title={say('title')} focus={focus}>
        <p>{say('intro')}</p>
        <p className="muted">{say('notRequested')}</p>
        {verify.error ? <Alert kind="error">{verify.error}</Alert> : null}
        <div className="actions">
          <button type="button" className="primary" aria-disabled={verify.busy || undefined} onClick={() => void verify.press()}>
            {say('submit')}
          </button>
        </div>
      </StepCard>
    );
  }
  return <SharedStep key={step.kind} step={step} focus={focus} go={go} userInputs={[]} />;
}
