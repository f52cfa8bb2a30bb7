import { Alert } from '../components/alert.js';
import { useI18n } from '../i18n.js';
import { useLocation } from '../router.js';
import { useSignOut } from '../session.js';
import { OverviewCards } from './profile/overview-cards.js';
import { ProfileFrame } from './profile/profile-frame.js';

/**
 * "Sicherheit auf einen Blick" (the profile, /profile; the nav still says "Profil"): four cards
 * — Kontowiederherstellung, Anmeldung & Passwort, Geräte & Aktivität, Einstellungen — each with
 * its state and a link to its page (profile-*-page.tsx), and "Abmelden" at the end. A notice from
 * the sign-in comes as `?notice=` (as the sign-in page's own): "deletion-cancelled" when this
 * sign-in cancelled a scheduled deletion. Opened by a host application with a return link
 * (`?return_to=`, or one this browser remembered; docs/integration.md "Return links"), "Zurück zu
 * <App>" leads back, above the heading; without a session the sign-in gets the way back along.
 */
export function ProfilePage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const signOut = useSignOut();
  return (
    <ProfileFrame title={t('ui.profile.overview.title')} overview>
      {(account) => (
        <>
          {query.get('notice') === 'deletion-cancelled' ? <Alert kind="success">{t('ui.profile.deleteAccount.cancelled')}</Alert> : null}
          <OverviewCards account={account} />
          <p className="overview-signed-in">
            {t('ui.profile.overview.signedInAs', { email: account.email })}{' '}
            <button type="button" className="link-button" onClick={() => void signOut()}>
              {t('ui.profile.signOut.submit')}
            </button>
          </p>
        </>
      )}
    </ProfileFrame>
  );
}
