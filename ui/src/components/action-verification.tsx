import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import type { z } from 'zod';
import type { accountVerificationRequest, accountVerificationStarted, sendVerificationResponse } from '../../../src/contract/verifications.js';
import { api, ApiError } from '../api.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { Alert } from './alert.js';
import { CodeField } from './code-field.js';

/** One of Lifeline's own actions that needs a code first ('lifeline.delete-account', 'lifeline.change-login-email'). */
export type VerifiedAction = z.infer<typeof accountVerificationRequest>['action'];
type Started = z.infer<typeof accountVerificationStarted>;
type Sent = z.infer<typeof sendVerificationResponse>;
type Channel = Started['channels'][number]['channel'];
/** A message above a step: why it starts afresh, or that a new code is on its way. */
export type VerificationNotice = { readonly kind: 'info' | 'error'; readonly text: string };

type CodeState = {
  readonly kind: 'code';
  readonly record: Started;
  readonly channel: Channel;
  readonly sentTo: string;
  readonly codeExpiresAt: string;
  /** When "Code erneut senden" can be pressed (the server allows one code a minute per channel). */
  readonly resendAt: number;
  /** How many times the code was sent again in this step ("Ein neuer Code ist unterwegs" after the first). */
  readonly resent: number;
};
type Step =
  | { readonly kind: 'loading' }
  /** Starting the record failed (the network, a limit): the reason and "Erneut versuchen". */
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'choose'; readonly record: Started }
  | CodeState;

/** A failed send: what to say, and when the server allows the next one (seconds, from Retry-After). */
type SendProblem = { readonly message: string; readonly retryAfter: number | undefined };

/** One code a minute per channel (the server's cooldown): "Code erneut senden" waits this long. */
const RESEND_COOLDOWN_MS = 60_000;

/** Answers that mean the record itself is over (expired, failed, used, or not this session's): a new one is started. */
const RECORD_OVER: ReadonlySet<string> = new Set(['verification-expired', 'verification-not-redeemable', 'not-found']);

const isRecordOver = (failure: unknown) => failure instanceof ApiError && RECORD_OVER.has(failure.code);

export interface ActionVerificationProps {
  /** The action the code is for; each mounting starts a new record for it. */
  readonly action: VerifiedAction;
  /** The record is verified: its id goes with the action's request (it can be used once, within 10 minutes). */
  readonly onVerified: (id: string) => void;
  /** Shown as "Abbrechen" beside each step's main button (in a dialog: closes it). */
  readonly onCancel?: () => void;
  /** The level of the steps' headings: one below the heading of the dialog or section around it. */
  readonly headingLevel?: 2 | 3 | 4;
  /** What the code is for, above the choice of channel (default: a generic sentence). */
  readonly intro?: ReactNode;
  /** The id of each step's first paragraph (a dialog names it in aria-describedby). */
  readonly introId?: string;
  /** Why a channel the action does not accept is disabled (default: not confirmed long enough). */
  readonly unavailableReason?: string;
  /** A message for the first step (e.g. "the earlier confirmation expired, request a new code"). */
  readonly notice?: VerificationNotice;
}

/**
 * Proves that the person at the keyboard controls one of the account's confirmed channels
 * before one of Lifeline's own sensitive actions: starts a record for `action`
 * (POST /account/verifications), lets the user pick a channel (a radio group of the masked
 * addresses; one the action does not accept is shown disabled, with why), sends the code,
 * takes it (one-time-code autocomplete; a wrong code says how many tries are left; "Code
 * erneut senden" after 60 s; "Anderen Weg wählen") and hands the verified record's id to
 * `onVerified`. A record that is over (expired, failed by the last wrong try) is replaced by a
 * new one, and the choice says why. Each step's heading takes the focus when the step appears
 * (the button that led there is gone); errors sit next to their control, tied to it with
 * aria-describedby. Generic: the caller names the action, the intro and the surroundings.
 */
