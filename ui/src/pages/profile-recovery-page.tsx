import { useI18n } from '../i18n.js';
import { ProfileFrame } from './profile/profile-frame.js';
import { RecoverySection } from './profile/recovery-section.js';

/** "Kontowiederherstellung" (/profile/recovery): the seed's section as a page of its own, reached from the overview's first card. */
export function ProfileRecoveryPage() {
  const { t } = useI18n();
  return <ProfileFrame title={t('ui.profile.pages.recovery')}>{() => <RecoverySection />}</ProfileFrame>;
}
