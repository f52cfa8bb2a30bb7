import { useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';

export interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
}

/**
 * A labelled input with its hint and error. The error is announced (role=alert) and tied to
 * the input with aria-describedby, and the input is marked aria-invalid.
 */
export function Field({ label, hint, error, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
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

/** A password input with "show password" (SECURITY.md 1.8: paste and password managers welcome). */
export function PasswordField(props: Omit<FieldProps, 'type'>) {
  const { t } = useI18n();
  const [visible, setVisible] = useState(false);
  const generated = useId();
  const id = props.id ?? generated;
  return (
    <div className="password-field">
      <Field {...props} id={id} type={visible ? 'text' : 'password'} spellCheck={false} autoCapitalize="off" />
      <button type="button" className="link-button show-password" aria-controls={id} aria-pressed={visible} onClick={() => setVisible((v) => !v)}>
        {visible ? t('ui.common.hidePassword') : t('ui.common.showPassword')}
      </button>
    </div>
  );
}
