import { useEffect, useLayoutEffect, useState } from 'react';

/**
 * The seconds until `until` (a time in ms), counted down once a second while it lies ahead: the
 * wait before "Code erneut senden" can be pressed again. A new `until` is counted from the
 * current time before the page is painted, never from the last tick.
 */
export function useCountdown(until: number): number {
  const [now, setNow] = useState(() => Date.now());
  const locked = until > now;
  useLayoutEffect(() => {
    setNow(Date.now());
  }, [until]);
  useEffect(() => {
    if (!locked) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [locked, until]);
  return Math.max(0, Math.ceil((until - now) / 1000));
}
