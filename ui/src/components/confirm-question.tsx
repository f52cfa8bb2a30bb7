import { useRef, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * A short question before a change that is not taken back lightly ("Deaktivieren", "Das war ich
 * nicht"). The button that asks and the question take turns: the focus goes to the question
 * (`question`, focusable), which a screen reader then reads, and back to the button (`asker`) on
 * "Abbrechen", not to the page's start. `onAsk` and `onKeep` clear what the other state said.
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
