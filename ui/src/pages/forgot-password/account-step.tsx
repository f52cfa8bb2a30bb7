import { useState, type FormEvent } from 'react';
import { SubmitButton } from '../../components/form-fields.js';
import { RadioGroup } from '../../components/radio-group.js';
import { useI18n } from '../../i18n.js';
import type { AccountChoice } from './flow.js';
import { BackToSignInAside, StepCard } from './step-card.js';

/**
 * Step 3, only when the code's address or number belongs to several accounts: which one gets
 * the new password, by its masked login email. A radio group (arrow keys move, Space picks);
 * nothing is preselected, so the choice is the user's.
 */
export function AccountStep({
  accounts,
  selected,
  message,
  focus,
  onChoose,
}: {
  accounts: readonly AccountChoice[];
  selected: string | undefined;
  /** Why the step came back (the server asked for a choice). */
  message: string | undefined;
  focus: boolean;
  onChoose: (account: AccountChoice) => void;
}) {
  const { t } = useI18n();
  const [choice, setChoice] = useState(selected);
  const [error, setError] = useState(message);
  const say = (key: string) => t(`ui.forgot.account.${key}`);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const account = accounts.find((each) => each.id === choice);
    if (!account) {
      setError(say('required'));
      return;
    }
    onChoose(account);
  };

  return (
    <StepCard id="forgot-account-title" title={say('title')} focus={focus}>
      <p>{say('intro')}</p>
      <form onSubmit={submit} noValidate>
        <RadioGroup
          legend={say('legend')}
          name="account"
          options={accounts.map((account) => ({ value: account.id, label: account.maskedEmail }))}
          value={choice}
          onChange={(id) => {
            setChoice(id);
            setError(undefined);
          }}
          error={error}
        />
        <div className="actions">
          <SubmitButton>{say('submit')}</SubmitButton>
        </div>
      </form>
      <BackToSignInAside />
    </StepCard>
  );
}
