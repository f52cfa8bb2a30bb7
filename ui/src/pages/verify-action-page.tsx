import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { VerificationPageBody } from '../../../src/contract/verifications.js';
import { api, ApiError } from '../api.js';
import { Alert } from '../components/alert.js';
import { CodeField } from '../components/code-field.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { useLinkToken } from '../link-token.js';
import { formatEventTime } from '../security-events.js';

type Channel = VerificationPageBody['channels'][number]['channel'];
type Done = { status: string; returnTo: string | null };
type State =
  | { kind: 'loading' }
  /** `back`: reached from the code step ("Anderen Weg wählen"), with the channel chosen there. */
  | { kind: 'choose'; page: VerificationPageBody; back?: Channel }
  | { kind: 'code'; page: VerificationPageBody; channel: Channel; sentTo: string; resendAt: number }
  | { kind: 'link'; preview?: { action: string; requester: string; createdAt: string } }
  | { kind: 'done'; returnTo: string | null }
  | { kind: 'gone' };

/** The page's own token survives a reload in this tab (the address bar loses it at once). */
const STORAGE_KEY = 'lifeline.verify-action';
const RESEND_COOLDOWN_MS = 60_000;
/** While the code step waits, the record is asked every few seconds: the e-mail's link may verify it in another browser. */
const POLL_MS = 4000;

/** A link token (`id.secret`, from the e-mail) or the page's capability (from the host's `url`). */
const isMailLink = (token: string) => token.includes('.');

