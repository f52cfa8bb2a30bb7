import { useCallback, useState } from 'react';
import { useI18n } from '../../i18n.js';
import { AccountStep } from './account-step.js';
import { loadFlow, stepAfterVerify, type Step } from './flow.js';
import { GoneStep } from './gone-step.js';
import { PasswordStep } from './password-step.js';

/**
 * A page's current step. `go` is a step the user's action led to: its heading takes the focus.
 * `resume` is where the page starts after loading (a reload in the middle of the flow): the
 * focus stays where the app put it.
 */
export function useSteps(initial: Step): { step: Step; focus: boolean; go: (next: Step) => void; resume: (next: Step) => void } {
  const [step, setStep] = useState<Step>(initial);
  const [moved, setMoved] = useState(false);
  const go = useCallback((next: Step) => {
    setStep(next);
    setMoved(true);
  }, []);
  const resume = useCallback((next: Step) => setStep(next), []);
  return { step, focus: moved, go, resume };
}

/**
 * The steps both pages share once the code or link is accepted: the account choice, the new
 * password, and "start again". Renders nothing for the other steps.
 */
export function SharedStep({
  step,
  focus,
  go,
  userInputs,
  onStartOver,
}: {
  step: Step;
  focus: boolean;
  go: (next: Step) => void;
  userInputs: readonly string[];
  /** The forgot page starts again in place; the link page links to it instead. */
  onStartOver?: () => void;
}) {
  const { t } = useI18n();
  switch (step.kind) {
    case 'account':
      return (
        <AccountStep
          accounts={step.accounts}
          selected={step.selected}
          message={step.message}
          focus={focus}
          onChoose={(account) => go({ kind: 'password', accounts: step.accounts, account })}
        />
      );
    case 'password': {
      const { accounts, account } = step;
      return (
        <PasswordStep
          account={account}
          canChooseAccount={accounts !== undefined}
          userInputs={userInputs}
          focus={focus}
          onExpired={() => go({ kind: 'gone', reason: 'reset-expired' })}
          onChooseOtherAccount={() => accounts && go({ kind: 'account', accounts, ...(account ? { selected: account.id } : {}) })}
          onAccountRequired={() => {
            // The server wants a choice this page did not offer (e.g. resumed without the list): ask the flow for it.
            const message = t('ui.forgot.account.required');
            if (accounts) {
              go({ kind: 'account', accounts, message });
              return;
            }
            void loadFlow().then((status) => {
              const next = status.stage === 'verified' ? stepAfterVerify(status.accounts) : undefined;
              go(next?.kind === 'account' ? { ...next, message } : { kind: 'gone', reason: 'reset-expired' });
            });
          }}
        />
      );
    }
    case 'gone':
      return <GoneStep reason={step.reason} focus={focus} onStartOver={onStartOver} />;
    default:
      return null;
  }
}
