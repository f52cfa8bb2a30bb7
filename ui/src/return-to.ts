import { useEffect, useState } from 'react';

/**
 * The way back to a host application's sign-in (OpenID Connect, docs/oidc.md): the provider's
 * interaction sends a browser without a session to `/login?return_to=/oidc/interaction/<uid>`;
 * after signing in, the page continues there instead of the profile.
 *
 * Only that one kind of path is ever followed (same origin, no query, no `..`, no `//host`):
 * anything else in `return_to` is ignored, so the parameter is no open redirect.
 *
 * The way back also survives a detour: "Registrieren" and the confirmation link, or "Passwort
 * vergessen?" and the reset. The sign-in page remembers a valid `return_to` in this browser
 * (localStorage) for the provider's interaction lifetime, one hour; the next sign-in in this
 * browser continues to it, and it is forgotten when used or expired.
 */
const RETURN_TO = /^\/oidc\/interaction\/[A-Za-z0-9_-]+$/;
const STORAGE_KEY = 'lifeline.returnTo';
/** The provider's interaction lifetime (ttl.Interaction, src/oidc/oidc-provider.ts): after that the way back is dead anyway. */
export const RETURN_TO_LIFETIME_MS = 60 * 60 * 1000;

/** `value` if it is a path the sign-in may continue to, else undefined. */
export function validReturnTo(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && RETURN_TO.test(value) ? value : undefined;
}

interface Stored {
  readonly path: string;
  readonly until: number;
}

function readStored(): Stored | undefined {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (raw === null) return undefined;
    const parsed = JSON.parse(raw) as Partial<Stored> | null;
    const path = validReturnTo(parsed?.path);
    if (path && typeof parsed?.until === 'number' && parsed.until > Date.now() && parsed.until <= Date.now() + RETURN_TO_LIFETIME_MS) return { path, until: parsed.until };
    // Expired, tampered with or unreadable: gone.
    window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage switched off or not JSON: nothing remembered.
  }
  return undefined;
}

/** The remembered way back of this browser, if it is still valid (an expired one is removed). */
export function storedReturnTo(): string | undefined {
  return readStored()?.path;
}

/**
 * Remembers `path` (already validated) for one hour. The same path again keeps its first time
 * limit: a page opened later does not stretch it past the interaction's life.
 */
export function rememberReturnTo(path: string): void {
  if (readStored()?.path === path) return;
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ path, until: Date.now() + RETURN_TO_LIFETIME_MS } satisfies Stored));
  } catch {
    // Not remembered: the `return_to` in the links still carries it.
  }
}

/** Forgets the way back (it was used). */
export function clearReturnTo(): void {
  try {
    window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing to forget.
  }
}

/**
 * The way back of the current page: a valid `return_to` of its address (remembered for the next
 * sign-in in this browser), else the one remembered earlier; undefined when there is none.
 */
export function useReturnTo(query: URLSearchParams): string | undefined {
  const fromQuery = validReturnTo(query.get('return_to'));
  const [stored] = useState(storedReturnTo);
  useEffect(() => {
    if (fromQuery) rememberReturnTo(fromQuery);
  }, [fromQuery]);
  return fromQuery ?? stored;
}

/** `href` (an app path such as /register) with the way back in its query, if there is one. */
export function withReturnTo(href: string, returnTo: string | undefined): string {
  if (!returnTo) return href;
  return `${href}${href.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
}

/**
 * `href` (the sign-in page, by default) with the current page's own valid `return_to`: the
 * steps of "Passwort vergessen?" lead back to the sign-in with it, also in a browser whose
 * storage is switched off.
 */
export function signInHref(href = '/login'): string {
  return withReturnTo(href, validReturnTo(new URLSearchParams(window.location.search).get('return_to')));
}
