import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api-client.js';
import type { AccountView } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { errorMessage } from '../../errors.js';
import { useI18n, type Locale } from '../../i18n.js';
import { useSession } from '../../session.js';

/** "Sprache und Zeitzone": stored on the account (mails use both). */
export function PreferencesSection({ account }: { account: AccountView }) {
  const { t, setLocale } = useI18n();
  const { reload } = useSession();
  const [language, setLanguage] = useState<Locale>(account.locale);
  const [timeZone, setTimeZone] = useState(account.timeZone);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | undefined>();
  // The header's language switch changes the account too: the form shows what is stored.
  useEffect(() => setLanguage(account.locale), [account.locale]);
  useEffect(() => setTimeZone(account.timeZone), [account.timeZone]);
  const zones = useMemo(() => {
    const all = Intl.supportedValuesOf('timeZone');
    return all.includes(account.timeZone) ? all : [account.timeZone, ...all];
  }, [account.timeZone]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.account.updatePreferences({ locale: language, timeZone });
      setLocale(language);
      await reload();
      setMessage({ kind: 'success', text: t('ui.profile.preferences.saved', { lng: language }) });
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(t, error) });
    }
  };

  return (
    <section className="card" aria-labelledby="preferences-title">
      <h2 id="preferences-title">{t('ui.profile.preferences.title')}</h2>
      <form onSubmit={(event) => void save(event)} className="subform">
        <div className="field">
          <label htmlFor="pref-language">{t('ui.profile.preferences.language')}</label>
          <select id="pref-language" value={language} onChange={(e) => setLanguage(e.target.value === 'en' ? 'en' : 'de')}>
            <option value="de">{t('ui.language.de')}</option>
            <option value="en">{t('ui.language.en')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="pref-timezone">{t('ui.profile.preferences.timeZone')}</label>
          <select id="pref-timezone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} aria-describedby="pref-timezone-hint">
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
          <p id="pref-timezone-hint" className="hint">
            {t('ui.profile.preferences.timeZoneHint')}
          </p>
        </div>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
        <div className="actions">
          <button type="submit" className="primary">
            {t('ui.profile.preferences.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
