import { useId } from 'react';
import { useI18n } from '../../i18n.js';
import { formatEventTime } from '../../security-events.js';

/** The local time of an ISO moment, in this browser's zone (named), in the page's language. */
export function localTime(iso: string): string {
  return formatEventTime(iso, document.documentElement.lang === 'en' ? 'en' : 'de', Intl.DateTimeFormat().resolvedOptions().timeZone);
}

/**
 * Whether an answer says the change waits 72 hours (issue 9): a held removal answers 202
 * `{effectiveAt}`, a held replacement `{status: "held", effectiveAt}`.
 */
export function wasHeld(result: unknown): boolean {
  return typeof (result as { effectiveAt?: unknown } | null | undefined)?.effectiveAt === 'string';
}

/**
 * A confirmed new address or number that waits out the 72-hour hold beside the active one
 * (issue 9): its caption, the value, a "Wartet" badge and when it becomes active. Nothing to
 * press here: the cancel links went to every channel, and the owner's own device that changes
 * the channel meanwhile replaces it.
 */
export function HeldReplacement({ caption, value, effectiveAt, numberStyle }: { caption: string; value: string; effectiveAt: string; numberStyle?: boolean }) {
  const { t } = useI18n();
  const ids = useId();
  return (
    <div className="recovery-entry recovery-entry-pending recovery-entry-held" role="group" aria-labelledby={`${ids}-caption ${ids}-value ${ids}-badge`} aria-describedby={`${ids}-when`}>
      <p className="recovery-caption" id={`${ids}-caption`}>
        {caption}
      </p>
      <p className="value">
        <span className={numberStyle ? 'recovery-address recovery-number' : 'recovery-address'} id={`${ids}-value`}>
          {value}
        </span>{' '}
        <span className="badge badge-pending" id={`${ids}-badge`}>
          {t('ui.profile.recovery.heldBadge')}
        </span>
      </p>
      <p className="hint recovery-held" id={`${ids}-when`}>
        {t('ui.profile.recovery.replacementHeld', { date: localTime(effectiveAt) })}
      </p>
    </div>
  );
}
