import { useId } from 'react';
import { Alert } from './alert.js';

/**
 * The ways on below a code that was sent: "Code erneut senden" (with how long it still waits; the
 * hint is no live region, so nothing is announced every second), what the last sending said, and
 * another channel. While the sending waits or runs the button stays focusable and says so
 * (aria-disabled); the caller's `onResend` ignores such a press. `main`: the code is dead and a
 * new one is the one way on, so the button looks like the main action. They sit between the
 * code field and the form's buttons, or (`belowForm`) set apart below a page's form.
 */
export function ResendControls({
  belowForm = false,
  label,
  main = false,
  unavailable,
  waitHint,
  onResend,
  message,
  other,
}: {
  readonly belowForm?: boolean;
  readonly label: string;
  readonly main?: boolean;
  readonly unavailable: boolean;
  readonly waitHint: string | undefined;
  readonly onResend: () => void;
  readonly message: { readonly kind: 'info' | 'error'; readonly text: string } | undefined;
  readonly other: { readonly label: string; readonly onClick: () => void } | undefined;
}) {
  const waitId = useId();
  return (
    <div className={belowForm ? 'resend' : 'dialog-resend'}>
      <button
        type="button"
        className={main ? 'primary' : 'link-button'}
        aria-disabled={unavailable || undefined}
        aria-describedby={waitHint ? waitId : undefined}
        onClick={onResend}
      >
        {label}
      </button>
      {waitHint ? (
        <p className="hint" id={waitId}>
          {waitHint}
        </p>
      ) : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {other ? (
        <button type="button" className="link-button" onClick={other.onClick}>
          {other.label}
        </button>
      ) : null}
    </div>
  );
}
