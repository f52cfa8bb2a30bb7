import { useI18n } from '../i18n.js';
import { LoginEmailSection } from './profile/login-email-section.js';
import { PasswordSection } from './profile/password-section.js';
import { ProfileFrame } from './profile/profile-frame.js';

/** "Anmeldung & Passwort" (/profile/sign-in): the login email with "Ändern", and the password behind "Passwort ändern". */
export function ProfileSignInPage() {
  const { t } = useI18n();
  return (
    <ProfileFrame title={t('ui.profile.pages.signIn')}>
      {(account) => (
        <>
          <LoginEmailSection account={account} />
          <PasswordSection account={account} />
        </>
      )}
    </ProfileFrame>
  );
}
