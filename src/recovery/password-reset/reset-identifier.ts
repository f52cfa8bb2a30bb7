import { parseEmail } from '../../accounts/signup-service.js';
import { parseRecoveryNumber, type NumberPolicy } from '../phone/phone-number.js';

/** What "Passwort vergessen?" was given: an email address (login or recovery) or a phone number. */
export type ResetIdentifier =
  { readonly kind: 'email'; readonly normalized: string } | { readonly kind: 'phone'; readonly normalized: string; readonly country: string };

/**
 * Reads the one input of the page: anything with an "@" is an email address (normalised as at
 * sign-up), anything else a phone number as people type it (normalised to E.164, with the
 * country selector's choice for national forms). A malformed entry is refused with a 4xx: that
 * says something about the typing, never about an account.
 */
export function parseResetIdentifier(input: string, country: string | undefined, policy: NumberPolicy): ResetIdentifier {
  if (input.includes('@')) return { kind: 'email', normalized: parseEmail(input, 'identifier').normalized };
  const number = parseRecoveryNumber(input, country, policy);
  return { kind: 'phone', normalized: number.e164, country: number.country };
}
