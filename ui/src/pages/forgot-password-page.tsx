import { useEffect, useState } from 'react';
import { api } from '../api-client.js';
import type { PhoneOptions } from '../api-types.js';
import { LoadingCard } from '../components/link-page.js';
import { useI18n } from '../i18n.js';
import { useReturnTo } from '../return-to.js';
import { useLocation } from '../router.js';
import { CodeStep } from './forgot-password/code-step.js';
import { channelOf, loadFlow, RESEND_COOLDOWN_MS, resumeStep, stepAfterVerify, type ForgotRequest } from './forgot-password/flow.js';
import { IdentifyStep } from './forgot-password/identify-step.js';
import { SharedStep, useSteps } from './forgot-password/shared-steps.js';

/**
 * "Passwort vergessen?" (docs/reference/product.md §5): 1. the login email, a recovery email or the recovery
 * phone number; 2. the code sent there (the same neutral text whether or not an account has
 * it); 3. the account, when the entry belongs to several; 4. the new password. After a reload
 * the page asks the flow (GET /password/forgot) and resumes at the code or the new password.
 * Each step's heading takes the focus when the user gets there. Opened from a host application's
 * sign-in (`?return_to=`), the way back is remembered (return-to.ts): the sign-in after the
 * reset continues there, also when the reset link is opened in another tab of this browser.
 */
export function ForgotPasswordPage() {
  const { t } = useI18n();
  const { step, focus, go, resume } = useSteps({ kind: 'loading' });
  const [phone, setPhone] = useState<PhoneOptions | undefined>();
  const [request, setRequest] = useState<ForgotRequest | undefined>();
  useReturnTo(useLocation().query);

  useEffect(() => {
    let current = true;
    const meta = api.meta().then(
      (answer) => answer.recoveryPhone,
      () => undefined,
    );
    void Promise.all([meta, loadFlow()]).then(([options, status]) => {
      if (!current) return;
      setPhone(options);
      resume(resumeStep(status) ?? { kind: 'identify' });
    });
    return () => {
      current = false;
    };
  }, [resume]);

  const startOver = () => go({ kind: 'identify' });

  switch (step.kind) {
    case 'loading':
      return <LoadingCard titleId="forgot-title" title={t('ui.forgot.title')} />;
    case 'identify':
      return (
        <IdentifyStep
          phone={phone}
          initial={request}
          focus={focus}
          onSent={(sent) => {
            setRequest(sent);
            go({ kind: 'code', channel: channelOf(sent.identifier), request: sent, resendAt: Date.now() + RESEND_COOLDOWN_MS });
          }}
        />
      );
    case 'code':
      return (
        <CodeStep
          channel={step.channel}
          request={step.request}
          resendAt={step.resendAt}
          focus={focus}
          onVerified={(accounts) => go(stepAfterVerify(accounts))}
          onStartOver={startOver}
        />
      );
    default:
      return <SharedStep key={step.kind} step={step} focus={focus} go={go} userInputs={request ? [request.identifier] : []} onStartOver={startOver} />;
  }
}
