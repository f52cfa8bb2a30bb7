import { useEffect, useState } from 'react';
import { api } from '../../api-client.js';
import type { AccountView, RecoveryView, SessionList } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { errorMessage } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useAccountTime } from './account-time.js';
import { PROFILE_PATHS } from './profile-frame.js';
import { summariseRecovery } from './recovery-status.js';
import { StatusCard } from './status-card.js';

type Sessions = SessionList['sessions'];

/** What the cards read besides the account: the recovery channels, whether a phone can be set up, the sessions. */
function useOverviewData() {
  const { t } = useI18n();
  const [recovery, setRecovery] = useState<RecoveryView | undefined>();
  const [phoneAvailable, setPhoneAvailable] = useState<boolean | undefined>();
  const [sessions, setSessions] = useState<Sessions | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let current = true;
    const fail = (failure: unknown) => current && setError(errorMessage(t, failure));
    api.recovery.view().then((view) => current && setRecovery(view), fail);
    api.meta().then((meta) => current && setPhoneAvailable(meta.recoveryPhone.available), fail);
    api.sessions.list().then((list) => current && setSessions(list.sessions), fail);
    return () => {
      current = false;
    };
  }, [t]);
  return { recovery: phoneAvailable === undefined ? undefined : recovery, phoneAvailable: phoneAvailable ?? false, sessions, error };
}

/**
 * The four cards of "Sicherheit auf einen Blick", the most important first: Kontowiederherstellung
 * (it stands out while the account has no way back), Anmeldung & Passwort, Geräte & Aktivität,
 * Einstellungen. Each links to its page; the links come right after the header, so the keyboard
 * reaches all four within a few Tab presses (docs/ui.md "The profile").
 */
export function OverviewCards({ account }: { account: AccountView }) {
  const { t } = useI18n();
  const { at, short } = useAccountTime();
  const { recovery, phoneAvailable, sessions, error } = useOverviewData();
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.overview.${key}`, params);
  const loading = t('ui.common.loading');
  const summary = recovery ? summariseRecovery(recovery, phoneAvailable, t, at) : undefined;
  // The newest sign-in among the sessions still open (ISO 8601 strings sort as times).
  const lastSignIn = sessions?.reduce<string | undefined>((latest, s) => (latest === undefined || s.createdAt > latest ? s.createdAt : latest), undefined);

  return (
    <>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div className="status-cards">
        <StatusCard
          title={t('ui.profile.pages.recovery')}
          tone={summary?.tone ?? 'info'}
          state={summary?.state ?? loading}
          attention={summary?.banner !== undefined}
          href={PROFILE_PATHS.recovery}
          link={summary?.link ?? say('recovery.manage')}
        >
          {summary?.banner ? <p className="status-banner">{summary.banner}</p> : null}
          {summary?.line ? <p>{summary.line}</p> : null}
        </StatusCard>
        <StatusCard
          title={t('ui.profile.pages.signIn')}
          tone={account.pendingEmail ? 'pending' : 'ok'}
          state={account.pendingEmail ? say('signIn.changeWaiting') : say('signIn.confirmed')}
          href={PROFILE_PATHS.signIn}
          link={say('signIn.link')}
        >
          <p>
            {say('signIn.email')} <span className="status-value">{account.email}</span>
          </p>
          {account.pendingEmail ? <p>{say('signIn.pendingEmail', { email: account.pendingEmail.email, date: at(account.pendingEmail.effectiveAt) })}</p> : null}
        </StatusCard>
        <StatusCard
          title={t('ui.profile.pages.activity')}
          tone="info"
          state={sessions ? say('activity.sessions', { count: sessions.length }) : loading}
          href={PROFILE_PATHS.activity}
          link={say('activity.link')}
        >
          {lastSignIn ? <p>{say('activity.lastSignIn', { date: short(lastSignIn) })}</p> : null}
        </StatusCard>
        <StatusCard
          title={t('ui.profile.pages.settings')}
          tone="info"
          state={say('settings.language', { language: t(`ui.language.${account.locale}`) })}
          href={PROFILE_PATHS.settings}
          link={say('settings.link')}
        >
          <p>{say('settings.timeZone', { zone: account.timeZone.replace(/_/g, ' ') })}</p>
        </StatusCard>
      </div>
    </>
  );
}
