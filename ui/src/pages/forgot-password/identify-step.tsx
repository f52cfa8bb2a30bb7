import { useId, useState, type FormEvent } from 'react';
import { api } from '../../api-client.js';
import type { PhoneOptions } from '../../api-types.js';
import { Alert } from '../../components/alert.js';
import { useCountryOptions } from '../../components/country-options.js';
import { CountrySelect } from '../../components/country-select.js';
import { Field } from '../../components/field.js';
import { SubmitButton } from '../../components/form-fields.js';
import { splitErrors, type FormErrors } from '../../errors.js';
import { useI18n } from '../../i18n.js';
import { channelOf, type ForgotRequest } from './flow.js';
import { BackToSignIn, StepCard } from './step-card.js';

/** The problems of POST /password/forgot that concern the one input (the number's country included). */
export const identifierErrors = {
  'validation-failed': 'identifier',
  'invalid-number': 'identifier',
  'number-type-not-allowed': 'identifier',
  'country-not-allowed': 'identifier',
} as const;

/** What reads as a phone number: no "@", and it starts like one ("0171…", "+49…", "(0)…"). */
const looksLikePhone = (value: string) => !value.includes('@') && /^[\s(]*[+0-9]/.test(value);

/** The body of POST /password/forgot: the country only with a phone number. */
function forgotBody(identifier: string, country: string, phone: PhoneOptions | undefined): ForgotRequest {
  const trimmed = identifier.trim();
  return phone?.available && channelOf(trimmed) === 'sms' ? { identifier: trimmed, country } : { identifier: trimmed };
}

/**
 * "Passwort vergessen?", step 1: the login email, a recovery email or (where SMS is set up)
 * the recovery phone number, in one input. A number gets a country selector below the input
 * (so the input does not move while typing). The answer is the same for every entry: the page
 * goes on to the code step whether or not an account has it.
 */
export function IdentifyStep({
  phone,
  initial,
  focus,
  onSent,
}: {
  phone: PhoneOptions | undefined;
  initial: ForgotRequest | undefined;
  focus: boolean;
  onSent: (request: ForgotRequest) => void;
}) {
  const { t, locale } = useI18n();
  const ids = useId();
  const phoneAvailable = phone?.available === true;
  const [identifier, setIdentifier] = useState(initial?.identifier ?? '');
  const [country, setCountry] = useState(initial?.country ?? phone?.defaultCountry ?? '');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const countries = useCountryOptions(phone?.allowedCountries ?? [], locale);
  const showCountry = phoneAvailable && countries.length > 0 && looksLikePhone(identifier);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.forgot.identify.${key}`, params);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const value = identifier.trim();
    if (value === '') {
      setErrors({ fields: { identifier: phoneAvailable ? say('requiredAny') : say('requiredEmail') } });
      return;
    }
    if (!phoneAvailable && !value.includes('@')) {
      setErrors({ fields: { identifier: say('emailOnly') } });
      return;
    }
    setBusy(true);
    setErrors({ fields: {} });
    const request = forgotBody(value, country, phone);
    try {
      await api.passwordReset.sendCode(request);
      onSent(request);
    } catch (failure) {
      const { fields, form } = splitErrors(t, failure, identifierErrors);
      // A problem with the country is a problem with the number: shown at the one input.
      const message = fields.identifier ?? fields.country;
      setErrors(message ? { fields: { identifier: message } } : { fields: {}, ...(form ? { form } : {}) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <StepCard id="forgot-title" title={t('ui.forgot.title')} focus={focus}>
      <p>{phoneAvailable ? say('introPhone') : say('introEmail')}</p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Field
          label={phoneAvailable ? say('labelAny') : say('labelEmail')}
          name="identifier"
          type={phoneAvailable ? 'text' : 'email'}
          inputMode={phoneAvailable ? 'text' : 'email'}
          autoComplete="username"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          required
          value={identifier}
          onChange={(event) => {
            setIdentifier(event.target.value);
            setErrors({ fields: {} });
          }}
          hint={phoneAvailable ? say('hintPhone') : undefined}
          error={errors.fields.identifier}
        />
        {showCountry ? <CountrySelect id={`${ids}-country`} label={say('country')} value={country} options={countries} onChange={setCountry} /> : null}
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <div className="actions">
          <SubmitButton busy={busy}>{say('submit')}</SubmitButton>
          <BackToSignIn />
        </div>
      </form>
    </StepCard>
  );
}
