import { useId } from 'react';
import { useI18n } from '../../i18n.js';
import { useAccountTime } from './account-time.js';
import { StateLabel } from './state-label.js';

/**
 * When a change that waits 72 hours takes effect (ISO 8601): a held removal answers 202
 * `{effectiveAt}`, a held replacement `{status: "held", effectiveAt}`. Undefined when it did not wait.
 */
export function heldUntil(result: unknown): string | undefined {
  const effectiveAt = (result as { effectiveAt?: unknown } | null | undefined)?.effectiveAt;
  return typeof effectiveAt === 'string' ? effectiveAt : undefined;
}

/** "Änderung abbrechen" for a held change: any session of the account may (it keeps things as they are). */
function CancelHeld({ onCancel, busy, describedBy }: { onCancel: () => void; busy: boolean; describedBy: string }) {
  const { t } = useI18n();
  return (
    <div className="actions compact recovery-held-actions">
      <button type="button" aria-disabled={busy || undefined} aria-describedby={describedBy} onClick={() => !busy && onCancel()}>
        {t('ui.profile.recovery.cancelHeld')}
      </button>
    </div>
  );
}

/** The note under an active channel whose removal waits 72 hours: when, that it works until then, and "Änderung abbrechen". */
export function HeldRemoval({ text, onCancel, busy }: { text: string; onCancel: () => void; busy: boolean }) {
  const ids = useId();
  return (
    <>
      <p className="hint recovery-held" id={`${ids}-note`}>
        {text}
      </p>
      <CancelHeld onCancel={onCancel} busy={busy} describedBy={`${ids}-note`} />
    </>
  );
}

/**
 * A confirmed new address or number that waits out the 72-hour hold beside the active one, or
 * (`addition`) as the first one: its caption, the value, "Wartet" (a clock), "Wird am … aktiv"
 * with what holds until then, and "Änderung abbrechen" (every channel also got a link that
 * cancels it).
 */
export function HeldReplacement(props: {
  caption: string;
  value: string;
  effectiveAt: string;
  numberStyle?: boolean;
  addition?: boolean;
  onCancel: () => void;
  busy: boolean;
}) {
  const { t } = useI18n();
  const { at } = useAccountTime();
  const ids = useId();
  return (
    <div className="recovery-entry recovery-entry-pending recovery-entry-held" role="group" aria-labelledby={`${ids}-caption ${ids}-value ${ids}-badge`}>
      <p className="recovery-caption" id={`${ids}-caption`}>
        {props.caption}
      </p>
      <p className="value">
        <span className={props.numberStyle ? 'recovery-address recovery-number' : 'recovery-address'} id={`${ids}-value`}>
          {props.value}
        </span>{' '}
        <StateLabel tone="pending" id={`${ids}-badge`}>
          {t('ui.profile.recovery.heldBadge')}
        </StateLabel>
      </p>
      <p className="hint recovery-held" id={`${ids}-when`}>
        {t(props.addition ? 'ui.profile.recovery.additionHeld' : 'ui.profile.recovery.replacementHeld', { date: at(props.effectiveAt) })}
      </p>
      <CancelHeld onCancel={props.onCancel} busy={props.busy} describedBy={`${ids}-when`} />
    </div>
  );
}
