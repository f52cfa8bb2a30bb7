import type { ReactNode } from 'react';
import { useI18n } from '../i18n.js';
import { usePasswordStrength } from '../strength.js';
import { Field, PasswordField } from './field.js';
import { StrengthMeter } from './strength-meter.js';

/** What the form fields below take: the value, what typing does with it, and the field's message. */
interface ValueProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: string | undefined;
}

/**
 * An email address: the address keyboard on phones, required. `autoComplete` says whose it is:
 * `username` for the sign-in's own address (password managers pair it with the password),
 * `email` for an address being entered anew.
 */
export function EmailField({
  label,
  name,
  autoComplete,
  autoFocus,
  hint,
  value,
  onChange,
  error,
}: ValueProps & {
  readonly label: string;
  readonly name: string;
  readonly autoComplete: 'username' | 'email';
  readonly autoFocus?: boolean;
  readonly hint?: string;
}) {
  return (
    <Field
      label={label}
      name={name}
      type="email"
      autoComplete={autoComplete}
      inputMode="email"
      required
      autoFocus={autoFocus}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      hint={hint}
      error={error}
    />
  );
}

/** The account's password as it is now (sign-in, re-authentication, the last step before a deletion). */
export function CurrentPasswordField({
  id,
  label,
  name = 'password',
  value,
  onChange,
  error,
}: ValueProps & { readonly id?: string; readonly label?: string; readonly name?: string }) {
  const { t } = useI18n();
  return (
    <PasswordField
      id={id}
      label={label ?? t('ui.common.password')}
      name={name}
      autoComplete="current-password"
      required
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={error}
    />
  );
}

/**
 * A new password with the policy's hint and the strength meter below it (advice, not a rule:
 * the server's policy decides). `userInputs` are what the user typed elsewhere (their address),
 * which the meter counts as guessable.
 */
export function NewPasswordField({
  label,
  value,
  onChange,
  error,
  userInputs,
}: ValueProps & { readonly label: string; readonly userInputs: readonly string[] }) {
  const { t } = useI18n();
  const strength = usePasswordStrength(value, [...userInputs]);
  return (
    <>
      <PasswordField
        label={label}
        name="password"
        autoComplete="new-password"
        required
        minLength={8}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        hint={t('ui.register.passwordHint')}
        error={error}
      />
      <StrengthMeter strength={strength} password={value} />
    </>
  );
}

/**
 * A form's main button. While the request runs it stays focusable and says it is busy
 * (aria-disabled, not disabled: the focus is not thrown out of the form); the handler ignores
 * a second press. `look`: `danger` for an action that cannot be taken back, `plain` when
 * another button is the main one for now.
 */
export function SubmitButton({
  busy = false,
  look = 'primary',
  children,
}: {
  readonly busy?: boolean;
  readonly look?: 'primary' | 'danger' | 'plain';
  readonly children: ReactNode;
}) {
  const className = look === 'primary' ? 'primary' : look === 'danger' ? 'primary danger' : undefined;
  return (
    <button type="submit" className={className} aria-disabled={busy || undefined}>
      {children}
    </button>
  );
}
