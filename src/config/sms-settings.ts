import { isSupportedCountry } from 'libphonenumber-js/max';
import type { SmsConfig, SmsProviderConfig } from './config.js';
import type { ParsedEnvironment } from './environment-schema.js';

/** DE, AT, CH and the member states of the EU: where the recovery phone may be, by default. */
export const DEFAULT_SMS_COUNTRIES = [
  'DE',
  'AT',
  'CH',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

/**
 * The SMS provider and its settings. Unset, it is `dev` (the development mailbox) in the
 * embedded default and `none` otherwise: production without a provider hides the phone.
 */
export function parseSms(e: ParsedEnvironment, isProduction: boolean, problems: string[]): SmsConfig {
  const kind = e.SMS_PROVIDER ?? (!isProduction && e.SMTP_URL === undefined ? 'dev' : 'none');
  let provider: SmsProviderConfig = { kind: 'none' };
  if (kind === 'dev') {
    if (isProduction) problems.push('SMS_PROVIDER: dev is the development mailbox and never allowed in production (use twilio or webhook, or none)');
    provider = { kind: 'dev' };
  } else if (kind === 'twilio') {
    for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const)
      if (e[name] === undefined) problems.push(`${name}: is required with SMS_PROVIDER=twilio`);
    if (isProduction && !e.TWILIO_BASE_URL.startsWith('https:')) problems.push('TWILIO_BASE_URL: must be https:// in production');
    provider = {
      kind: 'twilio',
      accountSid: e.TWILIO_ACCOUNT_SID ?? '',
      authToken: e.TWILIO_AUTH_TOKEN ?? '',
      from: e.TWILIO_FROM ?? '',
      baseUrl: e.TWILIO_BASE_URL,
    };
  } else if (kind === 'webhook') {
    if (e.SMS_WEBHOOK_URL === undefined) problems.push('SMS_WEBHOOK_URL: is required with SMS_PROVIDER=webhook');
    if (isProduction && e.SMS_WEBHOOK_URL !== undefined && !e.SMS_WEBHOOK_URL.startsWith('https:'))
      problems.push('SMS_WEBHOOK_URL: must be https:// in production (the body carries the code)');
    if (e.SMS_WEBHOOK_SECRET === undefined) problems.push('SMS_WEBHOOK_SECRET: is required with SMS_PROVIDER=webhook (at least 16 random characters)');
    provider = { kind: 'webhook', url: e.SMS_WEBHOOK_URL ?? '', secret: e.SMS_WEBHOOK_SECRET ?? '' };
  }
  const allowedCountries = e.SMS_ALLOWED_COUNTRIES
    ? [...new Set(e.SMS_ALLOWED_COUNTRIES.split(',').map((c) => c.trim().toUpperCase()))]
    : [...DEFAULT_SMS_COUNTRIES];
  const unknown = allowedCountries.filter((c) => !isSupportedCountry(c));
  if (unknown.length > 0) problems.push(`SMS_ALLOWED_COUNTRIES: unknown country codes ${unknown.join(', ')}`);
  if (!allowedCountries.includes(e.SMS_DEFAULT_COUNTRY))
    problems.push(`SMS_DEFAULT_COUNTRY: must be one of SMS_ALLOWED_COUNTRIES (got ${JSON.stringify(e.SMS_DEFAULT_COUNTRY)})`);
  return {
    provider,
    defaultCountry: e.SMS_DEFAULT_COUNTRY,
    allowedCountries,
    caps: {
      accountPerHour: e.SMS_CAP_ACCOUNT_PER_HOUR,
      numberPerHour: e.SMS_CAP_NUMBER_PER_HOUR,
      prefixPerHour: e.SMS_CAP_PREFIX_PER_HOUR,
      countryPerHour: e.SMS_CAP_COUNTRY_PER_HOUR,
      clientPerHour: e.SMS_CAP_CLIENT_PER_HOUR,
      setupBudgetPerHour: e.SMS_SETUP_BUDGET_PER_HOUR,
      confirmedBudgetPerHour: e.SMS_CONFIRMED_BUDGET_PER_HOUR,
    },
  };
}
