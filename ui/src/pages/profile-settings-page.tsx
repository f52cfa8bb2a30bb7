import { useI18n } from '../i18n.js';
import { useSignOut } from '../session.js';
import { DeleteAccountSection } from './profile/delete-account-section.js';
import { PreferencesSection } from './profile/preferences-section.js';
import { ProfileFrame } from './profile/profile-frame.js';

/** "Einstellungen" (/profile/settings): "Sprache und Zeitzone", "Abmelden", and "Konto löschen" at the end. */
export function ProfileSettingsPage() {
  const { t } = useI18n();
  const signOut = useSignOut();
  return (
    <ProfileFrame title={t('ui.profile.pages.settings')}>
      {(account) => (
        <>
          <PreferencesSection account={account} />
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
      )}
    </ProfileFrame>
  );
}
