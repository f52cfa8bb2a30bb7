import { useId, useRef, useState, type ReactNode, type Ref, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { Alert } from '../../components/alert.js';
import { errorMessage, wasCancelled } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useAccountTime } from './account-time.js';
import { HeldRemoval, HeldReplacement } from './held-change.js';
import { StateLabel, type Tone } from './state-label.js';

/*
 * The parts both rows of "Kontowiederherstellung" (recovery-email-row.tsx, recovery-phone-row.tsx)
 * are built from, as the seed describes them: the head ("Nicht eingerichtet", "Jetzt
 * einrichten"), the active channel with "Verwalten", the changes held for 72 hours, the pending
 * one ("Bestätigung ausstehend") and the message below the row. Each row brings its own texts and
 * actions; a phone number is set in its own style (it never breaks).
 */

/**
 * The outcome of a row's last action, said below the row: `info` for a change that waits (a held
 * removal is not a success yet, and must not look like one).
 */
export type RowMessage = { readonly kind: 'success' | 'error' | 'info'; readonly text: string } | undefined;

/** A state of a channel in icon and words ("Aktiv", "Wird entfernt", "Nicht erreichbar"). */
export interface ChannelState {
  readonly tone: Tone;
  readonly label: string;
}

/**
 * What a row's actions share: one at a time (`busy`), the outcome said below the row, and the
 * focus on that message afterwards (the button that was pressed may be gone). After a success the
 * row reads its channels again and `onDone` closes what was open. `quietWhenCancelled`: closing the
 * password dialog instead of entering the password says nothing.
 */
export function useRowActions(reload: () => Promise<void>, { onDone, quietWhenCancelled }: { onDone: () => void; quietWhenCancelled: boolean }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<RowMessage>();
  const messageRef = useRef<HTMLDivElement>(null);

  const run = async (action: () => Promise<unknown>, done: string | ((result: unknown) => string | Exclude<RowMessage, undefined>)) => {
    if (busy) return;
    setBusy(true);
    setMessage(undefined);
    // Closing the password dialog leaves the focus where the dialog gave it back (the button).
    let quiet = false;
    try {
      const result = await action();
      await reload();
      const said = typeof done === 'string' ? done : done(result);
      flushSync(() => {
        setMessage(typeof said === 'string' ? { kind: 'success', text: said } : said);
        onDone();
      });
    } catch (error) {
      quiet = quietWhenCancelled && wasCancelled(error);
      if (!quiet) setMessage({ kind: 'error', text: errorMessage(t, error) });
    } finally {
      setBusy(false);
      if (!quiet) messageRef.current?.focus();
    }
  };

  return { busy, setBusy, message, setMessage, messageRef, run };
}

const valueClass = (numberStyle: boolean) => (numberStyle ? 'recovery-address recovery-number' : 'recovery-address');

/**
 * A row: its name, "Nicht eingerichtet" with advice and "Jetzt einrichten" while nothing is set up,
 * then the entries (children), then the message of the last action (focusable, so the focus can
 * go there when the button that was pressed is gone).
 */
