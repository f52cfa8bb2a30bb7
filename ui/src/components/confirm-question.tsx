import { useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { flushSync } from 'react-dom';

/**
 * A short question before a change that is not taken back lightly ("Entfernen", "Das war ich
 * nicht"). The button that asks and the question take turns: the focus goes to the question
 * (`question`, focusable), which a screen reader then reads, and back to the button (`asker`) on
 * "Abbrechen" (and Escape, in a ConfirmQuestion below), not to the page's start. `onAsk` and
 * `onKeep` clear what the other state said.
 */
export function useConfirmQuestion({ onAsk, onKeep }: { onAsk?: () => void; onKeep?: () => void } = {}) {
  const [asking, setAsking] = useState(false);
  const asker = useRef<HTMLButtonElement>(null);
  const question = useRef<HTMLParagraphElement>(null);
  const ask = () => {
    flushSync(() => {
      setAsking(true);
      onAsk?.();
    });
    question.current?.focus();
  };
  const keep = () => {
    flushSync(() => {
      setAsking(false);
      onKeep?.();
    });
    asker.current?.focus();
  };
  return { asking, setAsking, ask, keep, asker, question };
}

/**
 * The two answers to such a question: the change (styled as dangerous; aria-disabled while it
 * runs) and "Abbrechen".
 */
export function ConfirmAnswers({
  className,
  confirmLook,
  confirm,
  onConfirm,
  busy,
  cancel,
  onCancel,
}: {
  className: string;
  confirmLook: 'danger' | 'primary danger';
  confirm: string;
  onConfirm: () => void;
  busy: boolean;
  cancel: string;
  onCancel: () => void;
}) {
  return (
    <div className={className}>
      <button type="button" className={confirmLook} aria-disabled={busy || undefined} onClick={onConfirm}>
        {confirm}
      </button>
      <button type="button" onClick={onCancel}>
        {cancel}
      </button>
    </div>
  );
}

/**
 * The question in place, below the button that asked (not a modal: the row stays readable): its
 * text (focused when it opens), the change and the way out. Escape anywhere in it is the way
 * out, as in a dialog. `id` is what the asking button names with aria-controls.
 */
export function ConfirmQuestion({
  id,
  text,
  questionRef,
  confirm,
  onConfirm,
  busy,
  cancel,
  onCancel,
}: {
  id: string;
  text: string;
  questionRef: RefObject<HTMLParagraphElement | null>;
  confirm: string;
  onConfirm: () => void;
  busy: boolean;
  cancel: string;
  onCancel: () => void;
}) {
  const questionId = `${useId()}-question`;
  const escape = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    onCancel();
  };
  return (
    <div className="recovery-question" id={id} role="group" aria-labelledby={questionId} onKeyDown={escape}>
      <p id={questionId} ref={questionRef} tabIndex={-1}>
        {text}
      </p>
      <ConfirmAnswers
        className="actions recovery-entry-actions"
        confirmLook="danger"
        confirm={confirm}
        onConfirm={onConfirm}
        busy={busy}
        cancel={cancel}
        onCancel={onCancel}
      />
    </div>
  );
}
