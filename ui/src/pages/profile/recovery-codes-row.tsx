import { useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { api } from '../../api-client.js';
import type { RecoveryView } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { ConfirmQuestion, useConfirmQuestion } from '../../components/confirm-question.js';
import { errorMessage, wasCancelled } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { useSession } from '../../session.js';
import { useAccountTime } from './account-time.js';
import { RecoveryCodesPanel } from './recovery-codes-panel.js';
import { StateLabel } from './state-label.js';

/** How many codes a set has (docs/api.md "Recovery codes"). */
const SET_SIZE = 10;
/** From this many left on, the row warns: a new set is due before the last one is used. */
const LOW = 2;

/**
 * "Wiederherstellungscodes", the third row of "Kontowiederherstellung" (docs/ui.md "States"): not
 * set up → "Codes erstellen"; a set → "N von 10 übrig" (a warning at 2 or fewer), since when it
 * works when it was made on a device other than the first, and "Neue Codes erstellen", which asks
 * first (the old codes die). The new codes are shown once, in a panel below the row. Outside the
 * privileged window the API answers privilege-required and the password dialog opens (api.ts).
 */
export function RecoveryCodesRow({ view, appName, reload }: { view: RecoveryView['codes']; appName: string; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const { at } = useAccountTime();
  const { state } = useSession();
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.recovery.codesRow.${key}`, params);
  const ids = useId();
  const labelId = `${ids}-label`;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [shown, setShown] = useState<{ codes: readonly string[]; createdAt: string } | undefined>();
  const messageRef = useRef<HTMLDivElement>(null);
  const replace = useConfirmQuestion({ onAsk: () => setMessage(undefined) });
  /** The row's button (either "Codes erstellen" or "Neue Codes erstellen"): the focus comes back to it. */
  const button = useRef<HTMLButtonElement | null>(null);

  const create = async () => {
    if (busy) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const { codes } = await api.recoveryCodes.create();
      await reload();
      flushSync(() => {
        replace.setAsking(false);
        setShown({ codes, createdAt: new Date().toISOString() });
      });
    } catch (failure) {
      // Closing the password dialog says nothing; the dialog gave the focus back.
      if (!wasCancelled(failure)) {
        flushSync(() => setMessage(errorMessage(t, failure)));
        messageRef.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    flushSync(() => setShown(undefined));
    button.current?.focus();
  };

  const active = view.status === 'active';
  const remaining = view.remaining ?? 0;
  const low = active && remaining <= LOW;
  const usableFrom = active && view.usableFrom && new Date(view.usableFrom).getTime() > Date.now() ? view.usableFrom : undefined;
  const email = state.status === 'signed-in' ? state.account.email : '';

  return (
    <div className="recovery-row" role="group" aria-labelledby={labelId}>
      <div className="recovery-head">
        <div className="recovery-text">
          <p className="label" id={labelId}>
            {say('label')}
          </p>
          {active ? null : (
            <>
              <p className="value">
                <StateLabel tone="warning">{t('ui.profile.recovery.notSetUp')}</StateLabel>
              </p>
              <p className="hint">{say('advice')}</p>
            </>
          )}
        </div>
        {active ? null : (
          <button ref={button} type="button" className="primary" aria-disabled={busy || undefined} onClick={() => void create()}>
            {say('create')}
          </button>
        )}
      </div>
      {active ? (
        <div className={`recovery-entry recovery-entry-active recovery-entry-${low ? 'warning' : 'ok'}`}>
          <div className="recovery-entry-main">
            <p className="value">
              <StateLabel tone={low ? 'warning' : 'ok'}>{say('remaining', { count: remaining, total: SET_SIZE })}</StateLabel>
            </p>
            <button
              ref={(element) => {
                button.current = element;
                replace.asker.current = element;
              }}
              type="button"
              className={low ? 'primary' : undefined}
              aria-disabled={busy || undefined}
              aria-controls={replace.asking ? `${ids}-ask` : undefined}
              onClick={() => (replace.asking ? replace.keep() : replace.ask())}
            >
              {say('createNew')}
            </button>
          </div>
          {low ? <p className="hint recovery-codes-low">{say('low')}</p> : null}
          {usableFrom ? <p className="hint recovery-usable-from">{say('usableFrom', { date: at(usableFrom) })}</p> : null}
          {replace.asking ? (
            <ConfirmQuestion
              id={`${ids}-ask`}
              text={say('replaceQuestion')}
              questionRef={replace.question}
              confirm={say('replaceConfirm')}
              onConfirm={() => void create()}
              busy={busy}
              cancel={say('replaceKeep')}
              onCancel={replace.keep}
            />
          ) : null}
        </div>
      ) : null}
      {shown ? (
        <RecoveryCodesPanel
          codes={shown.codes}
          appName={appName}
          email={email}
          createdAt={at(view.status === 'active' && view.createdAt ? view.createdAt : shown.createdAt)}
          onClose={close}
        />
      ) : null}
      <div ref={messageRef} tabIndex={-1} className="recovery-message">
        {message ? <Alert kind="error">{message}</Alert> : null}
      </div>
    </div>
  );
}
