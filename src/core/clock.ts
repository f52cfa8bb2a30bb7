/**
 * The only source of "now" in Lifeline. Every service takes a {@link Clock} so that tests
 * move time forward instead of sleeping (docs/reference/contracts.md: injected clock and randomness).
 * Times are UTC epoch milliseconds everywhere: in the database, in services, in tests.
 */
export interface Clock {
  /** Current time as UTC epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that only moves when told to; for tests and for the benchmark's determinism. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function createManualClock(startEpochMs: number = Date.UTC(2026, 0, 1, 9, 0, 0)): ManualClock {
  let current = startEpochMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (epochMs) => {
      current = epochMs;
    },
  };
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
