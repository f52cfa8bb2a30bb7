import type { ReactNode } from 'react';

/**
 * How sure the profile is that a thing works: `ok` (set up, active), `warning` (no way back, or
 * one that goes away), `pending` (waiting: a confirmation, a held change), `danger` (set up but
 * broken: unreachable), `info` (a plain fact).
 */
export type Tone = 'ok' | 'warning' | 'pending' | 'danger' | 'info';

/** The shapes of the icons (24×24 viewBox), one per tone, so the state never rests on colour alone. */
const PATHS: Readonly<Record<Tone, readonly string[]>> = {
  // A tick in a circle.
  ok: ['M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Z', 'm7.5 12.5 3 3 6-6.5'],
  // An exclamation mark in a triangle.
  warning: ['M12 3 2 20.5h20L12 3Z', 'M12 9.5v5', 'M12 17.6v.1'],
  // A clock.
  pending: ['M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Z', 'M12 6.5V12l3.5 2.5'],
  // A cross in a circle.
  danger: ['M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Z', 'm8.5 8.5 7 7', 'm15.5 8.5-7 7'],
  // An "i" in a circle.
  info: ['M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Z', 'M12 11v6', 'M12 7.4v.1'],
};

/** The tone's icon: decoration only (aria-hidden), the words beside it carry the meaning. */
export function StateIcon({ tone }: { tone: Tone }) {
  return (
    <svg className="state-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      {PATHS[tone].map((d) => (
        <path key={d} d={d} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
      ))}
    </svg>
  );
}

/** A state in icon and words ("✓ Aktiv", "⚠ Nicht eingerichtet"), coloured by its tone. */
export function StateLabel({ tone, id, children }: { tone: Tone; id?: string; children: ReactNode }) {
  return (
    <span className={`state state-${tone}`} id={id}>
      <StateIcon tone={tone} />
      <span className="state-words">{children}</span>
    </span>
  );
}
