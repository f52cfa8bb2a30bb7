import { useId, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { ApiError } from '../../api.js';
import { api } from '../../api-client.js';
import { Alert } from '../../components/alert.js';
import { CodeField, isWholeCode, typedCode } from '../../components/code-field.js';
import { Field } from '../../components/field.js';
import { useCountdown } from '../../components/countdown.js';
import { useSmsCode } from '../../components/web-otp.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { problemCode, RESEND_COOLDOWN_MS, type AccountChoice, type Channel, type ForgotRequest } from './flow.js';
import { StepCard } from './step-card.js';

/**
 * Step 2: the code from the email or SMS, and "Bestätigen". The text stays neutral ("Falls …
 * zu einem Konto gehört"). A wrong code says how many tries are left; a dead code offers
 * "Neuen Code anfordern". "Code erneut senden" sends the same request again, 60 s after the
 * last one at the earliest (a visible countdown), and says that it brings no new tries. After a
 * reload the entry is unknown: instead of sending again, the step offers to start anew.
 *
 * By email, "Wiederherstellungscode verwenden" turns the field into one for a recovery code
 * (docs/api.md "Forgot password": it works only in a flow asked for with the login email, and
 * answers like the mailed code, so the words stay as neutral as the rest of the step);
 * "Code aus der E-Mail verwenden" turns it back.
 */
export function CodeStep({
  channel,
  request,
  resendAt: initialResendAt,
  focus,
  onVerified,
  onStartOver,
}: {
  channel: Channel;
  /** What was sent; absent when the page resumed a flow after a reload. */
  request: ForgotRequest | undefined;
  resendAt: number;
  focus: boolean;
  onVerified: (accounts: readonly AccountChoice[] | undefined) => void;
  onStartOver: () => void;
}) {
  const { t } = useI18n();
  const ids = useId();
  const section = useRef<HTMLElement>(null);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [resendMessage, setResendMessage] = useState<{ kind: 'info' | 'error'; text: string } | undefined>();
  const [expired, setExpired] = useState(false);
  /** The field takes a recovery code instead of the mailed one. */
  const [recovery, setRecovery] = useState(false);
  const [recoveryCode, setRecoveryCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [resendAt, setResendAt] = useState(initialResendAt);
  const seconds = useCountdown(resendAt);
  const locked = seconds > 0;
  const email = channel === 'email';
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.forgot.code.${key}`, params);

  useSmsCode(channel === 'sms', (received) => {
    setCode(received);
    setFieldError(undefined);
  });

  const required = recovery ? say('requiredRecovery') : email ? say('requiredEmail') : say('requiredSms');

  const verify = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const value = typedCode(recovery ? recoveryCode : code).toUpperCase();
    if (recovery ? !isRecoveryCode(value) : !isWholeCode(channel, value)) {
      setFieldError(required);
      return;
    }
    setBusy(true);
    setFieldError(undefined);
    setFormError(undefined);
    try {
      const result = await api.passwordReset.verify(recovery ? { recoveryCode: value } : { code: value });
      onVerified(result.accounts);
    } catch (failure) {
      const problem = problemCode(failure);
      if (problem === 'wrong-code') {
        const left = failure instanceof ApiError ? failure.triesLeft : undefined;
        if (left === 0) {
          setExpired(true);
          setFieldError(recovery ? say('noTriesLeftRecovery') : say('noTriesLeft'));
        } else if (left === undefined && failure instanceof ApiError && failure.detail !== '') {
          setFieldError(failure.detail);
        } else {
          setFieldError(errorMessage(t, failure));
        }
      } else if (problem === 'code-expired') {
        setExpired(true);
        setFormError(errorMessage(t, failure));
      } else if (problem === 'validation-failed') {
        setFieldError(required);
      } else {
        setFormError(errorMessage(t, failure));
      }
    } finally {
      setBusy(false);
    }
  };

  const resend = async () => {
    if (!request || busy || locked) return;
    setBusy(true);
    setResendMessage(undefined);
    try {
      await api.passwordReset.sendCode(request);
      setResendAt(Date.now() + RESEND_COOLDOWN_MS);
      setExpired(false);
      setCode('');
      setFieldError(undefined);
      setFormError(undefined);
      setResendMessage({ kind: 'info', text: say('resent') });
      section.current?.querySelector<HTMLInputElement>('input[name="code"]')?.focus();
    } catch (failure) {
      if (failure instanceof ApiError && failure.retryAfter) setResendAt(Date.now() + failure.retryAfter * 1000);
      setResendMessage({ kind: 'error', text: errorMessage(t, failure) });
    } finally {
      setBusy(false);
    }
  };

  /** Switches between the mailed code and a recovery code; the focus goes to the field it brings. */
  const switchField = (toRecovery: boolean) => {
    flushSync(() => {
      setRecovery(toRecovery);
      setFieldError(undefined);
      setFormError(undefined);
    });
    section.current?.querySelector<HTMLInputElement>(`input[name="${toRecovery ? 'recoveryCode' : 'code'}"]`)?.focus();
  };

  const intro = request ? say(email ? 'introEmail' : 'introSms', { identifier: request.identifier }) : say(email ? 'introEmailResumed' : 'introSmsResumed');

  return (
    <StepCard ref={section} id="forgot-code-title" title={say('title')} focus={focus}>
      <p className="step-intro">{intro}</p>
      {email ? <p>{say('linkHint')}</p> : null}
      <form onSubmit={(event) => void verify(event)} noValidate>
        {recovery ? (
          <>
            <p>{say('recoveryHint')}</p>
            <Field
              label={say('labelRecovery')}
              name="recoveryCode"
              className="code-input code-input-wide code-input-recovery"
              // A code from paper, never one the browser should remember or fill in.
              autoComplete="off"
              autoCapitalize="characters"
              autoCorrect="off"
              spellCheck={false}
              maxLength={20}
              required
              value={recoveryCode}
              onChange={(event) => {
                setRecoveryCode(cleanRecoveryCode(event.target.value));
                setFieldError(undefined);
              }}
              hint={say('hintRecovery')}
              error={fieldError}
            />
          </>
        ) : (
          <CodeField
            kind={email ? 'email' : 'sms'}
            label={email ? say('labelEmail') : say('labelSms')}
            value={code}
            onChange={(value) => {
              setCode(value);
              setFieldError(undefined);
            }}
            hint={email ? say('hintEmail') : say('hintSms')}
            error={fieldError}
          />
        )}
        {formError ? <Alert kind="error">{formError}</Alert> : null}
        <div className="actions">
          <button type="submit" className={expired ? undefined : 'primary'} aria-disabled={busy || undefined}>
            {say('submit')}
          </button>
        </div>
        {email ? (
          <p className="recovery-code-switch">
            <button type="button" className="link-button" onClick={() => switchField(!recovery)}>
              {recovery ? say('useMailedCode') : say('useRecoveryCode')}
            </button>
          </p>
        ) : null}
      </form>
      <div className="resend">
        {request ? (
          <>
            <button
              type="button"
              className={expired ? 'primary' : 'link-button'}
              aria-disabled={busy || locked || undefined}
              aria-describedby={`${locked ? `${ids}-wait ` : ''}${ids}-note`}
              onClick={() => void resend()}
            >
              {expired ? say('newCode') : say('resend')}
            </button>
            {locked ? (
              <p className="hint" id={`${ids}-wait`}>
                {say('resendIn', { count: seconds })}
              </p>
            ) : null}
            <p className="hint" id={`${ids}-note`}>
              {say('resendNote')}
            </p>
            {resendMessage ? <Alert kind={resendMessage.kind}>{resendMessage.text}</Alert> : null}
            <button type="button" className="link-button" onClick={onStartOver}>
              {say('startOver')}
            </button>
          </>
        ) : (
          <>
            <p className="hint" id={`${ids}-note`}>
              {say('startOverHint')}
            </p>
            <button type="button" className={expired ? 'primary' : 'link-button'} aria-describedby={`${ids}-note`} onClick={onStartOver}>
              {expired ? say('newCode') : say('startOver')}
            </button>
          </>
        )}
      </div>
    </StepCard>
  );
}

/** A recovery code as typed: upper-cased, its characters, spaces and dashes (people copy "abcd efgh jkmn" from paper). */
const cleanRecoveryCode = (value: string) =>
  value
    .toUpperCase()
    .replace(/[^0-9A-Z\s-]/g, '')
    .slice(0, 20);

/** 12 characters once spaces and dashes are gone (the server checks the alphabet: a wrong form takes no try). */
const isRecoveryCode = (value: string) => /^[0-9A-Z]{12}$/.test(value);
