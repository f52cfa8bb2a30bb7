import { useEffect, type ReactNode } from 'react';
import type { AccountView } from '../../api-types.js';
import { BackToApp } from '../../components/back-to-app.js';
import { useI18n } from '../../i18n.js';
import { usePageTitle } from '../../page-title.js';
import { passOnReturnTo, useReturnTo, withReturnTo } from '../../return-to.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';

/** The overview and its four pages (docs/ui.md "The profile"). */
export const PROFILE_PATHS = {
  overview: '/profile',
  recovery: '/profile/recovery',
  signIn: '/profile/sign-in',
  activity: '/profile/activity',
  settings: '/profile/settings',
} as const;

/**
 * What every page of the profile shares: signed in only (without a session the sign-in, with the
 * way back along: docs/integration.md "Return links"); a valid `?return_to=` remembered for the
 * link back to the host application, which the overview shows above its heading; on the four
 * pages "← Sicherheit auf einen Blick" instead; the page's own <h1> (app.tsx moves the focus to
 * it on every in-app navigation) and the document title.
 */
/** The profile's own pages (docs/ui.md); a sign-in that a deep link to one of them asked for goes back there. */
const PROFILE_PAGES: readonly string[] = ['/profile/recovery', '/profile/sign-in', '/profile/activity', '/profile/settings'];

/**
 * Where the sign-in continues for `next` (the sign-in page's `?next=`): one of the profile's pages
 * exactly, else the overview. Only these fixed paths: a `next` is never followed anywhere else
 * (no open redirect; a host application's way back is `return_to`, docs/integration.md).
 */
export function profilePageAfterSignIn(next: string | null): string {
  return next !== null && PROFILE_PAGES.includes(next) ? next : '/profile';
}

export function ProfileFrame({ title, overview = false, children }: { title: string; overview?: boolean; children: (account: AccountView) => ReactNode }) {
  const { t } = useI18n();
  const { state } = useSession();
  const { query } = useLocation();
  // Remembers a valid return_to of the address for "Zurück zu <App>" (and the sign-in's detours).
  useReturnTo(query);
  usePageTitle(title);

  useEffect(() => {
    if (state.status !== 'anonymous') return;
    // A deep link to one of the profile's pages comes back to it after the sign-in.
    const path = window.location.pathname;
    const signIn = PROFILE_PAGES.includes(path) ? `/login?next=${encodeURIComponent(path)}` : '/login';
    navigate(withReturnTo(signIn, passOnReturnTo(new URLSearchParams(window.location.search))), { replace: true });
  }, [state.status]);

  if (state.status !== 'signed-in') return <p>{t('ui.common.loading')}</p>;

  return (
    <>
      {overview ? (
        <BackToApp look="top" />
      ) : (
        <p className="profile-back">
          <Link href={PROFILE_PATHS.overview}>
            <span aria-hidden="true">←</span> {t('ui.profile.overview.title')}
          </Link>
        </p>
      )}
      <h1 tabIndex={-1}>{title}</h1>
      {children(state.account)}
    </>
  );
}
