import { useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';

export interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  /** A control shown inside the input's box, at its end (e.g. "show password"); after the input in the tab order. */
  readonly addon?: ReactNode;
}

/**
 * A labelled input with its hint and error. The error is announced (role=alert) and tied to
 * the input with aria-describedby, and the input is marked aria-invalid.
 */
export function Field({ label, hint, error, id, addon, className, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      {addon ? (
        <div className="input-with-addon">
          <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} className={className} {...input} />
          {addon}
        </div>
      ) : (
        <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} className={className} {...input} />
      )}
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A password input with a "show" button inside its box (docs/reference/security-requirements.md 1.8: paste and password
 * managers welcome). The button's visible word is short ("Anzeigen"); its accessible name says
 * what it shows ("Passwort anzeigen") and contains that word, so voice control finds it too.
 */
export function PasswordField(props: Omit<FieldProps, 'type' | 'addon'>) {
  const { t } = useI18n();
  const [visible, setVisible] = useState(false);
  const generated = useId();
  const id = props.id ?? generated;
  return (
    <Field
      {...props}
      id={id}
      type={visible ? 'text' : 'password'}
      spellCheck={false}
      autoCapitalize="off"
      addon={
        <button
          type="button"
          className="show-password"
          aria-controls={id}
          aria-label={visible ? t('ui.common.hidePassword') : t('ui.common.showPassword')}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? t('ui.common.hide') : t('ui.common.show')}
        </button>
      }
    />
  );
}
