import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.js';
import { api } from '../../api-client.js';
import type { VerificationDone } from '../../api-types.js';
import { CodeField, isWholeCode, typedCode } from '../../components/code-field.js';
import { useCountdown } from '../../components/countdown.js';
import { SubmitButton } from '../../components/form-fields.js';
import { LinkCard } from '../../components/link-page.js';
import { ResendControls } from '../../components/resend-controls.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import type { CodeState } from './verify-action-state.js';

/** Answers to a code that mean the record is no longer pending: the page says where it stands instead of "0 tries left". */
const ENDED: readonly string[] = ['verification-expired', 'verification-not-redeemable', 'link-expired'];

/** The code that was sent, "Bestätigen", and the ways on: send again (after 60 s), another channel. */
export function CodeStep({
  token,
  state,
  onVerified,
  onEnded,
  onOther,
  onResend,
  resendError,
}: {
  token: string;
  state: CodeState;
  onVerified: (done: VerificationDone) => void;
  /** The record is no longer pending (failed by the last wrong code, expired, verified elsewhere). */
  onEnded: () => void;
  onOther: () => void;
  onResend: () => void;
  resendError: string | undefined;
}) {
  const { t } = useI18n();
  const kind = state.channel === 'recovery-phone' ? 'sms' : 'email';
  const sms = kind === 'sms';
  const others = state.page.channels.some((choice) => choice.allowed && choice.channel !== state.channel);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.verifyAction.${key}`, params);
  const wait = useCountdown(state.resendAt);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const value = typedCode(code);
    if (!isWholeCode(kind, value)) {
      setFieldError(sms ? say('requiredSms') : say('requiredEmail'));
      return;
    }
    setBusy(true);
    setFieldError(undefined);
    try {
      onVerified(await api.verificationPage.enterCode({ token, code: value }));
    } catch (failure) {
      // The last wrong try fails the record: no "0 tries left", the page says that it is over.
      if (failure instanceof ApiError && (ENDED.includes(failure.code) || (failure.code === 'wrong-code' && failure.triesLeft === 0))) onEnded();
      else setFieldError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <LinkCard titleId="verify-title" title={say('codeTitle')} headingRef={heading}>
      <p>{say('intro', { requester: state.page.requester, action: state.page.action })}</p>
      <p className="step-intro">{say(sms ? 'sentSms' : 'sentEmail', { sentTo: state.sentTo })}</p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <CodeField
          kind={kind}
          label={sms ? say('labelSms') : say('labelEmail')}
          value={code}
          onChange={(value) => {
            setCode(value);
            setFieldError(undefined);
          }}
          error={fieldError}
        />
        <div className="actions">
          <SubmitButton busy={busy}>{say('confirm')}</SubmitButton>
        </div>
      </form>
      <ResendControls
        belowForm
        label={say('resend')}
        unavailable={wait > 0}
        waitHint={wait > 0 ? say('resendIn', { count: wait }) : undefined}
        onResend={() => wait === 0 && onResend()}
        message={resendError ? { kind: 'error', text: resendError } : undefined}
        other={others ? { label: say('other'), onClick: onOther } : undefined}
      />
    </LinkCard>
  );
}
