import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.js';
import { api } from '../../api-client.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { formatClockTime } from '../../security-events.js';
import { CodeField, isWholeCode, typedCode } from '../code-field.js';
import { useCountdown } from '../countdown.js';
import { SubmitButton } from '../form-fields.js';
import { ResendControls } from '../resend-controls.js';
import { isRecordOver, StepBox, type CodeState, type SendProblem, type StepFrame, type VerificationNotice } from './verification-steps.js';

/** The code that was sent, "Bestätigen", and the ways on: send it again (after 60 s), another channel. */
export function EnterCodeStep({
  frame,
  step,
  onVerified,
  onOther,
  restart,
  resend,
}: {
  frame: StepFrame;
  step: CodeState;
  onVerified: (id: string) => void;
  onOther: () => void;
  restart: (why: VerificationNotice) => Promise<void>;
  resend: () => Promise<SendProblem | undefined>;
}) {
  const { t, locale } = useI18n();
  const codeId = `${useId()}-code`;
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.actionVerification.${key}`, params);
  const kind = step.channel === 'recovery-phone' ? 'sms' : 'email';
  const sms = kind === 'sms';
  const others = step.record.channels.some((option) => option.allowed && option.channel !== step.channel);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  /** The code is dead (410): "Code erneut senden" becomes the main action once it can be pressed. */
  const [expired, setExpired] = useState(false);
  /** A refused resend's Retry-After, when it is later than the step's own minute. */
  const [retryAt, setRetryAt] = useState(0);
  const [resendProblem, setResendProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const wait = useCountdown(Math.max(step.resendAt, retryAt));

  const focusField = () => document.getElementById(codeId)?.focus();
  const time = formatClockTime(step.codeExpiresAt, locale);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const value = typedCode(code);
    if (!isWholeCode(kind, value)) {
      setError(sms ? say('requiredSms') : say('requiredEmail'));
      focusField();
      return;
    }
    setBusy(true);
    setError(undefined);
    setResendProblem(undefined);
    try {
      const verified = await api.accountVerifications.enterCode(step.record.id, { code: value });
      onVerified(verified.id);
    } catch (failure) {
      // No longer pending but not failed by this step: most likely the email's link verified it
      // (in any browser). The action's own request decides; should the record not be verified,
      // that request refuses it and the caller starts afresh.
      if (failure instanceof ApiError && failure.code === 'verification-not-redeemable') {
        onVerified(step.record.id);
        return;
      }
      // The last wrong try fails the record, and an ended record takes no code: a new record, and the choice again.
      if (failure instanceof ApiError && ((failure.code === 'wrong-code' && failure.triesLeft === 0) || isRecordOver(failure))) {
        await restart({ kind: 'error', text: failure.code === 'wrong-code' ? errorMessage(t, failure) : say('restarted') });
        return;
      }
      if (failure instanceof ApiError && failure.code === 'code-expired') setExpired(true);
      setError(errorMessage(t, failure));
      focusField();
    } finally {
      setBusy(false);
    }
  };

  const sendAgain = async () => {
    if (busy || wait > 0) return;
    setBusy(true);
    setResendProblem(undefined);
    const problem = await resend();
    setBusy(false);
    if (problem) {
      setResendProblem(problem.message);
      if (problem.retryAfter) setRetryAt(Date.now() + problem.retryAfter * 1000);
      return;
    }
    // A new code: the old one is dead, so is what was said about it.
    setCode('');
    setError(undefined);
    setExpired(false);
  };

  const resendIsMain = expired && wait === 0;

  return (
    <StepBox frame={frame} title={say('codeTitle')} intro={say(sms ? 'sentSms' : 'sentEmail', { sentTo: step.sentTo.replace(/ /g, '\u00a0'), time })}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <CodeField
          id={codeId}
          kind={kind}
          label={sms ? say('labelSms') : say('labelEmail')}
          value={code}
          onChange={(value) => {
            setCode(value);
            setError(undefined);
          }}
          hint={sms ? say('hintSms') : say('hintEmail')}
          error={error}
        />
        <ResendControls
          label={say('resend')}
          main={resendIsMain}
          unavailable={busy || wait > 0}
          waitHint={wait > 0 ? say('resendIn', { count: wait }) : undefined}
          onResend={() => void sendAgain()}
          message={resendProblem ? { kind: 'error', text: resendProblem } : step.resent > 0 ? { kind: 'info', text: say('resent') } : undefined}
          other={others ? { label: say('other'), onClick: onOther } : undefined}
        />
        <div className="actions">
          <SubmitButton busy={busy} look={resendIsMain ? 'plain' : 'primary'}>
            {say('confirm')}
          </SubmitButton>
          {frame.cancelButton}
        </div>
      </form>
    </StepBox>
  );
}
