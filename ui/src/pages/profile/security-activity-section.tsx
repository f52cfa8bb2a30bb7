import { useCallback, useEffect, useId, useRef, useState, type RefObject } from 'react';
import { api } from '../../api-client.js';
import type { AccountView } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { groupByDay, type EventDay } from '../../security-events.js';
import { SecurityEventRow, type SecurityEvent } from './security-event-row.js';

/** The list so far: the pages loaded, and where the next one starts (null after the last). */
interface Loaded {
  readonly items: readonly SecurityEvent[];
  readonly nextCursor: string | null;
}

/**
 * "Sicherheitsaktivität" (docs/reference/product.md §4): the account's security log of the last 90 days,
 * newest first, 20 at a time with "Weitere laden", grouped by day ("Heute", "Gestern", "Montag,
 * 7. Dezember 2026") in the account's time zone; each event a compact disclosure
 * (security-event-row.tsx, docs/ui.md "Geräte & Aktivität").
 */
export function SecurityActivitySection({ account }: { account: AccountView }) {
  const { t, locale } = useI18n();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  /** What "Weitere laden" brought, said politely (the live region is always there, so it is announced). */
  const [announcement, setAnnouncement] = useState('');
  /** The first event "Weitere laden" added: its summary (the entry's one Tab stop) takes the focus, since the button may be gone. */
  const [focusId, setFocusId] = useState<string | undefined>();
  const firstNew = useRef<HTMLElement>(null);
  const ids = useId();
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
    // What "Weitere laden" said is stale now (and in the language before a switch).
    setAnnouncement('');
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
      // Nothing new and the button gone: the focus goes to the last event rather than the page's start.
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
        <div className="security-days">
          {/* "Today" by the browser's clock, at each render: a page left open over midnight says so after its next load. */}
          {groupByDay(loaded.items, locale, zone, Date.now()).map((day) => (
            <EventDayGroup key={day.key} day={day} headingId={`${ids}-${day.key}`} timeZone={zone} focusId={focusId} firstNew={firstNew} />
          ))}
        </div>
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
 * One day: its heading (h3 under the section's h2) and its events as a list named by it. A day
 * that continues on the next page is the same group (groupByDay), so its list just grows.
 */
function EventDayGroup({
  day,
  headingId,
  timeZone,
  focusId,
  firstNew,
}: {
  day: EventDay<SecurityEvent>;
  headingId: string;
  timeZone: string;
  focusId: string | undefined;
  firstNew: RefObject<HTMLElement | null>;
}) {
  const { t } = useI18n();
  const label = day.relation === 'other' ? day.date : t(`ui.profile.securityActivity.${day.relation}`);
  return (
    <div className="security-day">
      <h3 id={headingId} className="security-day-heading">
        {label}
      </h3>
      <ol className="security-events" aria-labelledby={headingId}>
        {day.items.map((item) => (
          <SecurityEventRow key={item.id} event={item} timeZone={timeZone} dayHeadingId={headingId} summaryRef={item.id === focusId ? firstNew : undefined} />
        ))}
      </ol>
    </div>
  );
}
