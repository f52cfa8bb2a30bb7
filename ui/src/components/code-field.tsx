import { Field } from './field.js';

/** A code from an SMS: 6 digits (anything else typed or pasted goes). */
export const cleanSmsCode = (value: string) => value.replace(/\D/g, '').slice(0, 6);
/**
 * A code from an email: 8 Crockford base32 characters, upper-cased as typed; spaces and dashes
 * may stay (people paste "ABCD-EFGH"), the server ignores them and the case.
 */
export const cleanEmailCode = (value: string) =>
  value
    .toUpperCase()
    .replace(/[^0-9A-Z\s-]/g, '')
    .slice(0, 16);

/** The code as sent: the spaces and dashes typed or pasted for reading ("ABCD-EFGH") go. */
export const typedCode = (value: string) => value.replace(/[\s-]/g, '');

/** Whether a typed code (see typedCode) has its channel's form: 6 digits by SMS, 8 characters by email (upper-cased as typed). */
export const isWholeCode = (kind: 'sms' | 'email', code: string) => (kind === 'sms' ? /^\d{6}$/.test(code) : /^[0-9A-Z]{8}$/.test(code));

/**
 * The one field for a code sent by SMS or email, wherever one is typed (forgot password, the
 * phone dialog, a verification in the profile or on the host's page): the browser may fill it
 * (`one-time-code`, WebOTP), phones show the right keyboard, nothing is corrected or spelled.
 */
export function CodeField(props: {
  readonly kind: 'sms' | 'email';
  readonly label: string;
  readonly hint?: string;
  readonly error: string | undefined;
  readonly value: string;
  readonly onChange: (code: string) => void;
  readonly id?: string;
}) {
  const sms = props.kind === 'sms';
  return (
    <Field
      {...(props.id ? { id: props.id } : {})}
      label={props.label}
      name="code"
      className={sms ? 'code-input' : 'code-input code-input-wide'}
      autoComplete="one-time-code"
      inputMode={sms ? 'numeric' : 'text'}
      autoCapitalize={sms ? 'off' : 'characters'}
      pattern={sms ? '[0-9]*' : undefined}
      // Room for what people paste ("123 456", " ABCD-EFGH "): the cleaning keeps the code's characters.
      maxLength={16}
      autoCorrect="off"
      spellCheck={false}
      required
      value={props.value}
      onChange={(event) => props.onChange(sms ? cleanSmsCode(event.target.value) : cleanEmailCode(event.target.value))}
      hint={props.hint}
      error={props.error}
    />
  );
}
