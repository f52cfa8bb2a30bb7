import { useMemo } from 'react';
import { useI18n } from '../../i18n.js';
import { formatEventTime, formatZonedClock } from '../../security-events.js';
import { useSession } from '../../session.js';

/** How the profile writes a moment: always in the account's time zone, named (docs/ui.md "Times"). */
export interface AccountTime {
  /** "8. Dezember 2026 um 00:11 MEZ" / "8 December 2026 at 00:11 CET". */
  readonly at: (iso: string) => string;
  /** "8. Dez. 2026, 00:11 MEZ" / "8 Dec 2026, 00:11 CET": in lists and cards, where a phone's width is tight. */
  readonly short: (iso: string) => string;
  /** "16:05 MEZ": a time later today (a code's end, when "send again" opens). */
  readonly clock: (iso: string) => string;
  /** The zone as the account chose it ("Europe/Berlin"). */
  readonly zone: string;
}

/**
 * The account's time zone (Sprache und Zeitzone) rather than the browser's: the security log and
 * the notices use it, and one page with two zones (the sessions in local time, the log in
 * another) leaves the reader guessing which is which.
 */
export function useAccountTime(): AccountTime {
  const { locale } = useI18n();
  const { state } = useSession();
  const zone = state.status === 'signed-in' ? state.account.timeZone : Intl.DateTimeFormat().resolvedOptions().timeZone;
  return useMemo(
    () => ({
      at: (iso: string) => formatEventTime(iso, locale, zone),
      short: (iso: string) => formatEventTime(iso, locale, zone, 'short'),
      clock: (iso: string) => formatZonedClock(iso, locale, zone),
      zone,
    }),
    [locale, zone],
  );
}
