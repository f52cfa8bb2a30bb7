import { useEffect, useId, useLayoutEffect, useMemo, useRef } from 'react';
import { useI18n } from '../../i18n.js';

/** The name of the downloaded file (German first: the product's own words). */
export const RECOVERY_CODES_FILE = 'lifeline-wiederherstellungscodes.txt';

/**
 * "m***@example.com": the file and the printout may lie around for years; a finder learns the
 * domain, not the whole login email that the codes need (docs/api.md "Recovery codes").
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return email;
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/**
 * The ten new codes, shown once below the row (not a modal: the codes are read and copied at
 * leisure, and printing takes the page as it is). The focus moves to the panel's heading when it
 * opens; "Ich habe die Codes sicher aufbewahrt" closes it and the row gives the focus back to its
 * button. "Drucken" prints only `.recovery-codes-print` (the print rules in profile.css);
 * "Herunterladen" is a link to a text file made in the browser (nothing more goes to the server).
 */
export function RecoveryCodesPanel({
  codes,
  appName,
  email,
  createdAt,
  onClose,
}: {
  codes: readonly string[];
  appName: string;
  email: string;
  /** When the set was made, in the account's time zone ("8. Dezember 2026 um 00:11 MEZ"). */
  createdAt: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.recovery.codesPanel.${key}`, params);
  const ids = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const account = say('account', { email: maskEmail(email), date: createdAt });

  useLayoutEffect(() => {
    heading.current?.focus();
  }, []);

  // Windows line ends: the file is opened in whatever editor is at hand, Notepad included.
  const file = [
    appName,
    say('fileTitle'),
    account,
    '',
    ...codes.map((code, index) => `${String(index + 1).padStart(2, ' ')}. ${code}`),
    '',
    say('once'),
    say('keep'),
    say('use'),
    '',
  ].join('\r\n');
  const url = useMemo(() => URL.createObjectURL(new Blob([file], { type: 'text/plain;charset=utf-8' })), [file]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);

  return (
    <section className="recovery-codes-panel" aria-labelledby={`${ids}-title`}>
      <div className="recovery-codes-print">
        <h3 id={`${ids}-title`} ref={heading} tabIndex={-1}>
          {say('title')}
        </h3>
        <p className="recovery-codes-account">{account}</p>
        <ol className="recovery-codes-list" aria-label={say('listLabel')}>
          {codes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <ul className="recovery-codes-notes">
          <li>{say('once')}</li>
          <li>{say('keep')}</li>
          <li>{say('use')}</li>
        </ul>
      </div>
      <p className="hint">{say('shownOnce')}</p>
      <div className="actions">
        <button type="button" onClick={() => window.print()}>
          {say('print')}
        </button>
        <a className="button-secondary" href={url} download={RECOVERY_CODES_FILE}>
          {say('download')}
        </a>
        <button type="button" className="primary" onClick={onClose}>
          {say('done')}
        </button>
      </div>
    </section>
  );
}
