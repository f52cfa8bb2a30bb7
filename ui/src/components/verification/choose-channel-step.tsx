import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { VerificationStarted } from '../../api-types.js';
import { useI18n } from '../../i18n.js';
import { Alert } from '../alert.js';
import { SubmitButton } from '../form-fields.js';
import { StepBox, type Channel, type SendProblem, type StepFrame, type VerificationNotice } from './verification-steps.js';

/**
 * The channels (masked) as a radio group, and "Code senden". A channel the action does not
 * accept is shown disabled, with why; errors are tied to the radios with aria-describedby.
 */
export function ChooseChannelStep({
  frame,
  record,
  choice,
  onChoice,
  intro,
  unavailableReason,
  notice,
  send,
}: {
  frame: StepFrame;
  record: VerificationStarted;
  choice: Channel | undefined;
  onChoice: (channel: Channel) => void;
  intro: ReactNode;
  unavailableReason: string;
  notice: VerificationNotice | undefined;
  send: (channel: Channel) => Promise<SendProblem | undefined>;
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
    <StepBox frame={frame} title={say('chooseTitle')} intro={intro}>
      {notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
      {usable.length === 0 ? (
        <>
          <Alert kind="error">{say('noChannel')}</Alert>
          {frame.cancelButton ? <div className="actions">{frame.cancelButton}</div> : null}
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
            <SubmitButton busy={busy}>{say('send')}</SubmitButton>
            {frame.cancelButton}
          </div>
        </form>
      )}
    </StepBox>
  );
}