export function ChannelRow({
  label,
  notSetUp,
  advice,
  setUp,
  message,
  messageRef,
  children,
}: {
  label: string;
  notSetUp: boolean;
  /** Below "Nicht eingerichtet": what the channel is for (undefined: not shown). */
  advice: string | undefined;
  /** "Jetzt einrichten" (undefined: not shown); `busy` marks it aria-disabled while an action runs. */
  setUp: { readonly onClick: () => void; readonly busy?: boolean; readonly ref?: Ref<HTMLButtonElement> } | undefined;
  message: RowMessage;
  messageRef: RefObject<HTMLDivElement | null>;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const labelId = `${useId()}-label`;
  return (
    <div className="recovery-row" role="group" aria-labelledby={labelId}>
      <div className="recovery-head">
        <div className="recovery-text">
          <p className="label" id={labelId}>
            {label}
          </p>
          {notSetUp ? (
            <>
              <p className="value">
                <StateLabel tone="warning">{t('ui.profile.recovery.notSetUp')}</StateLabel>
              </p>
              {advice ? <p className="hint">{advice}</p> : null}
            </>
          ) : null}
        </div>
        {notSetUp && setUp ? (
          <button ref={setUp.ref} type="button" className="primary" aria-disabled={setUp.busy || undefined} onClick={setUp.onClick}>
            {t('ui.profile.recovery.setUp')}
          </button>
        ) : null}
      </div>
      {children}
      <div ref={messageRef} tabIndex={-1} className="recovery-message">
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </div>
    </div>
  );
}

/**
 * The active channel: the value, its state ("Aktiv"; "Wird entfernt" while a removal waits out
 * the 72 hours, never a green "Aktiv" alone then; "Nicht erreichbar"), and "Verwalten", which
 * opens `manage` (its panel is tied to the button with aria-controls); below them what is wrong
 * (`problem`), since when "Passwort vergessen?" reaches it (not settled yet) and the held
 * removal with its date and "Änderung abbrechen".
 */
export function ActiveChannel({
  value,
  numberStyle = false,
  state,
  problem,
  manageLabel,
  managing,
  onManage,
  manageRef,
  manage,
  usableFrom,
  removalHeld,
  busy,
  onCancelHeld,
}: {
  value: string;
  numberStyle?: boolean;
  state: ChannelState;
  /** What is wrong with it and what to do (an unreachable channel); undefined: nothing. */
  problem?: string | undefined;
  manageLabel: string;
  managing: boolean;
  onManage: () => void;
  manageRef?: Ref<HTMLButtonElement>;
  /** The panel "Verwalten" opens, with the id the button names. */
  manage: (panelId: string) => ReactNode;
  usableFrom: string | undefined;
  /** The note of a removal held for 72 hours (undefined: none waits). */
  removalHeld: string | undefined;
  busy: boolean;
  onCancelHeld: () => void;
}) {
  const { t } = useI18n();
  const { at } = useAccountTime();
  const panelId = `${useId()}-manage`;
  return (
    <div className={`recovery-entry recovery-entry-active recovery-entry-${state.tone}`}>
      <div className="recovery-entry-main">
        <p className="value">
          <span className={valueClass(numberStyle)}>{value}</span> <StateLabel tone={state.tone}>{state.label}</StateLabel>
        </p>
        <button ref={manageRef} type="button" aria-expanded={managing} aria-controls={managing ? panelId : undefined} onClick={onManage}>
          {manageLabel}
        </button>
      </div>
      {problem ? <p className="hint recovery-problem">{problem}</p> : null}
      {usableFrom ? <p className="hint recovery-usable-from">{t('ui.profile.recovery.usableFrom', { date: at(usableFrom) })}</p> : null}
      {removalHeld ? <HeldRemoval text={removalHeld} busy={busy} onCancel={onCancelHeld} /> : null}
      {managing ? manage(panelId) : null}
    </div>
  );
}

/** A held change of the channel: the new value and when it becomes active. */
type Held = { readonly value: string; readonly effectiveAt: string } | undefined;

/** A confirmed replacement and a first channel that wait out the 72-hour hold, each with its caption and "Änderung abbrechen". */
export function HeldChanges({
  replacement,
  addition,
  captions,
  numberStyle = false,
  busy,
  onCancel,
}: {
  replacement: Held;
  addition: Held;
  captions: { readonly replacement: string; readonly addition: string };
  numberStyle?: boolean;
  busy: boolean;
  onCancel: () => void;
}) {
  return (
    <>
      {replacement ? (
        <HeldReplacement
          caption={captions.replacement}
          value={replacement.value}
          effectiveAt={replacement.effectiveAt}
          numberStyle={numberStyle}
          busy={busy}
          onCancel={onCancel}
        />
      ) : null}
      {addition ? (
        <HeldReplacement
          caption={captions.addition}
          value={addition.value}
          effectiveAt={addition.effectiveAt}
          numberStyle={numberStyle}
          addition
          busy={busy}
          onCancel={onCancel}
        />
      ) : null}
    </>
  );
}

/**
 * The channel waiting for its confirmation: the value and "Bestätigung ausstehend" (with the
 * caption "Neue …" while another one is active: the group's name reads all three), its actions
 * beside it. `note`: the row has a line under the value (the email's "Erneut senden ab …").
 */
export function PendingChannel({
  caption,
  value,
  numberStyle = false,
  badge,
  note,
  actions,
}: {
  /** "Neue Adresse" / "Neue Nummer" while an active one stays (undefined: none is active). */
  caption: string | undefined;
  value: string;
  numberStyle?: boolean;
  badge: string;
  note?: { readonly content: ReactNode };
  actions: ReactNode;
}) {
  const ids = useId();
  const id = (part: string) => `${ids}-${part}`;
  const valueLine = (
    <p className="value">
      <span className={valueClass(numberStyle)} id={id('pending-value')}>
        {value}
      </span>{' '}
      <StateLabel tone="pending" id={id('pending-badge')}>
        {badge}
      </StateLabel>
    </p>
  );
  return (
    <div
      className="recovery-entry recovery-entry-pending"
      role="group"
      aria-labelledby={caption !== undefined ? `${id('new')} ${id('pending-value')} ${id('pending-badge')}` : `${id('pending-value')} ${id('pending-badge')}`}
    >
      {caption !== undefined ? (
        <p className="recovery-caption" id={id('new')}>
          {caption}
        </p>
      ) : null}
      <div className="recovery-entry-main">
        {note ? (
          <div className="recovery-text">
            {valueLine}
            {note.content}
          </div>
        ) : (
          valueLine
        )}
        <div className="actions compact">{actions}</div>
      </div>
    </div>
  );
}
