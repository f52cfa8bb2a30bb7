import { z } from 'zod';

/**
 * Request and response schemas of the account and session API (docs/reference/contracts.md "Contracts").
 * Shared by the server (validation, OpenAPI) and the UI (types).
 */

/** docs/reference/security-requirements.md 1.10: bounded before anything is hashed (1024 bytes ≥ 128 code points of any script). */
export const MAX_PASSWORD_BYTES = 1024;

const utf8Length = (value: string) => new TextEncoder().encode(value).length;

/** A password as submitted: only its size is checked here; the policy is the server's. */
export const password = z
  .string()
  .min(1)
  .refine((value) => utf8Length(value) <= MAX_PASSWORD_BYTES, { message: 'too long' })
  .describe('The password exactly as typed (8–128 characters for a new one)');

export const locale = z.enum(['de', 'en']);

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * An email address as typed; normalised (and refused if invalid) by the server. Control
 * characters (CR, LF, NUL, …) are refused anywhere, also at either end, where normalising would
 * otherwise trim them away: such an address was never typed into a form (docs/reference/security-requirements.md 7.4).
 */
export const emailInput = z
  .string()
  .min(1)
  .max(320)
  .refine((value) => !controlCharacter.test(value), { message: 'control characters' })
  .describe('An email address; internationalised domains are accepted');

export const timeZone = z.string().min(1).max(64).describe('IANA time zone, e.g. "Europe/Berlin"');

export const signupRequest = z.strictObject({ email: emailInput, password, locale: locale.optional(), timeZone: timeZone.optional() });
export const tokenRequest = z.strictObject({ token: z.string().min(1).max(256).describe('The token of the link (`?token=` of the page)') });
export const emailRequest = z.strictObject({ email: emailInput });
export const loginRequest = z.strictObject({ email: emailInput, password });
export const reauthenticateRequest = z.strictObject({ password });
export const changePasswordRequest = z.strictObject({ currentPassword: password, newPassword: password });
export const changeEmailRequest = z.strictObject({
  newEmail: emailInput,
  password: password.optional(),
  verificationId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16}$/)
    .optional()
    .describe(
      'A verified record of `lifeline.change-login-email` started by this session; required while the account has a channel confirmed at least 7 days ago (else 403 verification-required)',
    ),
});
export const preferencesRequest = z.strictObject({ locale: locale.optional(), timeZone: timeZone.optional() });

/** The neutral answer of sign-up, "send the link again" and the email change: one constant body. */
export const acceptedResponse = z.object({ status: z.literal('accepted') }).describe('Accepted; what happens next arrives by email');
export const cancelledResponse = z.object({ status: z.literal('cancelled') });
/** POST /api/v1/account/email: the neutral answer, and when the change would take effect if it has to wait (it depends on the account's own channels only). */
export const emailChangeAccepted = z.object({
  status: z.literal('accepted'),
  effectiveAt: z
    .string()
    .optional()
    .describe('Only when no channel confirmed 7 days ago verified it: the earliest moment the change takes effect; the old address got a cancel link'),
});

export const accountView = z.object({
  id: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  locale,
  timeZone: z.string(),
  pendingEmail: z
    .object({ email: z.string(), effectiveAt: z.string() })
    .optional()
    .describe('A confirmed login-email change waiting out its 7 days; the old address can cancel it'),
});

export const sessionResponse = z.object({
  account: accountView,
  csrfToken: z.string().describe('Send as X-CSRF-Token with every state-changing request'),
  privilegedUntil: z.string().nullable().describe('End of the privileged window (ISO 8601), or null'),
  deletionCancelled: z.literal(true).optional().describe('Sign-in only: this sign-in cancelled the scheduled deletion of the account'),
});

export const reauthenticateResponse = z.object({ privilegedUntil: z.string(), csrfToken: z.string() });

export const emailConfirmedResponse = z.object({
  email: z.string().describe('The login email now (the old one while a change waits)'),
  emailVerified: z.literal(true),
  alreadyConfirmed: z.literal(true).optional().describe('Sign-up only: the link had confirmed the address before (opened again); nothing changed now'),
  effectiveAt: z
    .string()
    .optional()
    .describe('Only for a change that waits (no settled channel verified it): when it takes effect, unless the old address cancels it'),
});

export const sessionListResponse = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      current: z.boolean(),
      browser: z.string().nullable(),
      os: z.string().nullable(),
      ip: z.string().nullable(),
      createdAt: z.string(),
      lastSeenAt: z.string(),
    }),
  ),
});

export const sessionIdParams = z.strictObject({ id: z.uuid().describe('A session id from GET /api/v1/sessions') });

export const sessionQuery = z.strictObject({ optional: z.enum(['true', 'false']).optional() });
