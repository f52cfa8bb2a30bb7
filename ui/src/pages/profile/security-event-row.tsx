import { useRef, useState, type Ref } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { SecurityLogPage } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { ConfirmAnswers, useConfirmQuestion } from '../../components/confirm-question.js';
import { errorMessage, wasCancelled } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { eventTextKey, formatZonedClock } from '../../security-events.js';

export type SecurityEvent = SecurityLogPage['items'][number];

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
 * One event under its day's heading, compact as in Google's "Recent security activity": what
 * happened and the time of day with the zone's name ("14:05 MEZ") in a native disclosure's
 * summary, the one Tab stop of the entry; the device, IP address, place, a host's detail line
 * and, for `undoable` events, "Das war ich nicht" inside it (docs/ui.md "Geräte & Aktivität").
 * `<details>` is keyboard and screen-reader friendly as it is (Enter and Space open it, its state
 * is announced). The summary is described by the day's heading, so that a person who tabs from
 * entry to entry hears the day too; `<time dateTime>` carries the moment in full.
 */
export function SecurityEventRow({
  event,
  timeZone,
  dayHeadingId,
  summaryRef,
}: {
  event: SecurityEvent;
  timeZone: string;
  dayHeadingId: string;
  summaryRef: Ref<HTMLElement> | undefined;
}) {
  const { t, locale } = useI18n();
  const say = (key: string, params?: Record<string, string>) => t(`ui.profile.securityActivity.${key}`, params);
  return (
    <li className="security-event">
      <details className="security-event-disclosure">
        <summary ref={summaryRef} aria-describedby={dayHeadingId}>
          <span className="security-event-what">{hostTitle(event, locale) ?? say(`events.${eventTextKey(event.type)}`)}</span>{' '}
          <time className="security-event-time" dateTime={event.createdAt}>
            {formatZonedClock(event.createdAt, locale, timeZone)}
          </time>
        </summary>
        <div className="security-event-body">
          {event.type === 'host.event' && typeof event.details.detail === 'string' ? (
            <p className="security-event-host-detail">{event.details.detail}</p>
          ) : null}
          <p className="hint security-event-details">
            <span>{event.device ?? say('unknownDevice')}</span>
            {event.ip ? (
              <>
                {' '}
                <span className="security-event-ip">{say('ip', { ip: event.ip })}</span>
              </>
            ) : null}
            {event.place ? (
              <>
                {' '}
                <span>{say('place', { place: event.place })}</span>
              </>
            ) : null}
          </p>
          {event.undoable ? <NotMeAction eventId={event.id} /> : null}
        </div>
      </details>
    </li>
  );
}

/**
 * "Das war ich nicht" in an event whose notice link is still live: a short question first,
 * then the event's link goes to the login email, and opening it secures the account. Never with
 * the password alone: an intruder who knows the password and is still signed in must not be
 * able to undo the owner's repair from here (docs/security.md "The owner wins").
 */
function NotMeAction({ eventId }: { eventId: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  /** The masked login email the link went to, once sent. */
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
