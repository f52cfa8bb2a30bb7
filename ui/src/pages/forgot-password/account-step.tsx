import { useId, useState, type FormEvent } from 'react';
import { signInHref } from '../../return-to.js';
import { Link } from '../../router.js';
import { useI18n } from '../../i18n.js';
import type { AccountChoice } from './flow.js';
import { StepHeading } from './step-heading.js';

/**
 * Step 3, only when the code's address or number belongs to several accounts: which one gets
 * the new password, by its masked login e-mail. A radio group (arrow keys move, Space picks);
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
  const ids = useId();
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
    <section className="card narrow" aria-labelledby="forgot-account-title">
      <StepHeading id="forgot-account-title" focus={focus}>
        {say('title')}
      </StepHeading>
      <p>{say('intro')}</p>
      <form onSubmit={submit} noValidate>
        <fieldset
          className="choices"
          role="radiogroup"
          aria-labelledby={`${ids}-legend`}
          aria-describedby={error ? `${ids}-error` : undefined}
          aria-invalid={error ? true : undefined}
          aria-required="true"
        >
          <legend id={`${ids}-legend`}>{say('legend')}</legend>
          {accounts.map((account) => (
            <label key={account.id} className="choice">
              <input
                type="radio"
                name="account"
                value={account.id}
                checked={choice === account.id}
                onChange={() => {
                  setChoice(account.id);
                  setError(undefined);
                }}
              />
              <span className="choice-label">{account.maskedEmail}</span>
            </label>
          ))}
          {error ? (
            <p id={`${ids}-error`} className="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary">
            {say('submit')}
          </button>
        </div>
      </form>
      <p className="aside">
        <Link href={signInHref()}>{t('ui.forgot.back')}</Link>
      </p>
    </section>
  );
}
