import { useEffect } from 'react';
import { Alert } from '../components/alert.js';
import { BackToApp } from '../components/back-to-app.js';
import { useI18n } from '../i18n.js';
import { passOnReturnTo, useReturnTo, withReturnTo } from '../return-to.js';
import { navigate, useLocation } from '../router.js';
import { useSession, useSignOut } from '../session.js';
import { DeleteAccountSection } from './profile/delete-account-section.js';
import { PreferencesSection } from './profile/preferences-section.js';
import { RecoverySection } from './profile/recovery-section.js';
import { SecurityActivitySection } from './profile/security-activity-section.js';
import { SessionsSection } from './profile/sessions-section.js';
import { SignInSection } from './profile/sign-in-section.js';

/**
 * "Profil": Anmeldung, Aktive Sitzungen, Sicherheitsaktivität, Kontowiederherstellung, Sprache
 * und Zeitzone, Abmelden, Konto löschen. A notice from the sign-in comes as `?notice=` (as the
 * sign-in page's own): "deletion-cancelled" when this sign-in cancelled a scheduled deletion.
 * Opened by a host application with a return link (`?return_to=`, or one this browser remembered;
 * docs/integration.md "Return links"), "Zurück zu <App>" leads back, above the heading; without a
 * session the sign-in gets the way back along.
 */
export function ProfilePage() {
  const { t } = useI18n();
  const { state } = useSession();
  const { query } = useLocation();
  const notice = query.get('notice');
  const signOut = useSignOut();
  // Remembers a valid return_to of the address for the link below (and the sign-in's detours).
  useReturnTo(query);

  useEffect(() => {
    if (state.status === 'anonymous') navigate(withReturnTo('/login', passOnReturnTo(new URLSearchParams(window.location.search))), { replace: true });
  }, [state.status]);

  if (state.status !== 'signed-in') return <p>{t('ui.common.loading')}</p>;

  return (
    <>
      <BackToApp look="top" />
      <h1>{t('ui.profile.title')}</h1>
      {notice === 'deletion-cancelled' ? <Alert kind="success">{t('ui.profile.deleteAccount.cancelled')}</Alert> : null}
      <SignInSection account={state.account} />
      <SessionsSection />
      <SecurityActivitySection account={state.account} />
      <RecoverySection />
      <PreferencesSection account={state.account} />
      <section className="card" aria-labelledby="signout-title">
        <h2 id="signout-title">{t('ui.profile.signOut.title')}</h2>
        <p>{t('ui.profile.signOut.intro')}</p>
        <div className="actions">
          <button type="button" onClick={() => void signOut()}>
            {t('ui.profile.signOut.submit')}
          </button>
        </div>
      </section>
      <DeleteAccountSection />
    </>
  );
}
