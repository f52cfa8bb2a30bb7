import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api-client.js';
import type { SessionList } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { errorMessage, wasCancelled } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useAccountTime } from './account-time.js';

type SessionItem = SessionList['sessions'][number];

/** "Aktive Sitzungen": this device marked, each other one can be signed out, or all of them. */
export function SessionsSection() {
  const { t } = useI18n();
  // In the account's time zone, named, as the security log below (docs/ui.md "Times").
  const { short: format } = useAccountTime();
  const [sessions, setSessions] = useState<SessionItem[] | undefined>();
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const messageBox = useRef<HTMLDivElement>(null);
  // After a revocation the button that was pressed is gone: the focus goes to the message instead of getting lost.
  const [focusMessage, setFocusMessage] = useState(0);
  useEffect(() => {
    if (focusMessage > 0) messageBox.current?.focus();
  }, [focusMessage]);

  const load = useCallback(async () => {
    try {
      setSessions((await api.sessions.list()).sessions);
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(t, error) });
    }
  }, [t]);

  useEffect(() => {
    void load();
  }, [load]);

  const device = (s: SessionItem) =>
    s.browser && s.os ? t('ui.profile.sessions.on', { browser: s.browser, os: s.os }) : (s.browser ?? s.os ?? t('ui.profile.sessions.unknownDevice'));

  const run = async (action: () => Promise<unknown>, done: string) => {
    if (busy) return;
    setBusy(true);
    setMessage(undefined);
    try {
      await action();
      setMessage({ kind: 'success', text: done });
      await load();
      setFocusMessage((n) => n + 1);
    } catch (error) {
      if (!wasCancelled(error)) setMessage({ kind: 'error', text: errorMessage(t, error) });
    } finally {
      setBusy(false);
    }
  };

  const others = sessions?.filter((s) => !s.current) ?? [];
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('ui.profile.sessions.title')}</h2>
      <p>{t('ui.profile.sessions.intro')}</p>
      <div ref={messageBox} tabIndex={-1}>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </div>
      {sessions === undefined ? (
        <p>{t('ui.common.loading')}</p>
      ) : (
        <ul className="sessions">
          {sessions.map((s) => (
            <li key={s.id} className={s.current ? 'session current' : 'session'}>
              <div className="session-info">
                <p className="value session-device">
                  <span>{device(s)}</span>
                  {s.current ? <span className="badge">{t('ui.profile.sessions.thisDevice')}</span> : null}
                </p>
                <p className="hint session-details">
                  <span>{t('ui.profile.sessions.ip', { ip: s.ip ?? '–' })}</span>{' '}
                  <span>{t('ui.profile.sessions.lastSeen', { time: format(s.lastSeenAt) })}</span>{' '}
                  <span>{t('ui.profile.sessions.since', { time: format(s.createdAt) })}</span>
                </p>
              </div>
              {!s.current ? (
                <button
                  type="button"
                  aria-disabled={busy || undefined}
                  aria-label={t('ui.profile.sessions.revokeLabel', { device: device(s) })}
                  onClick={() => void run(() => api.sessions.revoke(s.id), t('ui.profile.sessions.revoked'))}
                >
                  {t('ui.profile.sessions.revoke')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 ? (
        <div className="actions">
          <button
            type="button"
            aria-disabled={busy || undefined}
            onClick={() => void run(() => api.sessions.revokeOthers(), t('ui.profile.sessions.othersRevoked'))}
          >
            {t('ui.profile.sessions.revokeOthers')}
          </button>
        </div>
      ) : sessions ? (
        <p className="hint">{t('ui.profile.sessions.none')}</p>
      ) : null}
    </section>
  );
}
