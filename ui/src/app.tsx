import { useEffect, useRef, useState } from 'react';
import { setApiLanguage } from './api.js';
import { api } from './api-client.js';
import { useI18n } from './i18n.js';
import { ConfirmEmailPage } from './pages/confirm-email-page.js';
import { ForgotPasswordPage } from './pages/forgot-password-page.js';
import { LoginPage } from './pages/login-page.js';
import { ProfileActivityPage } from './pages/profile-activity-page.js';
import { ProfilePage } from './pages/profile-page.js';
import { ProfileRecoveryPage } from './pages/profile-recovery-page.js';
import { ProfileSettingsPage } from './pages/profile-settings-page.js';
import { ProfileSignInPage } from './pages/profile-sign-in-page.js';
import { RegisterPage } from './pages/register-page.js';
import { ResetPasswordPage } from './pages/reset-password-page.js';
import { UndoPage } from './pages/undo-page.js';
import { VerifyActionPage } from './pages/verify-action-page.js';
import { NotFoundPage } from './pages/simple-pages.js';
import { VerifyPendingPage } from './pages/verify-pending-page.js';
import { PageTitleContext } from './page-title.js';
import { Link, useLocation } from './router.js';
import { useSession } from './session.js';
import type { Branding } from './api-types.js';
import { BrandMark, SiteFooter } from './components/site-branding.js';

function Page({ path }: { path: string }) {
  const { state } = useSession();
  switch (path) {
    case '/':
      return state.status === 'signed-in' ? <ProfilePage /> : <LoginPage />;
    case '/login':
      return <LoginPage />;
    case '/register':
      return <RegisterPage />;
    case '/verify-email':
      return <VerifyPendingPage />;
    case '/confirm-email':
      return <ConfirmEmailPage kind="signup" />;
    case '/confirm-email-change':
      return <ConfirmEmailPage kind="login-change" />;
    case '/cancel-email-change':
      return <ConfirmEmailPage kind="cancel-email-change" />;
    case '/cancel-hold':
      return <ConfirmEmailPage kind="cancel-hold" />;
    case '/confirm-recovery-email':
      return <ConfirmEmailPage kind="recovery" />;
    case '/forgot-password':
      return <ForgotPasswordPage />;
    case '/reset-password':
      return <ResetPasswordPage />;
    case '/undo':
      return <UndoPage />;
    case '/verify-action':
      return <VerifyActionPage />;
    case '/profile':
      return <ProfilePage />;
    case '/profile/recovery':
      return <ProfileRecoveryPage />;
    case '/profile/sign-in':
      return <ProfileSignInPage />;
    case '/profile/activity':
      return <ProfileActivityPage />;
    case '/profile/settings':
      return <ProfileSettingsPage />;
    default:
      return <NotFoundPage />;
  }
}

/**
 * The frame: header with the product name, navigation and the language switch; the page; focus
 * on each new page; the document title. Signed in, the header holds "Profil" and the language
 * only: "Abmelden" is on the profile's overview and its settings page, so that the overview's
 * four cards are within eight Tab presses of the page's top (docs/ui.md "The profile").
 */
export function App() {
  const { t, locale, setLocale } = useI18n();
  const { state, reload } = useSession();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const [appName, setAppName] = useState('Lifeline');
  /** The page's own name (usePageTitle), before the product's in the document title. */
  const [pageTitle, setPageTitle] = useState<string>();
  const [branding, setBranding] = useState<Branding>();
  const first = useRef(true);

  useEffect(() => {
    void api.meta().then(
      (meta) => {
        setAppName(meta.name);
        setBranding(meta.branding);
      },
      () => undefined,
    );
  }, []);

  useEffect(() => {
    setApiLanguage(locale);
  }, [locale]);

  // A new page (a link, or the browser's back and forward): the focus goes to its heading, which a
  // screen reader then reads, and the keyboard goes on from there; to the page's content while
  // it has none yet (still loading).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    } else main.current?.focus();
  }, [path]);

  useEffect(() => {
    document.title = pageTitle ? `${pageTitle} – ${appName}` : appName;
  }, [appName, pageTitle]);

  // The start page is the sign-in or, signed in, the profile; the profile's own pages are part of "Profil".
  const current = (href: string): 'page' | 'true' | undefined =>
    path === href || (path === '/' && href === (state.status === 'signed-in' ? '/profile' : '/login'))
      ? 'page'
      : path.startsWith(`${href}/`)
        ? 'true'
        : undefined;

  const switchLanguage = async () => {
    const next = locale === 'de' ? 'en' : 'de';
    setLocale(next);
    if (state.status === 'signed-in') {
      // Remembered on the account too, so mails and the next sign-in use it.
      await api.account.updatePreferences({ locale: next }).then(
        () => reload(),
        () => undefined,
      );
    }
  };

  return (
    <>
      <a className="skip-link" href="#main">
        {t('ui.skipToContent')}
      </a>
      <header className="site-header">
        <Link href="/" className="brand">
          <BrandMark appName={appName} logoUrl={branding?.logoUrl} />
        </Link>
        <nav aria-label={appName}>
          {state.status === 'signed-in' ? (
            <Link href="/profile" aria-current={current('/profile')}>
              {t('ui.nav.profile')}
            </Link>
          ) : (
            <>
              <Link href="/login" aria-current={current('/login')}>
                {t('ui.nav.signIn')}
              </Link>
              <Link href="/register" aria-current={current('/register')}>
                {t('ui.nav.register')}
              </Link>
            </>
          )}
          <button
            type="button"
            className="language"
            lang={locale === 'de' ? 'en' : 'de'}
            aria-label={t('ui.language.switchToLabel')}
            onClick={() => void switchLanguage()}
          >
            {t('ui.language.switchTo')}
          </button>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <PageTitleContext.Provider value={setPageTitle}>
          {state.status === 'loading' ? <p>{t('ui.common.loading')}</p> : <Page path={path} />}
        </PageTitleContext.Provider>
      </main>
      <SiteFooter branding={branding} />
    </>
  );
}
