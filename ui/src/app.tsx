import { useEffect, useRef, useState } from 'react';
import { setApiLanguage } from './api.js';
import { api } from './api-client.js';
import { useI18n } from './i18n.js';
import { ConfirmEmailPage } from './pages/confirm-email-page.js';
import { ForgotPasswordPage } from './pages/forgot-password-page.js';
import { LoginPage } from './pages/login-page.js';
import { ProfilePage } from './pages/profile-page.js';
import { RegisterPage } from './pages/register-page.js';
import { ResetPasswordPage } from './pages/reset-password-page.js';
import { UndoPage } from './pages/undo-page.js';
import { VerifyActionPage } from './pages/verify-action-page.js';
import { NotFoundPage } from './pages/simple-pages.js';
import { VerifyPendingPage } from './pages/verify-pending-page.js';
import { Link, useLocation } from './router.js';
import { useSession, useSignOut } from './session.js';
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
    default:
      return <NotFoundPage />;
  }
}

/** The frame: header with the product name, navigation and the language switch; the page; focus on each new page. */
export function App() {
  const { t, locale, setLocale } = useI18n();
  const { state, reload } = useSession();
  const signOut = useSignOut();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const [appName, setAppName] = useState('Lifeline');
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

  // A new page: move focus to it (screen readers announce it; keyboard users start there).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);

  useEffect(() => {
    document.title = appName;
  }, [appName]);

  // The start page is the sign-in or, signed in, the profile.
  const current = (href: string): 'page' | undefined =>
    path === href || (path === '/' && href === (state.status === 'signed-in' ? '/profile' : '/login')) ? 'page' : undefined;

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
            <>
              <Link href="/profile" aria-current={current('/profile')}>
                {t('ui.nav.profile')}
              </Link>
              <button type="button" className="link-button" onClick={() => void signOut()}>
                {t('ui.nav.signOut')}
              </button>
            </>
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
        {state.status === 'loading' ? <p>{t('ui.common.loading')}</p> : <Page path={path} />}
      </main>
      <SiteFooter branding={branding} />
    </>
  );
}
