import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { VerificationPageBody } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { SubmitButton } from '../../components/form-fields.js';
import { LinkCard } from '../../components/link-page.js';
import { RadioGroup } from '../../components/radio-group.js';
import { useI18n } from '../../i18n.js';
import type { Channel } from './verify-action-state.js';

/**
 * The action, who asks, and the channels (masked); one that this action does not accept is shown
 * disabled, with why. Reached back from the code step, the heading takes the focus (the button
 * that led here is gone) and the channel of that step is still chosen.
 */
export function ChooseStep({
  page,
  back,
  busy,
  error,
  onSend,
}: {
  page: VerificationPageBody;
  back: Channel | undefined;
  busy: boolean;
  error: string | undefined;
  onSend: (channel: Channel) => void;
}) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.verifyAction.${key}`, params);
  const usable = page.channels.filter((choice) => choice.allowed);
  const [choice, setChoice] = useState<Channel | undefined>(back ?? (usable.length === 1 ? usable[0]?.channel : undefined));
  useEffect(() => {
    if (back) heading.current?.focus();
    // Only when the step appears.
  }, []);
  const [missing, setMissing] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!choice) return setMissing(true);
    onSend(choice);
  };
  return (
    <LinkCard titleId="verify-title" title={say('title')} headingRef={heading}>
      <p>{say('intro', { requester: page.requester, action: page.action })}</p>
      {usable.length === 0 ? (
        <Alert kind="error">{say('noChannel')}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <RadioGroup
            legend={say('legend')}
            name="channel"
            options={page.channels.map((option) => ({
              value: option.channel,
              disabled: !option.allowed,
              label: (
                <>
                  {say(`channels.${option.channel}`, { masked: option.masked })}
                  {option.allowed ? null : <span className="hint"> {say('tooYoung')}</span>}
                </>
              ),
            }))}
            value={choice}
            onChange={(channel) => {
              setChoice(channel);
              setMissing(false);
            }}
            error={missing ? say('required') : undefined}
          />
          {error ? <Alert kind="error">{error}</Alert> : null}
          <div className="actions">
            <SubmitButton busy={busy}>{say('send')}</SubmitButton>
          </div>
        </form>
      )}
    </LinkCard>
  );
}
