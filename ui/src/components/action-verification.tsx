import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api.js';
import { api } from '../api-client.js';
import type { VerificationStarted, VerifiedAction } from '../api-types.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { Alert } from './alert.js';
import { ChooseChannelStep } from './verification/choose-channel-step.js';
import { EnterCodeStep } from './verification/enter-code-step.js';
import {
  isRecordOver,
  StepBox,
  type Channel,
  type CodeState,
  type SendProblem,
  type StepFrame,
  type VerificationNotice,
} from './verification/verification-steps.js';

export type { VerificationNotice } from './verification/verification-steps.js';

type Step =
  | { readonly kind: 'loading' }
  /** Starting the record failed (the network, a limit): the reason and "Erneut versuchen". */
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'choose'; readonly record: VerificationStarted }
  | CodeState;

/** One code a minute per channel (the server's cooldown): "Code erneut senden" waits this long. */
const RESEND_COOLDOWN_MS = 60_000;

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
      const record = await api.accountVerifications.start(action);
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
  const send = async (record: VerificationStarted, channel: Channel, again: CodeState | undefined): Promise<SendProblem | undefined> => {
    try {
      const sent = await api.accountVerifications.sendCode(record.id, { channel });
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

  const cancelButton = onCancel ? (
    <button type="button" onClick={onCancel}>
      {t('ui.common.cancel')}
    </button>
  ) : null;
  const frame: StepFrame = { heading, Heading: `h${headingLevel}`, introId, cancelButton };

  if (step.kind === 'loading' || step.kind === 'failed') {
    return (
      <StepBox frame={frame} title={say('chooseTitle')} intro={intro ?? say('intro')} busy={step.kind === 'loading'}>
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
      </StepBox>
    );
  }

  if (step.kind === 'choose') {
    return (
      <ChooseChannelStep
        key={shown}
        frame={frame}
        record={step.record}
        choice={choice}
        onChoice={setChoice}
        intro={intro ?? say('intro')}
        unavailableReason={unavailableReason ?? say('unavailable')}
        notice={notice}
        send={(channel) => send(step.record, channel, undefined)}
      />
    );
  }

  return (
    <EnterCodeStep
      key={shown}
      frame={frame}
      step={step}
      onVerified={onVerified}
      onOther={() => {
        setNotice(undefined);
        show({ kind: 'choose', record: step.record });
      }}
      restart={start}
      resend={() => send(step.record, step.channel, step)}
    />
  );
}
