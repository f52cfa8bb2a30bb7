/**
 * Every error code the API can answer, with its HTTP status. The code is the stable part of a
 * problem+json answer (clients and the UI switch on it); the localised `title` and `detail`
 * come from `i18n/<lang>.json` under `errors.<code>`. A test checks that every code has both
 * texts in every language.
 *
 * This file is part of `contract/`: pure data shared by the server and the UI, importing
 * nothing.
 */
export const errorStatus = {
  // Generic request problems (http/ plugins).
  'validation-failed': 400,
  'invalid-json': 400,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
  'not-found': 404,
  'method-not-allowed': 405,
  'cross-origin-request': 403,
  'authentication-required': 401,
  'rate-limited': 429,
  'service-unavailable': 503,
  'internal-error': 500,
  // One-time secrets (one-time-secrets/).
  'invalid-or-expired': 400,
  'code-incorrect': 400,
  'too-many-attempts': 429,
  'code-used-up': 429,
  // Passwords (accounts/).
  'password-too-short': 422,
  'password-too-long': 422,
  'password-invalid-characters': 422,
  'password-personal': 422,
  'password-too-common': 422,
  // Accounts and sessions.
  'invalid-credentials': 401,
  'email-not-verified': 403,
  'password-reset-required': 403,
  'csrf-token-invalid': 403,
  'privilege-required': 403,
  'wrong-password': 403,
  'same-as-current-email': 422,
  'email-unavailable': 409,
  'invalid-time-zone': 400,
  // Recovery email.
  'same-as-login-email': 422,
  'already-recovery-email': 422,
  // Recovery phone.
  'invalid-number': 422,
  'number-type-not-allowed': 422,
  'country-not-allowed': 422,
  'already-recovery-phone': 422,
  'wrong-code': 400,
  'code-expired': 410,
  // Forgot password.
  'link-expired': 410,
  'reset-expired': 410,
  'account-required': 400,
  // Action verification and the host API.
  'api-key-name-taken': 409,
  'return-to-not-allowed': 400,
  'action-reserved': 400,
  'channel-not-available': 422,
  'verification-not-redeemable': 409,
  'verification-expired': 410,
  'verification-required': 403,
  // API keys with scopes.
  'insufficient-scope': 403,
  // The host's back office (the admin API).
  'account-disabled': 403,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorStatus, value);
}
