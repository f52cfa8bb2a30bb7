import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api-client.js';
import type { PhoneOptions, RecoveryView } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { RecoveryCodesRow } from './recovery-codes-row.js';
import { RecoveryEmailRow } from './recovery-email-row.js';
import { RecoveryPhoneRow } from './recovery-phone-row.js';

/**
 * The page "Kontowiederherstellung" below its heading (the seed's section): the intro, the
 * rows (E-Mail-Adresse; Telefonnummer, hidden when no SMS provider is configured;
 * Wiederherstellungscodes) under "Ihre Wiederherstellungsoptionen", then the seed's texts: "Vorteile", "Was sollten Sie beachten?"
 * and "Wie verwenden wir diese Daten?". The rows come first: who opens the page came to act.
 */
export function RecoverySection() {
  const { t, list } = useI18n();
  const [view, setView] = useState<RecoveryView | undefined>();
  /** What the phone dialog offers; `available: false` (no SMS provider) hides the phone row. */
  const [phone, setPhone] = useState<PhoneOptions | undefined>();
  /** The product's name, for the codes' file and printout. */
  const [appName, setAppName] = useState('Lifeline');
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      setView(await api.recovery.view());
    } catch (failure) {
      setError(errorMessage(t, failure));
    }
  }, [t]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api.meta().then(
      (meta) => {
        setPhone(meta.recoveryPhone);
        setAppName(meta.name);
      },
      (failure: unknown) => setError(errorMessage(t, failure)),
    );
  }, [t]);
  return (
    <>
      <p>{t('ui.profile.recovery.intro')}</p>
      <section className="card" aria-labelledby="recovery-title">
        <h2 id="recovery-title">{t('ui.profile.recovery.optionsTitle')}</h2>
        {error ? <Alert kind="error">{error}</Alert> : null}
        {view ? <RecoveryEmailRow view={view.email} reload={load} /> : <p>{t('ui.common.loading')}</p>}
        {view && phone?.available ? <RecoveryPhoneRow view={view.phone} options={phone} reload={load} /> : null}
        {view ? <RecoveryCodesRow view={view.codes} appName={appName} reload={load} /> : null}
      </section>
      <div className="card recovery-about">
        <h2>{t('ui.profile.recovery.benefitsTitle')}</h2>
        <ul>
          {list('ui.profile.recovery.benefits').map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
        <h2>{t('ui.profile.recovery.noticeTitle')}</h2>
        <ul>
          {/* The seed's two notes: email, then phone; the phone's only where a phone can be set up. */}
          {list('ui.profile.recovery.notices')
            .filter((_, index) => index === 0 || phone?.available !== false)
            .map((text) => (
              <li key={text}>{text}</li>
            ))}
        </ul>
        <h2>{t('ui.profile.recovery.usageTitle')}</h2>
        <p>{t('ui.profile.recovery.usageIntro')}</p>
        <ul>
          {list('ui.profile.recovery.usage').map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      </div>
    </>
  );
}
