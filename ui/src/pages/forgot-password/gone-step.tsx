import { Alert } from '../../components/alert.js';
import { useI18n } from '../../i18n.js';
import { Link } from '../../router.js';
import type { GoneReason } from './flow.js';
import { BackToSignIn, StepCard } from './step-card.js';

/**
 * The flow cannot go on: the time for the new password ran out, the link is dead (expired,
 * used, or replaced by a newer one), or the link page was opened without its token. One way
 * on: start again. On the forgot page that is its first step (`onStartOver`); elsewhere a link
 * to it.
 */
export function GoneStep({ reason, focus, onStartOver }: { reason: GoneReason; focus: boolean; onStartOver?: () => void }) {
  const { t } = useI18n();
  const say = (key: string) => t(`ui.forgot.gone.${key}`);
  const text = { 'reset-expired': say('resetExpired'), 'link-expired': say('linkExpired'), 'missing-link': say('missingLink') }[reason];
  return (
    <StepCard id="forgot-gone-title" title={reason === 'reset-expired' ? say('titleExpired') : say('titleLink')} focus={focus}>
      <Alert kind="error">{text}</Alert>
      <div className="actions">
        {onStartOver ? (
          <button type="button" className="primary" onClick={onStartOver}>
            {say('startOver')}
          </button>
        ) : (
          <Link href="/forgot-password" className="button-link">
            {reason === 'reset-expired' ? say('startOver') : say('newLink')}
          </Link>
        )}
        <BackToSignIn />
      </div>
    </StepCard>
  );
}