export function ActionVerification({
  action,
  onVerified,
  onCancel,
  headingLevel = 3,
  intro,
  introId,
  unavailableReason,
  notice: initialNotice,
}: ActionVerificationProps) {
  const { t } = useI18n();
  const [step, setStep] = useState<Step>({ kind: 'loading' });
  const [notice, setNotice] = useState<VerificationNotice | undefined>(initialNotice);
  /** The channel picked last: still chosen when the user comes back from the code step or after a restart. */
  const [choice, setChoice] = useState<Channel | undefined>();
  /** Counts the steps shown: each new one is a fresh form, and its heading takes the focus. */
  const [shown, setShown] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const started = useRef(false);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.actionVerification.${key}`, params);

  useEffect(() => {
    heading.current?.focus();
  }, [shown]);

  const show = (next: Step) => {
    setStep(next);
    setShown((n) => n + 1);
  };

  /** A new record (on mounting, and when the last one is over); `why` is said above the choice. */
  const start = async (why?: VerificationNotice) => {
    setNotice(why);
    try {
      const record = await api<Started>('POST', '/api/v1/account/verifications', { action });
      const usable = record.channels.filter((option) => option.allowed);
      setChoice((current) =>
        current !== undefined && usable.some((option) => option.channel === current) ? current : usable.length === 1 ? usable[0]?.channel : undefined,
      );
      show({ kind: 'choose', record });
    } catch (failure) {
      show({ kind: 'failed', message: errorMessage(t, failure) });
    }
  };

  useEffect(() => {
    // Once per mounting (StrictMode's second run in development must not start a second record).
    if (started.current) return;
    started.current = true;
    void start(initialNotice);
    // The action is fixed for the component's life: the caller mounts it afresh for another one.
  }, []);

  /**
   * Sends the code of `record` to `channel`. From the choice the code step appears; from the
   * code step (`again`) it stays, with the new code's time. Answers the problem to show, or
   * undefined (sent, or the record was over and the choice shows again with a new one).
   */
  const send = async (record: Started, channel: Channel, again: CodeState | undefined): Promise<SendProblem | undefined> => {
    try {
      const sent = await api<Sent>('POST', `/api/v1/account/verifications/${encodeURIComponent(record.id)}/send`, { channel });
      const next: CodeState = {
        kind: 'code',
        record,
        channel,
        sentTo: sent.sentTo,
        codeExpiresAt: sent.codeExpiresAt,
        resendAt: Date.now() + RESEND_COOLDOWN_MS,
        resent: again ? again.resent + 1 : 0,
      };
      setNotice(undefined);
      if (again) setStep(next);
      else show(next);
      return undefined;
    } catch (failure) {
      if (isRecordOver(failure)) {
        await start({ kind: 'error', text: say('restarted') });
        return undefined;
      }
      return { message: errorMessage(t, failure), retryAfter: failure instanceof ApiError ? failure.retryAfter : undefined };
    }
  };

  const Heading = `h${headingLevel}` as const;
  const cancelButton = onCancel ? (
    <button type="button" onClick={onCancel}>
      {t('ui.common.cancel')}
    </button>
  ) : null;

  if (step.kind === 'loading' || step.kind === 'failed') {
    return (
      <div className="verification" aria-busy={step.kind === 'loading' || undefined}>
        <Heading ref={heading} tabIndex={-1} className="step-heading">
          {say('chooseTitle')}
        </Heading>
        <p id={introId} className="step-intro">
          {intro ?? say('intro')}
        </p>
        {step.kind === 'loading' ? (
          <p>{t('ui.common.loading')}</p>
        ) : (
          <>
            <Alert kind="error">{step.message}</Alert>
            <div className="actions">
              <button
                type="button"
                className="primary"
                onClick={() => {
                  setStep({ kind: 'loading' });
                  void start();
                }}
              >
                {say('retry')}
              </button>
              {cancelButton}
            </div>
          </>
        )}
      </div>
    );
  }

  if (step.kind === 'choose') {
    return (
      <ChooseStep
        key={shown}
        heading={heading}
        Heading={Heading}
        record={step.record}
        choice={choice}
        onChoice={setChoice}
        intro={intro ?? say('intro')}
        introId={introId}
        unavailableReason={unavailableReason ?? say('unavailable')}
        notice={notice}
        send={(channel) => send(step.record, channel, undefined)}
        cancelButton={cancelButton}
      />
    );
  }

  return (
    <CodeStep
      key={shown}
      heading={heading}
      Heading={Heading}
      step={step}
      introId={introId}
      onVerified={onVerified}
      onOther={() => {
        setNotice(undefined);
        show({ kind: 'choose', record: step.record });
      }}
      restart={start}
      resend={() => send(step.record, step.channel, step)}
      cancelButton={cancelButton}
    />
  );
}

/** The channels (masked) as a radio group, and "Code senden". */
function ChooseStep({
  heading,
  Heading,
  record,
  choice,
  onChoice,
  intro,
  introId,
  unavailableReason,
  notice,
  send,
  cancelButton,
}: {
  heading: RefObject<HTMLHeadingElement | null>;
  Heading: 'h2' | 'h3' | 'h4';
  record: Started;
  choice: Channel | undefined;
  onChoice: (channel: Channel) => void;
  intro: ReactNode;
  introId: string | undefined;
  unavailableReason: string;
  notice: VerificationNotice | undefined;
  send: (channel: Channel) => Promise<SendProblem | undefined>;
  cancelButton: ReactNode;
}) {
  const { t } = useI18n();
  const ids = useId();
  const id = (part: string) => `${ids}-${part}`;
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.actionVerification.${key}`, params);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const group = useRef<HTMLFieldSetElement>(null);
  const usable = record.channels.filter((option) => option.allowed);

  /** After an error the focus goes to the chosen (or first usable) radio, whose description now reads the error. */
  const focusChoice = () => group.current?.querySelector<HTMLInputElement>('input:checked, input:not(:disabled)')?.focus();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (choice === undefined) {
      setError(say('required'));
      focusChoice();
      return;
    }
    setBusy(true);
    setError(undefined);
    const problem = await send(choice);
    // On success this step is gone (the code step, or a new choice, replaced it).
    if (problem) {
      setError(problem.message);
      setBusy(false);
    }
  };

  return (
    <div className="verification">
      <Heading ref={heading} tabIndex={-1} className="step-heading">
        {say('chooseTitle')}
      </Heading>
      <p id={introId} className="step-intro">
        {intro}
      </p>
      {notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
      {usable.length === 0 ? (
        <>
          <Alert kind="error">{say('noChannel')}</Alert>
          {cancelButton ? <div className="actions">{cancelButton}</div> : null}
        </>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <fieldset ref={group} className="choices">
            <legend>{say('legend')}</legend>
            {record.channels.map((option) => {
              const reasonId = id(`${option.channel}-reason`);
              const described = [option.allowed ? null : reasonId, error ? id('error') : null].filter(Boolean).join(' ') || undefined;
              return (
                <label key={option.channel} className={option.allowed ? 'choice' : 'choice choice-disabled'}>
                  <input
                    type="radio"
                    name={id('channel')}
                    value={option.channel}
                    disabled={!option.allowed}
                    checked={choice === option.channel}
                    aria-describedby={described}
                    onChange={() => {
                      onChoice(option.channel);
                      setError(undefined);
                    }}
                  />
                  <span className="choice-label">
                    {/* The spaces keep the parts apart in the radio's accessible name. */}
                    <span className="choice-name">{say(`channels.${option.channel}`)}</span> <span className="choice-address">{option.masked}</span>{' '}
                    {option.allowed ? null : (
                      <span className="choice-reason" id={reasonId}>
                        {unavailableReason}
                      </span>
                    )}
                  </span>
                </label>
              );
            })}
            {error ? (
              <p id={id('error')} className="field-error" role="alert">
                {error}
              </p>
            ) : null}
          </fieldset>
          <div className="actions">
            <button type="submit" className="primary" aria-disabled={busy || undefined}>
              {say('send')}
            </button>
            {cancelButton}
          </div>
        </form>
      )}
    </div>
  );
}

