import { useEffect, useState } from 'react';
import { matchReturnLink, RETURN_TO_MAX_LENGTH, type ReturnLink } from '../../src/contract/return-links.js';
import { api } from './api-client.js';

/**
 * The way back of a page (`?return_to=`), of two kinds:
 *
 * - to a host application's sign-in (OpenID Connect, docs/oidc.md): the provider's interaction
 *   sends a browser without a session to `/login?return_to=/oidc/interaction/<uid>`; after
 *   signing in, the page continues there instead of the profile. Only that one kind of path is
 *   followed on Lifeline's own origin (no query, no `..`, no `//host`);
 * - to a host application's page (docs/integration.md "Return links"): an absolute URL that
 *   ALLOWED_RETURN_ORIGINS allows, judged by the server's own code (contract/return-links.ts)
 *   against the list from GET /api/v1/meta. After signing in the page goes there; the profile
 *   and the link pages offer "Zurück zu <App>".
 *
 * Anything else in `return_to` is ignored without a word, so the parameter is no open redirect.
 * Until the list has arrived an absolute URL is not followed (the safe default); the pages ask
 * for it only when there is such a value.
 *
 * The way back also survives a detour: "Registrieren" and the confirmation link, or "Passwort
 * vergessen?" and the reset. A page remembers a valid `return_to` in this browser (localStorage)
 * for one hour (the provider's interaction lifetime); the next sign-in in this browser continues
 * to it, and it is forgotten when used or expired.
 */
const INTERACTION = /^\/oidc\/interaction\/[A-Za-z0-9_-]+$/;
const STORAGE_KEY = 'lifeline.returnTo';
/** The provider's interaction lifetime (ttl.Interaction, src/oidc/oidc-provider.ts): after that the way back is dead anyway. */
export const RETURN_TO_LIFETIME_MS = 60 * 60 * 1000;

/** ALLOWED_RETURN_ORIGINS from GET /api/v1/meta; undefined until it has arrived. */
let links: readonly ReturnLink[] | undefined;
let loading: Promise<void> | undefined;

/** Fetches the allow-list once per page load; a failure leaves it unknown (nothing external is followed) and is tried again later. */
function loadReturnLinks(): Promise<void> {
  loading ??= api.meta().then(
    (meta) => {
      links = meta.returnLinks;
    },
    () => {
      loading = undefined;
    },
  );
  return loading;
}

/** An absolute http(s) URL that the allow-list has to judge (the list is fetched only for such a value). */
function isCandidate(value: unknown): value is string {
  return typeof value === 'string' && value.length <= RETURN_TO_MAX_LENGTH && /^https?:\/\//i.test(value);
}

type Judged = { readonly href: string; readonly app: string | undefined } | 'unknown' | undefined;

/** What `value` leads to: the provider's interaction, an allowed page (with its application's name), 'unknown' before the list arrived, or nothing. */
function judge(value: unknown): Judged {
  if (typeof value === 'string' && INTERACTION.test(value)) return { href: value, app: undefined };
  if (!isCandidate(value)) return undefined;
  if (links === undefined) return 'unknown';
  const match = matchReturnLink(value, links);
  return match ? { href: match.url, app: match.link.name } : undefined;
}

/** `value` (normalised) if it is a way back the page may follow, else undefined. */
export function validReturnTo(value: string | null | undefined): string | undefined {
  const judged = judge(value);
  return judged === 'unknown' ? undefined : judged?.href;
}

/** The name of the host application a way back leads to ("Zurück zu <App>"); undefined for the provider's interaction or none. */
export function returnAppName(returnTo: string | undefined): string | undefined {
  const judged = judge(returnTo);
  return judged === 'unknown' ? undefined : judged?.app;
}

interface Stored {
  readonly path: string;
  readonly until: number;
}

/** The remembered way back: `pending` while the list that judges it has not arrived. */
function readStored(): { readonly path: string | undefined; readonly pending: boolean } {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (raw === null) return { path: undefined, pending: false };
    const parsed = JSON.parse(raw) as Partial<Stored> | null;
    const fresh = typeof parsed?.until === 'number' && parsed.until > Date.now() && parsed.until <= Date.now() + RETURN_TO_LIFETIME_MS;
    const judged = fresh ? judge(parsed?.path) : undefined;
    if (judged === 'unknown') return { path: undefined, pending: true };
    if (judged) return { path: judged.href, pending: false };
    // Expired, tampered with or unreadable: gone.
    window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage switched off or not JSON: nothing remembered.
  }
  return { path: undefined, pending: false };
}

/** The remembered way back of this browser, if it is still valid (an expired or invalid one is removed). */
export function storedReturnTo(): string | undefined {
  return readStored().path;
}

/**
 * Remembers `path` (already validated) for one hour. The same path again keeps its first time
 * limit: a page opened later does not stretch it past the interaction's life.
 */
export function rememberReturnTo(path: string): void {
  if (readStored().path === path) return;
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
 * Where a sign-in continues: the page's valid `return_to`, else the remembered one; the
 * allow-list is fetched first when an absolute URL waits for it (an invalid one is dropped).
 */
export async function continueAfterSignIn(query: URLSearchParams): Promise<string | undefined> {
  const raw = query.get('return_to');
  if (links === undefined && (isCandidate(raw) || readStored().pending)) await loadReturnLinks();
  return validReturnTo(raw) ?? storedReturnTo();
}

/**
 * The way back of the current page: a valid `return_to` of its address (remembered for the next
 * sign-in in this browser), else the one remembered earlier; undefined when there is none. The
 * page renders again once the allow-list for an absolute URL has arrived.
 */
export function useReturnTo(query: URLSearchParams): string | undefined {
  const raw = query.get('return_to');
  const needsList = links === undefined && (isCandidate(raw) || readStored().pending);
  const [, setArrived] = useState(0);
  useEffect(() => {
    if (!needsList) return;
    let current = true;
    void loadReturnLinks().then(() => {
      if (current) setArrived((n) => n + 1);
    });
    return () => {
      current = false;
    };
  }, [needsList]);
  const fromQuery = validReturnTo(raw);
  useEffect(() => {
    if (fromQuery) rememberReturnTo(fromQuery);
  }, [fromQuery]);
  return fromQuery ?? storedReturnTo();
}

/**
 * The page's `return_to` to hand on to another page of Lifeline (the profile sends a browser
 * without a session to the sign-in): a valid one, or an absolute URL the list has not judged
 * here yet (the next page judges it itself and ignores it if it is not allowed).
 */
export function passOnReturnTo(query: URLSearchParams): string | undefined {
  const raw = query.get('return_to');
  return validReturnTo(raw) ?? (links === undefined && isCandidate(raw) ? raw : undefined);
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