function readToken(fromUrl: string): string {
  if (fromUrl && !isMailLink(fromUrl)) {
    window.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  return fromUrl || (window.sessionStorage.getItem(STORAGE_KEY) ?? '');
}

/**
 * "Aktion bestätigen" (/verify-action?token=…). A host application sends its user here
 * (its `url`); the user picks a confirmed channel (masked), types the code that arrives, and
 * goes back to the host (`returnTo` with `verification=<id>`). The e-mail's link opens the same
 * page with its own token: one button confirms (opening it changes nothing: mail scanners).
 */
export function VerifyActionPage() {
  const { t, locale } = useI18n();
  const fromUrl = useLinkToken();
  const [token] = useState(() => readToken(fromUrl));
  const [state, setState] = useState<State>(() => (!token ? { kind: 'gone' } : isMailLink(token) ? { kind: 'link' } : { kind: 'loading' }));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.verifyAction.${key}`, params);

  const finish = (done: Done) => {
    window.sessionStorage.removeItem(STORAGE_KEY);
    setState({ kind: 'done', returnTo: done.returnTo });
    // Back to the host at once; the page stays as it is should the browser not follow.
    if (done.returnTo) window.location.assign(done.returnTo);
  };

  /**
   * Where the record stands: a fresh page, a code already sent (by the host, or before a reload),
   * or an end; 'dead' when the token no longer opens a record (410, or a malformed one), undefined
   * when the answer says nothing about it (the network, a limit, the server).
   */
  const load = async (): Promise<VerificationPageBody | 'dead' | undefined> => {
    try {
      return await api<VerificationPageBody>('GET', `/api/v1/verification-page?token=${encodeURIComponent(token)}`);
    } catch (failure) {
      return failure instanceof ApiError && [400, 404, 410].includes(failure.status) ? 'dead' : undefined;
    }
  };

  /** The record is no longer pending (verified elsewhere, failed, expired, or the token is dead): on to where it stands. */
  const settle = async () => {
    const page = await load();
    if (typeof page === 'object' && page.status === 'verified' && !page.consumed) finish({ status: page.status, returnTo: page.returnTo });
    else setState({ kind: 'gone' });
  };

  useEffect(() => {
    if (state.kind !== 'loading') return;
    let current = true;
    void load().then((page) => {
      if (!current) return;
      // Redeemed by the host already (the page opened again later): nothing more to do here.
      if (typeof page !== 'object' || page.status === 'expired' || page.status === 'failed' || page.consumed) return setState({ kind: 'gone' });
      if (page.status === 'verified') return finish({ status: page.status, returnTo: page.returnTo });
      const sent = page.channel ? page.channels.find((choice) => choice.channel === page.channel) : undefined;
      setState(sent ? { kind: 'code', page, channel: sent.channel, sentTo: sent.masked, resendAt: 0 } : { kind: 'choose', page });
    });
    return () => {
      current = false;
    };
    // Once, on the first render.
  }, []);

  // The e-mail's link, opened in another browser, verifies the record: this page moves on by itself
  // (and says so should the record fail or expire meanwhile).
  useEffect(() => {
    if (state.kind !== 'code') return;
    let current = true;
    const timer = window.setInterval(() => {
      void load().then((page) => {
        // A network hiccup is no news: ask again next time.
        if (!current || page === undefined || (page !== 'dead' && page.status === 'pending')) return;
        if (page !== 'dead' && page.status === 'verified') finish({ status: page.status, returnTo: page.returnTo });
        else setState({ kind: 'gone' });
      });
    }, POLL_MS);
    return () => {
      current = false;
      window.clearInterval(timer);
    };
  }, [state.kind]);

  // The e-mail's link: what it would confirm, read without using it (opening the page changes nothing).
  useEffect(() => {
    if (state.kind !== 'link' || state.preview) return;
    let current = true;
    api<{ action: string; requester: string; createdAt: string }>('GET', `/api/v1/verification-page/link?token=${encodeURIComponent(token)}`).then(
      (preview) => current && setState({ kind: 'link', preview }),
      () => current && setState({ kind: 'gone' }),
    );
    return () => {
      current = false;
    };
  }, [state.kind]);

  useEffect(() => {
    if (state.kind === 'done' || state.kind === 'gone') heading.current?.focus();
  }, [state.kind]);

  const send = async (page: VerificationPageBody, channel: Channel) => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const sent = await api<{ sentTo: string }>('POST', '/api/v1/verification-page/send', { token, channel });
      setState({ kind: 'code', page, channel, sentTo: sent.sentTo, resendAt: Date.now() + RESEND_COOLDOWN_MS });
    } catch (failure) {
      if (failure instanceof ApiError && (failure.code === 'verification-expired' || failure.code === 'link-expired')) setState({ kind: 'gone' });
      else if (failure instanceof ApiError && failure.code === 'verification-not-redeemable') await settle();
      else setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  const confirmLink = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await api<Done>('POST', '/api/v1/verification-page/link', { token });
      // Not back to the host from here: the link may be opened on another device, and the page
      // that asked (which moves on by itself) is the one to return. Two returns would make the
      // host consume the record in a browser that did not ask, and refuse the one that did.
      finish({ status: 'verified', returnTo: null });
    } catch (failure) {
      if (failure instanceof ApiError && (failure.code === 'link-expired' || failure.code === 'validation-failed')) setState({ kind: 'gone' });
      else setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  if (state.kind === 'gone') {
    return (
      <section className="card narrow" aria-labelledby="verify-title">
        <h1 id="verify-title" ref={heading} tabIndex={-1} className="step-heading">
          {say('goneTitle')}
        </h1>
        <p>{say('gone')}</p>
      </section>
    );
  }
  if (state.kind === 'done') {
    return (
      <section className="card narrow" aria-labelledby="verify-title">
        <h1 id="verify-title" ref={heading} tabIndex={-1} className="step-heading">
          {say('doneTitle')}
        </h1>
        {state.returnTo ? (
          <>
            <p>{say('returning', { host: new URL(state.returnTo).host })}</p>
            <div className="actions">
              <a className="button-link" href={state.returnTo}>
                {say('continue', { host: new URL(state.returnTo).host })}
              </a>
            </div>
          </>
        ) : (
          <p>{say('doneElsewhere')}</p>
        )}
      </section>
    );
  }
  if (state.kind === 'loading') {
    return (
      <section className="card narrow" aria-labelledby="verify-title" aria-busy="true">
        <h1 id="verify-title">{say('title')}</h1>
        <p>{t('ui.common.loading')}</p>
      </section>
    );
  }
  if (state.kind === 'link' && !state.preview) {
    // The button appears only with what it confirms: nobody confirms an action unseen.
    return (
      <section className="card narrow" aria-labelledby="verify-title" aria-busy="true">
        <h1 id="verify-title">{say('title')}</h1>
        <p>{t('ui.common.loading')}</p>
      </section>
    );
  }
  if (state.kind === 'link') {
    return (
      <section className="card narrow" aria-labelledby="verify-title">
        <h1 id="verify-title">{say('title')}</h1>
        {state.preview ? (
          <p className="undo-event">
            {say('linkConcerns', { action: state.preview.action, requester: state.preview.requester })}{' '}
            <time dateTime={state.preview.createdAt}>{formatEventTime(state.preview.createdAt, locale, Intl.DateTimeFormat().resolvedOptions().timeZone)}</time>
          </p>
        ) : null}
        <p>{say('linkIntro')}</p>
        {error ? <Alert kind="error">{error}</Alert> : null}
        <div className="actions">
          <button type="button" className="primary" aria-disabled={busy || undefined} onClick={() => void confirmLink()}>
            {say('confirm')}
          </button>
        </div>
        <p className="muted">{say('notMe')}</p>
      </section>
    );
  }
  if (state.kind === 'choose') {
    return <ChooseStep page={state.page} back={state.back} busy={busy} error={error} onSend={(channel) => void send(state.page, channel)} />;
  }
  return (
    <CodeStep
      key={`${state.channel}-${state.resendAt}`}
      token={token}
      state={state}
      onVerified={finish}
      onEnded={() => void settle()}
      onOther={() => {
        setError(undefined);
        setState({ kind: 'choose', page: state.page, back: state.channel });
      }}
      onResend={() => void send(state.page, state.channel)}
      resendError={error}
    />
  );
}

/**
 * The action, who asks, and the channels (masked); one that this action does not accept is shown
 * disabled, with why. Reached back from the code step, the heading takes the focus (the button
 * that led here is gone) and the channel of that step is still chosen.
 */
function ChooseStep({
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
  const ids = useId();
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
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title" ref={heading} tabIndex={-1} className="step-heading">
        {say('title')}
      </h1>
      <p>{say('intro', { requester: page.requester, action: page.action })}</p>
      {usable.length === 0 ? (
        <Alert kind="error">{say('noChannel')}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <fieldset
            className="choices"
            role="radiogroup"
            aria-labelledby={`${ids}-legend`}
            aria-describedby={missing ? `${ids}-error` : undefined}
            aria-invalid={missing || undefined}
            aria-required="true"
          >
            <legend id={`${ids}-legend`}>{say('legend')}</legend>
            {page.channels.map((option) => (
              <label key={option.channel} className="choice">
                <input
                  type="radio"
                  name="channel"
                  value={option.channel}
                  disabled={!option.allowed}
                  checked={choice === option.channel}
                  onChange={() => {
                    setChoice(option.channel);
                    setMissing(false);
                  }}
                />
                <span className="choice-label">
                  {say(`channels.${option.channel}`, { masked: option.masked })}
                  {option.allowed ? null : <span className="hint"> {say('tooYoung')}</span>}
                </span>
              </label>
            ))}
            {missing ? (
              <p id={`${ids}-error`} className="field-error" role="alert">
                {say('required')}
              </p>
            ) : null}
          </fieldset>
          {error ? <Alert kind="error">{error}</Alert> : null}
          <div className="actions">
            <button type="submit" className="primary" aria-disabled={busy || undefined}>
              {say('send')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The code that was sent, "Bestätigen", and the ways on: send again (after 60 s), another channel. */
function CodeStep({
  token,
  state,
  onVerified,
  onEnded,
  onOther,
  onResend,
  resendError,
}: {
  token: string;
  state: Extract<State, { kind: 'code' }>;
  onVerified: (done: Done) => void;
  /** The record is no longer pending (failed by the last wrong code, expired, verified elsewhere). */
  onEnded: () => void;
  onOther: () => void;
  onResend: () => void;
  resendError: string | undefined;
}) {
  const { t } = useI18n();
  const ids = useId();
  const sms = state.channel === 'recovery-phone';
  const others = state.page.channels.some((choice) => choice.allowed && choice.channel !== state.channel);
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const heading = useRef<HTMLHeadingElement>(null);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.verifyAction.${key}`, params);
  const wait = Math.max(0, Math.ceil((state.resendAt - now) / 1000));

  useEffect(() => {
    heading.current?.focus();
  }, []);
  useEffect(() => {
    if (wait === 0) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [wait === 0]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const value = code.replace(/[\s-]/g, '');
    if (sms ? !/^\d{6}$/.test(value) : !/^[0-9A-Za-z]{8}$/.test(value)) {
      setFieldError(sms ? say('requiredSms') : say('requiredEmail'));
      return;
    }
    setBusy(true);
    setFieldError(undefined);
    try {
      onVerified(await api<Done>('POST', '/api/v1/verification-page/code', { token, code: value }));
    } catch (failure) {
      // The last wrong try fails the record: no "0 tries left", the page says that it is over.
      if (
        failure instanceof ApiError &&
        (['verification-expired', 'verification-not-redeemable', 'link-expired'].includes(failure.code) ||
          (failure.code === 'wrong-code' && failure.triesLeft === 0))
      )
        onEnded();
      else setFieldError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title" ref={heading} tabIndex={-1} className="step-heading">
        {say('codeTitle')}
      </h1>
      <p>{say('intro', { requester: state.page.requester, action: state.page.action })}</p>
      <p className="step-intro">{say(sms ? 'sentSms' : 'sentEmail', { sentTo: state.sentTo })}</p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <CodeField
          kind={sms ? 'sms' : 'email'}
          label={sms ? say('labelSms') : say('labelEmail')}
          value={code}
          onChange={(value) => {
            setCode(value);
            setFieldError(undefined);
          }}
          error={fieldError}
        />
        <div className="actions">
          <button type="submit" className="primary" aria-disabled={busy || undefined}>
            {say('confirm')}
          </button>
        </div>
      </form>
      <div className="resend">
        <button
          type="button"
          className="link-button"
          aria-disabled={wait > 0 || undefined}
          aria-describedby={wait > 0 ? `${ids}-wait` : undefined}
          onClick={() => wait === 0 && onResend()}
        >
          {say('resend')}
        </button>
        {wait > 0 ? (
          <p className="hint" id={`${ids}-wait`}>
            {say('resendIn', { count: wait })}
          </p>
        ) : null}
        {resendError ? <Alert kind="error">{resendError}</Alert> : null}
        {others ? (
          <button type="button" className="link-button" onClick={onOther}>
            {say('other')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
