import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setCsrfToken } from './api.js';
import { api } from './api-client.js';
import type { AccountView, SessionView } from './api-types.js';
import { useI18n } from './i18n.js';
import { navigate } from './router.js';
import { clearReturnTo } from './return-to.js';

type SessionState = { readonly status: 'loading' } | { readonly status: 'anonymous' } | { readonly status: 'signed-in'; readonly account: AccountView };

interface SessionContextValue {
  readonly state: SessionState;
  /** Reads the session again (after sign-in, a rotation, or a change to the account). */
  readonly reload: () => Promise<void>;
  readonly setSignedOut: () => void;
}

/** The session's CSRF token changes with its id: read it again after an answer that rotated it. */
async function readSession(): Promise<SessionView | undefined> {
  const session = await api.session.current();
  if (!session) setCsrfToken(undefined);
  return session ?? undefined;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/** Who is signed in, from GET /api/v1/session; the account's language wins over the browser's choice. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const { locale, setLocale } = useI18n();

  const reload = useCallback(async () => {
    try {
      const session = await readSession();
      setState(session ? { status: 'signed-in', account: session.account } : { status: 'anonymous' });
      if (session && session.account.locale !== locale) setLocale(session.account.locale);
    } catch {
      setState({ status: 'anonymous' });
    }
    // `locale` is left out on purpose: reading the session again on every language switch is not wanted.
  }, [setLocale]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const value = useMemo<SessionContextValue>(() => ({ state, reload, setSignedOut: () => setState({ status: 'anonymous' }) }), [state, reload]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** Signs out on the server and goes to the sign-in page, which says so. */
export function useSignOut(): () => Promise<void> {
  const { setSignedOut } = useSession();
  return useCallback(async () => {
    try {
      await api.session.signOut();
    } catch {
      // Already signed out (the session expired or was revoked elsewhere): the result is the same.
    }
    // A sign-in begun for a host application in this browser is not continued by whoever signs in next.
    clearReturnTo();
    setSignedOut();
    navigate('/login?notice=signed-out');
  }, [setSignedOut]);
}