/** The code that was sent, "Bestätigen", and the ways on: send it again (after 60 s), another channel. */
function CodeStep({
  heading,
  Heading,
  step,
  introId,
  onVerified,
  onOther,
  restart,
  resend,
  cancelButton,
}: {
  heading: RefObject<HTMLHeadingElement | null>;
  Heading: 'h2' | 'h3' | 'h4';
  step: CodeState;
  introId: string | undefined;
  onVerified: (id: string) => void;
  onOther: () => void;
  restart: (why: VerificationNotice) => Promise<void>;
  resend: () => Promise<SendProblem | undefined>;
  cancelButton: ReactNode;
}) {
  const { t, locale } = useI18n();
  const ids = useId();
  const id = (part: string) => `${ids}-${part}`;
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.actionVerification.${key}`, params);
  const sms = step.channel === 'recovery-phone';
  const others = step.record.channels.some((option) => option.allowed && option.channel !== step.channel);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  /** The code is dead (410): "Code erneut senden" becomes the main action once it can be pressed. */
  const [expired, setExpired] = useState(false);
  /** A refused resend's Retry-After, when it is later than the step's own minute. */
  const [retryAt, setRetryAt] = useState(0);
  const [resendProblem, setResendProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const resendAt = Math.max(step.resendAt, retryAt);
  const wait = Math.max(0, Math.ceil((resendAt - now) / 1000));

  // The countdown of "Code erneut senden" (its hint is no live region: nothing is announced every second).
  useEffect(() => {
    if (wait === 0) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [wait === 0]);

  const focusField = () => document.getElementById(id('code'))?.focus();
  const time = new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { timeStyle: 'short' }).format(new Date(step.codeExpiresAt));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    // Spaces and dashes typed or pasted for reading ("ABCD-EFGH") are not part of the code.
    const value = code.replace(/[\s-]/g, '');
    if (sms ? !/^\d{6}$/.test(value) : !/^[0-9A-Z]{8}$/.test(value)) {
      setError(sms ? say('requiredSms') : say('requiredEmail'));
      focusField();
      return;
    }
    setBusy(true);
    setError(undefined);
    setResendProblem(undefined);
    try {
      const verified = await api<{ id: string }>('POST', `/api/v1/account/verifications/${encodeURIComponent(step.record.id)}/code`, { code: value });
      onVerified(verified.id);
    } catch (failure) {
      // No longer pending but not failed by this step: most likely the e-mail's link verified it
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
    setNow(Date.now());
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
    <div className="verification">
      <Heading ref={heading} tabIndex={-1} className="step-heading">
        {say('codeTitle')}
      </Heading>
      <p id={introId} className="step-intro">
        {say(sms ? 'sentSms' : 'sentEmail', { sentTo: step.sentTo.replace(/ /g, '\u00a0'), time })}
      </p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <CodeField
          id={id('code')}
          kind={sms ? 'sms' : 'email'}
          label={sms ? say('labelSms') : say('labelEmail')}
          value={code}
          onChange={(value) => {
            setCode(value);
            setError(undefined);
          }}
          hint={sms ? say('hintSms') : say('hintEmail')}
          error={error}
        />
        <div className="dialog-resend">
          <button
            type="button"
            className={resendIsMain ? 'primary' : 'link-button'}
            aria-disabled={busy || wait > 0 || undefined}
            aria-describedby={wait > 0 ? id('wait') : undefined}
            onClick={() => void sendAgain()}
          >
            {say('resend')}
          </button>
          {wait > 0 ? (
            <p className="hint" id={id('wait')}>
              {say('resendIn', { count: wait })}
            </p>
          ) : null}
          {resendProblem ? <Alert kind="error">{resendProblem}</Alert> : step.resent > 0 ? <Alert kind="info">{say('resent')}</Alert> : null}
          {others ? (
            <button type="button" className="link-button" onClick={onOther}>
              {say('other')}
            </button>
          ) : null}
        </div>
        <div className="actions">
          <button type="submit" className={resendIsMain ? undefined : 'primary'} aria-disabled={busy || undefined}>
            {say('confirm')}
          </button>
          {cancelButton}
        </div>
      </form>
    </div>
  );
}
