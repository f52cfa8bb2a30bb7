import { useEffect, useRef, useState } from 'react';
import { api } from '../api-client.js';
import type { SecurityUndoPreview, SecurityUndoResult, UndoStep } from '../api-types.js';
import { Alert } from '../components/alert.js';
import { LinkCard, LoadingCard, useLinkButton } from '../components/link-page.js';
import { useI18n } from '../i18n.js';
import { useLinkToken } from '../link-token.js';
import { eventTextKey, formatEventTime } from '../security-events.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

type State =
  | { kind: 'loading' }
  | { kind: 'ask'; event: SecurityUndoPreview }
  | { kind: 'done'; steps: UndoStep[]; removed: SecurityUndoResult['removed'] }
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
  const heading = useRef<HTMLHeadingElement>(null);
  const say = (key: string) => t(`ui.undo.${key}`);

  // Which change the link undoes, read without using the link (opening the page changes nothing).
  useEffect(() => {
    if (!token) return;
    let current = true;
    api.securityUndo.preview(token).then(
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

  const secure = useLinkButton(
    async () => {
      const result = await api.securityUndo.undo({ token });
      setState({ kind: 'done', steps: result.done, removed: result.removed });
      // This browser's session ended with all others.
      await reload();
    },
    ['link-expired', 'validation-failed'],
    () => setState({ kind: 'gone' }),
  );

  if (state.kind === 'gone') {
    return (
      <LinkCard titleId="undo-title" title={say('goneTitle')} headingRef={heading}>
        <p>{say('gone')}</p>
        <p>
          <Link href="/forgot-password">{say('forgot')}</Link>
        </p>
      </LinkCard>
    );
  }
  if (state.kind === 'done') {
    return (
      <LinkCard titleId="undo-title" title={say('doneTitle')} headingRef={heading}>
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
      </LinkCard>
    );
  }
  if (state.kind === 'loading') return <LoadingCard titleId="undo-title" title={say('title')} />;
  return (
    <LinkCard titleId="undo-title" title={say('title')}>
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
      {secure.error ? <Alert kind="error">{secure.error}</Alert> : null}
      <div className="actions">
        <button type="button" className="primary danger" aria-disabled={secure.busy || undefined} onClick={() => void secure.press()}>
          {say('submit')}
        </button>
      </div>
      <p className="muted">{say('wasMe')}</p>
    </LinkCard>
  );
}
