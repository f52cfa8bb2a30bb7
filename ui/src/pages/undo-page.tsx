import { useEffect, useRef, useState } from 'react';
import type { undoSteps, securityUndoResponse } from '../../../src/contract/security-log.js';
import type { z } from 'zod';
import { api, ApiError } from '../api.js';
import { Alert } from '../components/alert.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { useLinkToken } from '../link-token.js';
import { eventTextKey, formatEventTime } from '../security-events.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

type UndoStep = (typeof undoSteps)[number];
type UndoResult = z.infer<typeof securityUndoResponse>;
type State =
  | { kind: 'loading' }
  | { kind: 'ask'; event: { type: string; createdAt: string; title?: { de: string; en: string } } }
  | { kind: 'done'; steps: UndoStep[]; removed: UndoResult['removed'] }
  | { kind: 'gone' };

/**
 * "Das war ich nicht" (/undo?token=…), the link in a security notice. Opening it changes nothing
 * (mail scanners open links): one button secures the account. Then the page lists what was done
 * and leads to "Passwort vergessen?", the only way back in.
 */
export function UndoPage() {
  const { t, locale } = useI18n();
  const { reload } = useSession();
  // Not signed in here as a rule: the browser's own zone, named in the text.
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const token = useLinkToken();
  const [state, setState] = useState<State>(token ? { kind: 'loading' } : { kind: 'gone' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  const say = (key: string) => t(`ui.undo.${key}`);

  // Which change the link undoes, read without using the link (opening the page changes nothing).
  useEffect(() => {
    if (!token) return;
    let current = true;
    api<{ type: string; createdAt: string }>('GET', `/api/v1/security/undo?token=${encodeURIComponent(token)}`).then(
      (event) => current && setState({ kind: 'ask', event }),
      () => current && setState({ kind: 'gone' }),
    );
    return () => {
      current = false;
    };
  }, [token]);

  useEffect(() => {
    if (state.kind === 'done' || state.kind === 'gone') heading.current?.focus();
  }, [state.kind]);

  const secure = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await api<UndoResult>('POST', '/api/v1/security/undo', { token });
      setState({ kind: 'done', steps: result.done, removed: result.removed });
      // This browser's session ended with all others.
      await reload();
    } catch (failure) {
      if (failure instanceof ApiError && (failure.code === 'link-expired' || failure.code === 'validation-failed')) setState({ kind: 'gone' });
      else setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  if (state.kind === 'gone') {
    return (
      <section className="card narrow" aria-labelledby="undo-title">
        <h1 id="undo-title" ref={heading} tabIndex={-1} className="step-heading">
          {say('goneTitle')}
        </h1>
        <p>{say('gone')}</p>
        <p>
          <Link href="/forgot-password">{say('forgot')}</Link>
        </p>
      </section>
    );
  }
  if (state.kind === 'done') {
    return (
      <section className="card narrow" aria-labelledby="undo-title">
        <h1 id="undo-title" ref={heading} tabIndex={-1} className="step-heading">
          {say('doneTitle')}
        </h1>
        <ul className="done-list">
          {state.steps.map((step) => (
            <li key={step}>{t(`mail.account-secured.steps.${step}`)}</li>
          ))}
        </ul>
        {state.removed.length > 0 ? (
          <>
            <h2 className="subheading">{say('removedTitle')}</h2>
            <ul className="removed-list">
              {state.removed.map((channel) => (
                <li key={channel.channel === 'recovery-email' ? channel.address : channel.masked}>
                  {say(channel.channel === 'recovery-email' ? 'removedEmail' : 'removedPhone')}{' '}
                  {/* A masked number stays in one piece (it would break at its spaces); a long address wraps. */}
                  {channel.channel === 'recovery-email' ? <strong>{channel.address}</strong> : <strong className="recovery-number">{channel.masked}</strong>}
                </li>
              ))}
            </ul>
            <p>{say(state.removed.length === 1 ? 'removedHintOne' : 'removedHint')}</p>
          </>
        ) : null}
        <p>{say('next')}</p>
        <div className="actions">
          <Link href="/forgot-password" className="button-link">
            {say('forgot')}
          </Link>
        </div>
      </section>
    );
  }
  if (state.kind === 'loading') {
    return (
      <section className="card narrow" aria-labelledby="undo-title" aria-busy="true">
        <h1 id="undo-title">{say('title')}</h1>
        <p>{t('ui.common.loading')}</p>
      </section>
    );
  }
  return (
    <section className="card narrow" aria-labelledby="undo-title">
      <h1 id="undo-title">{say('title')}</h1>
      <p className="undo-event">
        {say('concerns')}{' '}
        <strong>
          {state.event.title
            ? locale === 'de'
              ? state.event.title.de
              : state.event.title.en
            : t(`ui.profile.securityActivity.events.${eventTextKey(state.event.type)}`)}
        </strong>
        , <time dateTime={state.event.createdAt}>{formatEventTime(state.event.createdAt, locale, timeZone)}</time>
      </p>
      <p>{say('intro')}</p>
      <ul>
        <li>{say('what1')}</li>
        <li>{say('what2')}</li>
        <li>{say('what3')}</li>
      </ul>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div className="actions">
        <button type="button" className="primary danger" aria-disabled={busy || undefined} onClick={() => void secure()}>
          {say('submit')}
        </button>
      </div>
      <p className="muted">{say('wasMe')}</p>
    </section>
  );
}
