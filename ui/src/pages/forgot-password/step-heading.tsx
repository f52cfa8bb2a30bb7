import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A step's heading. When the step was reached by the user's action (not on the page's first
 * render, where the app already moved the focus to the page), it takes the focus: a screen
 * reader reads the new step's name, and Tab continues from there.
 */
export function StepHeading({ id, focus, children }: { id: string; focus: boolean; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
    // Only when the step appears: a later re-render (language switch) leaves the focus alone.
  }, []);
  return (
    <h1 id={id} ref={heading} tabIndex={-1} className="step-heading">
      {children}
    </h1>
  );
}
