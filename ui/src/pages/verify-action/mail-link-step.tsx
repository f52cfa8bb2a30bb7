import type { VerificationLinkPreview } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { LinkCard } from '../../components/link-page.js';
import { useI18n } from '../../i18n.js';
import { formatEventTime } from '../../security-events.js';

/**
 * The email's link: what it confirms (the action, who asked, when) and one button; opening the
 * page changes nothing (mail scanners open links). Not shown before the preview has arrived:
 * nobody confirms an action unseen.
 */
export function MailLinkStep({
  preview,
  busy,
  error,
  onConfirm,
}: {
  preview: VerificationLinkPreview;
  busy: boolean;
  error: string | undefined;
  onConfirm: () => void;
}) {
  const { t, locale } = useI18n();
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.verifyAction.${key}`, params);
  return (
    <LinkCard titleId="verify-title" title={say('title')}>
      <p className="undo-event">
        {say('linkConcerns', { action: preview.action, requester: preview.requester })}{' '}
        <time dateTime={preview.createdAt}>{formatEventTime(preview.createdAt, locale, Intl.DateTimeFormat().resolvedOptions().timeZone)}</time>
      </p>
      <p>{say('linkIntro')}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div className="actions">
        <button type="button" className="primary" aria-disabled={busy || undefined} onClick={onConfirm}>
          {say('confirm')}
        </button>
      </div>
      <p className="muted">{say('notMe')}</p>
    </LinkCard>
  );
}
