import { useCallback, useEffect, useId, useState } from 'react';
import type { RecoveryView } from '../../../../src/contract/recovery.js';
import { api } from '../../api.js';
import { Alert } from '../../components/alert.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { RecoveryEmailRow } from './recovery-email-row.js';

/**
 * "Kontowiederherstellung", with the seed's texts: advantages, the two rows (filled by the
 * recovery issues), "Was sollten Sie beachten?" and "Wie verwenden wir diese Daten?".
 */
export function RecoverySection() {
  const { t, list } = useI18n();
  const notYet = useId();
  const [view, setView] = useState<RecoveryView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      setView(await api<RecoveryView>('GET', '/api/v1/recovery'));
    } catch (failure) {
      setError(errorMessage(t, failure));
    }
  }, [t]);
  useEffect(() => {
    void load();
  }, [load]);
  const row = (label: string) => (
    <div className="recovery-row" role="group" aria-labelledby={`${notYet}-label`}>
      <div className="recovery-head">
        <div className="recovery-text">
          <p className="label" id={`${notYet}-label`}>
            {label}
          </p>
          <p className="value muted">{t('ui.profile.recovery.notSetUp')}</p>
        </div>
        <button type="button" disabled aria-describedby={notYet}>
          {t('ui.profile.recovery.setUp')}
        </button>
      </div>
      <p id={notYet} className="hint">
        {t('ui.profile.recovery.notYet')}
      </p>
    </div>
  );
  return (
    <section className="card" aria-labelledby="recovery-title">
      <h2 id="recovery-title">{t('ui.profile.recovery.title')}</h2>
      <p>{t('ui.profile.recovery.intro')}</p>
      <h3>{t('ui.profile.recovery.benefitsTitle')}</h3>
      <ul>
        {list('ui.profile.recovery.benefits').map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {view ? <RecoveryEmailRow view={view.email} reload={load} /> : <p>{t('ui.common.loading')}</p>}
      {row(t('ui.profile.recovery.phone'))}
      <h3>{t('ui.profile.recovery.noticeTitle')}</h3>
      <ul>
        {list('ui.profile.recovery.notices').map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
      <h3>{t('ui.profile.recovery.usageTitle')}</h3>
      <p>{t('ui.profile.recovery.usageIntro')}</p>
      <ul>
        {list('ui.profile.recovery.usage').map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ul>
    </section>
  );
}
