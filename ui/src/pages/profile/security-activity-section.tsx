import { useCallback, useEffect, useRef, useState, type Ref } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { AccountView, SecurityLogPage } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { ConfirmAnswers, useConfirmQuestion } from '../../components/confirm-question.js';
import { errorMessage, wasCancelled } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { eventTextKey, formatEventTime } from '../../security-events.js';

type SecurityEvent = SecurityLogPage['items'][number];

/** The list so far: the pages loaded, and where the next one starts (null after the last). */
interface Loaded {
  readonly items: readonly SecurityEvent[];
  readonly nextCursor: string | null;
}

/**
 * "Sicherheitsaktivität" (docs/reference/product.md §4): the account's security log of the last 90 days,
 * newest first, 20 at a time with "Weitere laden". Times in the account's time zone.
 */
export function SecurityActivitySection({ account }: { account: AccountView }) {
  const { t, locale } = useI18n();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  /** What "Weitere laden" brought, said politely (the live region is always there, so it is announced). */
  const [announcement, setAnnouncement] = useState('');
  /** The first row "Weitere laden" added: it takes the focus, since the button may be gone. */
  const [focusId, setFocusId] = useState<string | undefined>();
  const firstNew = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focusId !== undefined) firstNew.current?.focus();
  }, [focusId]);

  // The newest page, again whenever the session's account changes (a password change, the
  // language switch: each writes an event). Rows that are new go on top; the pages loaded
  // below stay. Without an overlap (more than a page of new rows) the list starts over.
  const refresh = useCallback(async () => {
    try {
      const newest = await api.securityLog.page();
      setError(undefined);
      setLoaded((current) => {
        if (!current || current.items.length === 0) return newest;
        const shown = new Set(current.items.map((item) => item.id));
        if (!newest.items.some((item) => shown.has(item.id))) return newest;
        return { items: [...newest.items.filter((item) => !shown.has(item.id)), ...current.items], nextCursor: current.nextCursor };
      });
    } catch (failure) {
      setError(errorMessage(t, failure));
    }
  }, [t]);

  useEffect(() => {
    void refresh();
  }, [refresh, account]);

  const more = async () => {
    if (busy || !loaded?.nextCursor) return;
    setBusy(true);
    setError(undefined);
    setAnnouncement('');
    try {
      const next = await api.securityLog.page(loaded.nextCursor);
      // New rows on top (a refresh meanwhile) push rows down: one of this page may be shown already.
      const shown = new Set(loaded.items.map((item) => item.id));
      const added = next.items.filter((item) => !shown.has(item.id));
      setLoaded((current = loaded) => {
        const ids = new Set(current.items.map((item) => item.id));
        return { items: [...current.items, ...next.items.filter((item) => !ids.has(item.id))], nextCursor: next.nextCursor };
      });
      // Nothing new and the button gone: the focus goes to the last row rather than the page's start.
      setFocusId(added[0]?.id ?? loaded.items.at(-1)?.id);
      const count = t('ui.profile.securityActivity.loaded', { count: added.length });
      setAnnouncement(next.nextCursor === null ? `${count} ${t('ui.profile.securityActivity.allLoaded')}` : count);
    } catch (failure) {
      setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  const zone = account.timeZone;
  return (
    <section className="card" aria-labelledby="security-activity-title">
      <h2 id="security-activity-title">{t('ui.profile.securityActivity.title')}</h2>
      <p>{t('ui.profile.securityActivity.intro')}</p>
      <p className="hint security-zone">{t('ui.profile.securityActivity.timeZone', { zone: zone.replace(/_/g, ' ') })}</p>
      {loaded === undefined ? (
        error ? null : (
          <p>{t('ui.common.loading')}</p>
        )
      ) : loaded.items.length === 0 ? (
        <p className="hint">{t('ui.profile.securityActivity.empty')}</p>
      ) : (
        <ol className="security-events">
          {loaded.items.map((item) => (
            <SecurityEventRow key={item.id} event={item} timeZone={zone} locale={locale} rowRef={item.id === focusId ? firstNew : undefined} />
          ))}
        </ol>
      )}
      {error ? <Alert kind="error">{error}</Alert> : null}
      <p className="hint security-announcement" aria-live="polite">
        {announcement}
      </p>
      {loaded?.nextCursor ? (
        <div className="actions">
          <button type="button" aria-disabled={busy || undefined} onClick={() => void more()}>
            {t('ui.profile.securityActivity.more')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/**
 * A host application's own event (docs/integration.md "Host events") reads as the host's title in
 * the page's language; React shows it as text, so a title with markup stays harmless text.
 */
function hostTitle(event: SecurityEvent, locale: string): string | undefined {
  if (event.type !== 'host.event') return undefined;
  const title = locale === 'de' ? event.details.titleDe : event.details.titleEn;
  return typeof title === 'string' && title !== '' ? title : undefined;
}

/**
 * One event: what happened, when (in the account's zone, with the zone's name), from which
 * device, IP address and place. The row is a flex line like a session's: an action such as
 * "Das war ich nicht" (for `undoable` events) goes beside `.security-event-info`.
 */
function SecurityEventRow({
  event,
  timeZone,
  locale,
  rowRef,
}: {
  event: SecurityEvent;
  timeZone: string;
  locale: string;
  rowRef: Ref<HTMLLIElement> | undefined;
}) {
  const { t } = useI18n();
  return (
    <li className="security-event" ref={rowRef} tabIndex={rowRef ? -1 : undefined}>
      <div className="security-event-info">
        <p className="value security-event-what">{hostTitle(event, locale) ?? t(`ui.profile.securityActivity.events.${eventTextKey(event.type)}`)}</p>
        {event.type === 'host.event' && typeof event.details.detail === 'string' ? (
          <p className="hint security-event-host-detail">{event.details.detail}</p>
        ) : null}
        <p className="hint security-event-details">
          <time dateTime={event.createdAt}>{formatEventTime(event.createdAt, locale, timeZone)}</time>{' '}
          <span>{event.device ?? t('ui.profile.securityActivity.unknownDevice')}</span>
          {event.ip ? (
            <>
              {' '}
              <span className="security-event-ip">{t('ui.profile.securityActivity.ip', { ip: event.ip })}</span>
            </>
          ) : null}
          {event.place ? (
            <>
              {' '}
              <span>{t('ui.profile.securityActivity.place', { place: event.place })}</span>
            </>
          ) : null}
        </p>
      </div>
      {event.undoable ? <NotMeAction eventId={event.id} /> : null}
    </li>
  );
}

/**
 * "Das war ich nicht" beside an event whose notice link is still live: a short question first,
 * then the event's link goes to the login e-mail, and opening it secures the account. Never with
 * the password alone: an intruder who knows the password and is still signed in must not be
 * able to undo the owner's repair from here (docs/security.md "The owner wins").
 */
function NotMeAction({ eventId }: { eventId: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  /** The masked login e-mail the link went to, once sent. */
  const [sentTo, setSentTo] = useState<string | undefined>();
  const say = (key: string) => t(`ui.profile.securityActivity.notMe.${key}`);
  // The button and the question take each other's place.
  const { asking, ask, keep, asker, question } = useConfirmQuestion({ onKeep: () => setError(undefined) });
  const sentNote = useRef<HTMLParagraphElement>(null);

  const sendLink = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const sent = await api.securityLog.sendUndoLink(eventId);
      // The question gives way to the note; the focus goes to it, so it is read out.
      flushSync(() => setSentTo(sent.sentTo));
      sentNote.current?.focus();
    } catch (failure) {
      if (!wasCancelled(failure)) setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  if (sentTo !== undefined) {
    return (
      <div className="security-event-action">
        <p className="alert alert-success" role="status" ref={sentNote} tabIndex={-1}>
          {t('ui.profile.securityActivity.notMe.linkSent', { address: sentTo })}
        </p>
      </div>
    );
  }
  if (!asking) {
    return (
      <div className="security-event-action">
        <button ref={asker} type="button" onClick={ask}>
          {say('button')}
        </button>
      </div>
    );
  }
  return (
    <div className="security-event-action" role="group" aria-label={say('button')}>
      <p className="hint" ref={question} tabIndex={-1}>
        {say('question')}
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <ConfirmAnswers
        className="actions"
        confirmLook="primary danger"
        confirm={say('sendLink')}
        onConfirm={() => void sendLink()}
        busy={busy}
        cancel={say('cancel')}
        onCancel={keep}
      />
    </div>
  );
}
