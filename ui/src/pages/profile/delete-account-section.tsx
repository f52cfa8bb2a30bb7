import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { ApiError, setCsrfToken } from '../../api.js';
import { api } from '../../api-client.js';
import { Alert } from '../../components/alert.js';
import { ActionVerification, type VerificationNotice } from '../../components/action-verification.js';
import { CurrentPasswordField, SubmitButton } from '../../components/form-fields.js';
import { StepDialog, StepDialogHeading, useStepDialogIds } from '../../components/step-dialog.js';
import { errorMessage, splitErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { navigate } from '../../router.js';
import { useSession } from '../../session.js';

type Step = 'verify' | 'password';
const STEPS: readonly Step[] = ['verify', 'password'];

/** The sign-in page's notice after a deletion was scheduled (login-page.tsx reads it). */
export const deletionScheduledPath = (deleteAt: string) => `/login?notice=deletion-scheduled&at=${encodeURIComponent(deleteAt)}`;

/**
 * "Konto löschen", the profile's last section: what happens (7 days' grace, any
 * sign-in cancels, both addresses are told, then everything goes), and the button that opens
 * the dialog. The focus goes back to that button when the dialog is closed.
 */
export function DeleteAccountSection() {
  const { t, list } = useI18n();
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const say = (key: string) => t(`ui.profile.deleteAccount.${key}`);

  const close = () => {
    flushSync(() => setOpen(false));
    opener.current?.focus();
  };

  return (
    <section className="card" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">{say('title')}</h2>
      <p>{say('intro')}</p>
      <ul>
        {list('ui.profile.deleteAccount.facts').map((fact) => (
          <li key={fact}>{fact}</li>
        ))}
      </ul>
      <div className="actions">
        <button ref={opener} type="button" className="danger" aria-haspopup="dialog" onClick={() => setOpen(true)}>
          {say('open')}
        </button>
      </div>
      {open ? <DeleteAccountDialog onClose={close} /> : null}
    </section>
  );
}

/**
 * The dialog, in two steps: 1. a code to a confirmed channel (ActionVerification, action
 * 'lifeline.delete-account'), 2. the password and "Konto endgültig löschen". A native modal
 * <dialog> like the phone dialog: Tab stays inside, Escape closes it, the step is announced
 * (live region, and part of the dialog's name), each step's heading takes the focus. Once the
 * deletion is scheduled every session has ended, this one too: on to the sign-in page, which
 * says when the account will be deleted and that signing in cancels it.
 */
function DeleteAccountDialog({ onClose }: { onClose: () => void }) {
  const { t, locale } = useI18n();
  const { setSignedOut } = useSession();
  const ids = useStepDialogIds();
  const passwordId = `${useId()}-password`;
  const dialog = useRef<HTMLDialogElement>(null);
  const passwordHeading = useRef<HTMLHeadingElement>(null);
  const [step, setStep] = useState<Step>('verify');
  const [verificationId, setVerificationId] = useState<string | undefined>();
  /** Why step 1 starts again (the verified code expired before the password was sent). */
  const [restartNotice, setRestartNotice] = useState<VerificationNotice | undefined>();
  /** Counts the starts of step 1: each is a new record. */
  const [round, setRound] = useState(0);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.deleteAccount.dialog.${key}`, params);

  useEffect(() => {
    if (step === 'password') passwordHeading.current?.focus();
  }, [step]);

  const close = () => {
    dialog.current?.close();
    onClose();
  };

  const verified = (verified: string) => {
    setVerificationId(verified);
    setRestartNotice(undefined);
    setPassword('');
    setError(undefined);
    setFormError(undefined);
    setStep('password');
  };

  const typePassword = (value: string) => {
    setPassword(value);
    setError(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || verificationId === undefined) return;
    if (password === '') {
      setError(say('passwordRequired'));
      return;
    }
    setBusy(true);
    setError(undefined);
    setFormError(undefined);
    try {
      const scheduled = await api.account.scheduleDeletion({ password, verificationId });
      // Every session has ended, this one too (its cookie is cleared): the sign-in page says what comes next.
      setCsrfToken(undefined);
      dialog.current?.close();
      navigate(deletionScheduledPath(scheduled.deleteAt));
      setSignedOut();
      return;
    } catch (failure) {
      if (failure instanceof ApiError && ['verification-expired', 'verification-not-redeemable', 'not-found'].includes(failure.code)) {
        // The verified code was used or its 10 minutes are over: step 1 again, with a new record.
        setRestartNotice({ kind: 'error', text: say('verificationExpired') });
        setVerificationId(undefined);
        setRound((n) => n + 1);
        setStep('verify');
        return;
      }
      const { fields, form } = splitErrors(t, failure, {
        'wrong-password': 'password',
        'too-many-attempts': 'password',
        'rate-limited': 'password',
        'validation-failed': 'password',
      });
      if (fields.password !== undefined) {
        setError(fields.password);
        document.getElementById(passwordId)?.focus();
      } else setFormError(form ?? errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  const index = STEPS.indexOf(step);
  const stepName = step === 'verify' ? say('stepVerify') : say('stepPassword');

  return (
    <StepDialog dialogRef={dialog} className="dialog delete-dialog" ids={ids} onClose={close}>
      <StepDialogHeading
        ids={ids}
        title={say('title')}
        stepText={say('step', { current: index + 1, total: STEPS.length, name: stepName })}
        count={STEPS.length}
        index={index}
      />

      {step === 'verify' ? (
        <ActionVerification
          key={round}
          action="lifeline.delete-account"
          headingLevel={3}
          intro={say('verifyIntro')}
          introId={ids.intro}
          notice={restartNotice}
          onVerified={verified}
          onCancel={close}
        />
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <h3 ref={passwordHeading} tabIndex={-1} className="step-heading">
            {say('passwordTitle')}
          </h3>
          <p id={ids.intro} className="step-intro">
            {say('passwordIntro')}
          </p>
          <ul className="delete-consequences">
            {[0, 1, 2].map((n) => (
              <li key={n}>{say(`consequences.${n}`, { days: 7, date: inSevenDays(locale) })}</li>
            ))}
          </ul>
          <CurrentPasswordField id={passwordId} value={password} onChange={typePassword} error={error} />
          {formError ? <Alert kind="error">{formError}</Alert> : null}
          <div className="actions">
            <SubmitButton busy={busy} look="danger">
              {say('submit')}
            </SubmitButton>
            <button type="button" onClick={close}>
              {t('ui.common.cancel')}
            </button>
          </div>
        </form>
      )}
    </StepDialog>
  );
}

/** The day the account would be deleted if the request went out now (the server's answer has the exact time). */
function inSevenDays(locale: string): string {
  // On one line: "3." and "Dezember" apart would read badly.
  return new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long' })
    .format(new Date(Date.now() + 7 * 24 * 60 * 60 * 1000))
    .replace(/ /g, '\u00a0');
}
