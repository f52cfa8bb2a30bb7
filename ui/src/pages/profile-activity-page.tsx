import { useI18n } from '../i18n.js';
import { ProfileFrame } from './profile/profile-frame.js';
import { SecurityActivitySection } from './profile/security-activity-section.js';
import { SessionsSection } from './profile/sessions-section.js';

/** "Geräte & Aktivität" (/profile/activity): "Aktive Sitzungen" (sign out a device, or all others), then "Sicherheitsaktivität". */
export function ProfileActivityPage() {
  const { t } = useI18n();
  return (
    <ProfileFrame title={t('ui.profile.pages.activity')}>
      {(account) => (
        <>
          <SessionsSection />
          <SecurityActivitySection account={account} />
        </>
      )}
    </ProfileFrame>
  );
}
