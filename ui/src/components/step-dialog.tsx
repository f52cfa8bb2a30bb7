import { useId, useLayoutEffect, type ReactNode, type RefObject } from 'react';
import { trapFocus } from './modal-dialog.js';

/** The ids that tie a step dialog together: its name is the title and the current step, its description the step's first paragraph. */
export interface StepDialogIds {
  readonly title: string;
  readonly step: string;
  readonly intro: string;
}

export function useStepDialogIds(): StepDialogIds {
  const ids = useId();
  return { title: `${ids}-title`, step: `${ids}-step`, intro: `${ids}-intro` };
}

/**
 * A native modal <dialog> of numbered steps (the phone dialog, "Konto löschen"), open while it is
 * mounted: showModal() makes the page behind it inert, before any step's effect moves the focus
 * into it. Tab and Shift+Tab stay inside, Escape calls `onClose` (the caller closes it, so the
 * focus can go back where it belongs).
 */
export function StepDialog({
  dialogRef,
  className,
  ids,
  onClose,
  children,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  className: string;
  ids: StepDialogIds;
  onClose: () => void;
  children: ReactNode;
}) {
  useLayoutEffect(() => {
    const element = dialogRef.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog
      ref={dialogRef}
      className={className}
      aria-labelledby={`${ids.title} ${ids.step}`}
      aria-describedby={ids.intro}
      onKeyDown={trapFocus}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {children}
    </dialog>
  );
}

/**
 * The dialog's title, the step it is at ("Schritt 2 von 3: …", announced as it changes, and part
 * of the dialog's name), and the progress as dots (hidden from screen readers: the text says it).
 */
export function StepDialogHeading({
  ids,
  title,
  stepText,
  count,
  index,
}: {
  ids: StepDialogIds;
  title: string;
  stepText: string;
  count: number;
  index: number;
}) {
  return (
    <>
      <h2 id={ids.title}>{title}</h2>
      <p id={ids.step} className="dialog-step" aria-live="polite">
        {stepText}
      </p>
      <ol className="dialog-progress" aria-hidden="true">
        {Array.from({ length: count }, (_, i) => (
          <li key={i} className={i < index ? 'done' : i === index ? 'current' : undefined} />
        ))}
      </ol>
    </>
  );
}
