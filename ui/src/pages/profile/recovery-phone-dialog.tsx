import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.js';
import { api } from '../../api-client.js';
import type { PhoneOptions, RecoveryView } from '../../api-types.js';
import { useCountryOptions } from '../../components/country-options.js';
import { CountrySelect } from '../../components/country-select.js';
import { CodeField, isWholeCode } from '../../components/code-field.js';
import { Field } from '../../components/field.js';
import { CurrentPasswordField, SubmitButton } from '../../components/form-fields.js';
import { reauthenticate } from '../../components/modal-dialog.js';
import { ResendControls } from '../../components/resend-controls.js';
import { StepDialog, StepDialogHeading, useStepDialogIds } from '../../components/step-dialog.js';
import { useSmsCode } from '../../components/web-otp.js';
import { errorMessage, splitErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { privilegeIsOpen } from '../../privilege.js';
import { useAccountTime } from './account-time.js';

/**
 * The recovery phone as GET /recovery shows it. `unreachable`: SMS to the number fail (recovery
 * readiness, docs/reference/product.md §10, not built yet): the API does not send it, the row is ready.
 */
export type PhoneView = RecoveryView['phone'] & { readonly unreachable?: boolean };
type Step = 'password' | 'number' | 'code';

/** The dialog ended with a confirmed number: `changed` for a change, `effectiveAt` when it waits 72 hours. */
export type Confirmed = { readonly masked: string; readonly changed: boolean; readonly effectiveAt?: string };
/** How the dialog starts: "Jetzt einrichten" / "Ändern" (password or number first) or "Code eingeben". */
export type DialogStart = { readonly step: 'password' | 'number' } | { readonly step: 'code' };

/** A masked number in running text stays on one line ("+49 *** ****567"). */
export const unbroken = (masked: string) => masked.replace(/ /g, '\u00a0');

/**
 * The steps this dialog shows, numbered as shown: with the password first "Schritt 1 von 3"; with
 * the privileged window open the number is "Schritt 1 von 2"; "Code eingeben" on a waiting
 * number opens at its code, after the number step it can go back to ("Schritt 2 von 2").
 */
function stepsFrom(start: Step): readonly Step[] {
  return start === 'password' ? ['password', 'number', 'code'] : ['number', 'code'];
}

/**
 * The recovery phone's step-by-step dialog (the seed: "Anschließend öffnet sich ein Dialog, der
 * Sie Schritt für Schritt durch die Einrichtung der Telefonnummer führt"): 1. the password
 * (skipped while the privileged window is open), 2. country and number, 3. the code from the
 * SMS and "Bestätigen". A native modal <dialog> like the password dialog: Tab stays inside,
 * Escape closes it, the step is announced (live region, and part of the dialog's name). The
 * password is a step of this dialog, not a second dialog over it. `onClose` tells the row
 * whether the number was confirmed; the row moves the focus.
 */
export function RecoveryPhoneDialog({
  start,
  view,
  options,
  reload,
  onClose,
}: {
  /** The row renders the dialog only while it is open: each opening starts afresh. */
  start: DialogStart;
  view: PhoneView;
  options: PhoneOptions;
  reload: () => Promise<void>;
  onClose: (confirmed: Confirmed | undefined) => void;
}) {
  const { t, locale } = useI18n();
  const { clock } = useAccountTime();
  const ids = useStepDialogIds();
  const countryId = `${useId()}-country`;
  const dialog = useRef<HTMLDialogElement>(null);
  const [step, setStep] = useState<Step>(start.step);
  const [steps, setSteps] = useState<readonly Step[]>(() => stepsFrom(start.step));
  const [password, setPassword] = useState('');
  const [country, setCountry] = useState(options.defaultCountry);
  const [number, setNumber] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<{ kind: 'info' | 'error'; text: string } | undefined>();
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState(false);
  /** The number was submitted after the privileged window had closed: it is sent once the password is in. */
  const resume = useRef(false);
  /** Moves the focus to the step's field once it is rendered (on opening and on each step change). */
  const [focusTick, setFocusTick] = useState(1);
  const [now, setNow] = useState(() => Date.now());
  const countries = useCountryOptions(options.allowedCountries, locale);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.recovery.phoneRow.dialog.${key}`, params);

  // A change keeps the active number until the new one is confirmed; the dialog says so.
  const changing = view.status === 'active';
  const active = view.status === 'active' ? view.masked : undefined;
  const pending = view.pending;

  const goTo = (next: Step) => {
    // The privileged window closed meanwhile: the password step comes in front, and the count says so.
    if (!steps.includes(next)) setSteps([next, ...steps]);
    setStep(next);
    setError(undefined);
    setFocusTick((n) => n + 1);
  };

  useEffect(() => {
    const name = step === 'password' ? 'password' : step === 'number' ? 'phoneNumber' : 'code';
    dialog.current?.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.focus();
  }, [step, focusTick]);

  // The code from the SMS fills the field where the browser offers it.
  useSmsCode(step === 'code', (received) => {
    setCode(received);
    setError(undefined);
  });

  // "Code erneut senden" unlocks at resendAvailableAt, while the dialog is open.
  const resendAt = pending ? new Date(pending.resendAvailableAt).getTime() : 0;
  const resendLocked = resendAt > now;
  useEffect(() => {
    if (!resendLocked) return;
    const timer = window.setTimeout(() => setNow(Date.now()), Math.max(0, Math.min(resendAt - Date.now() + 100, 60_000)));
    return () => window.clearTimeout(timer);
  }, [resendLocked, resendAt, now]);

  const close = (confirmed?: Confirmed) => {
    dialog.current?.close();
    onClose(confirmed);
  };

  const typePassword = (value: string) => {
    setPassword(value);
    setError(undefined);
  };

  const submitPassword = async () => {
    const problem = await reauthenticate(t, password);
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    setPassword('');
    goTo('number');
    if (resume.current) {
      resume.current = false;
      await submitNumber();
    }
  };

  const submitNumber = async () => {
    if (number.trim() === '') {
      setError(say('numberRequired'));
      return;
    }
    try {
      // The privileged window may have closed since the dialog opened: then the password step
      // comes back and the number is sent after it (not a second dialog over this one).
      if (!(await privilegeIsOpen())) {
        resume.current = true;
        goTo('password');
        return;
      }
      await api.recoveryPhone.add({ number, country });
      await reload();
      setCode('');
      setExpired(false);
      setMessage(undefined);
      goTo('code');
    } catch (failure) {
      const { fields, form } = splitErrors(t, failure, {
        'invalid-number': 'number',
        'number-type-not-allowed': 'number',
        'country-not-allowed': 'number',
        'already-recovery-phone': 'number',
        'rate-limited': 'number',
        'too-many-attempts': 'number',
        'email-not-verified': 'number',
      });
      setError(fields.number ?? fields.country ?? form);
    }
  };

  const submitCode = async () => {
    if (!isWholeCode('sms', code)) {
      setError(say('codeRequired'));
      return;
    }
    setMessage(undefined);
    try {
      const confirmed = await api.recoveryPhone.confirm({ code });
      close({ masked: confirmed.masked, changed: changing, ...(confirmed.effectiveAt ? { effectiveAt: confirmed.effectiveAt } : {}) });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'code-expired') setExpired(true);
      // The API's own words for a wrong code: its detail counts the tries left ("Sie haben noch 4 Versuche").
      setError(failure instanceof ApiError && failure.code === 'wrong-code' && failure.detail !== '' ? failure.detail : errorMessage(t, failure));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      if (step === 'password') await submitPassword();
      else if (step === 'number') await submitNumber();
      else await submitCode();
    } finally {
      setBusy(false);
    }
  };

  const resend = async () => {
    if (busy || resendLocked) return;
    setBusy(true);
    setMessage(undefined);
    try {
      await api.recoveryPhone.resend();
      await reload();
      setNow(Date.now());
      setError(undefined);
      setExpired(false);
      setCode('');
      setMessage({ kind: 'info', text: say('resent') });
    } catch (failure) {
      setMessage({ kind: 'error', text: errorMessage(t, failure) });
    } finally {
      setBusy(false);
    }
  };

  /** The code is dead and a new one can be asked for: "Code erneut senden" is then the one main action, not "Bestätigen". */
  const resendIsMain = step === 'code' && expired && !resendLocked;
  const index = steps.indexOf(step);
  const stepName = { password: say('stepPassword'), number: say('stepNumber'), code: say('stepCode') }[step];

  return (
    <StepDialog dialogRef={dialog} className="dialog phone-dialog" ids={ids} onClose={() => close()}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <StepDialogHeading
          ids={ids}
          title={changing ? say('titleChange') : say('titleSetUp')}
          stepText={say('step', { current: index + 1, total: steps.length, name: stepName })}
          count={steps.length}
          index={index}
        />

        {step === 'password' ? (
          <>
            <p id={ids.intro}>{say('passwordIntro')}</p>
            <CurrentPasswordField value={password} onChange={typePassword} error={error} />
          </>
        ) : null}

        {step === 'number' ? (
          <>
            <p id={ids.intro}>{say('numberIntro')}</p>
            {active !== undefined ? <p className="dialog-note">{say('keepsActive', { masked: unbroken(active) })}</p> : null}
            <CountrySelect
              id={countryId}
              label={say('country')}
              value={country}
              options={countries}
              onChange={(value) => {
                setCountry(value);
                setError(undefined);
              }}
            />
            <Field
              label={say('number')}
              name="phoneNumber"
              type="tel"
              autoComplete="tel-national"
              inputMode="tel"
              required
              value={number}
              onChange={(event) => {
                setNumber(event.target.value);
                setError(undefined);
              }}
              hint={say('numberHint')}
              error={error}
            />
          </>
        ) : null}

        {step === 'code' ? (
          <>
            <p id={ids.intro}>
              {say('codeIntro', { masked: unbroken(pending?.masked ?? '') })}
              {pending && !expired ? ` ${say('validUntil', { time: clock(pending.expiresAt) })}` : null}
            </p>
            {active !== undefined ? <p className="dialog-note">{say('keepsActive', { masked: unbroken(active) })}</p> : null}
            <CodeField
              kind="sms"
              label={say('code')}
              value={code}
              onChange={(value) => {
                setCode(value);
                setError(undefined);
              }}
              hint={say('codeHint')}
              error={error}
            />
            <ResendControls
              label={say('resend')}
              main={resendIsMain}
              unavailable={busy || resendLocked}
              waitHint={resendLocked && pending ? say('resendAt', { time: clock(pending.resendAvailableAt) }) : undefined}
              onResend={() => void resend()}
              message={message}
              other={{ label: say('otherNumber'), onClick: () => goTo('number') }}
            />
          </>
        ) : null}

        <div className="actions">
          <SubmitButton busy={busy} look={resendIsMain ? 'plain' : 'primary'}>
            {step === 'password' ? say('next') : step === 'number' ? say('sendCode') : say('confirm')}
          </SubmitButton>
          <button type="button" onClick={() => close()}>
            {say('cancel')}
          </button>
        </div>
      </form>
    </StepDialog>
  );
}
