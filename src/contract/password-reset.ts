import { z } from 'zod';
import { password } from './accounts.js';

/** POST /api/v1/password/forgot ("Passwort vergessen?"). */
export const forgotPasswordRequest = z.strictObject({
  identifier: z.string().trim().min(1).max(320).describe('The login email, the recovery email or the recovery phone number (any usual form)'),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional()
    .describe('ISO 3166-1 alpha-2 for phone numbers without +/00 (default SMS_DEFAULT_COUNTRY)'),
});

/** The one answer of POST /password/forgot, whatever the identifier. */
export const forgotPasswordAccepted = z.object({ status: z.literal('accepted') });

const accountChoice = z.object({ id: z.string(), maskedEmail: z.string().describe('The login email, masked: m***@example.com') });

/** GET /api/v1/password/forgot: where this browser's flow stands. */
export const forgotPasswordStatus = z.object({
  stage: z.enum(['none', 'code-sent', 'verified']),
  channel: z.enum(['email', 'sms']).optional().describe('Where a code would have gone, from the form of the identifier'),
  resendAvailableAt: z.string().optional().describe('From when asking again makes sense (ISO 8601)'),
  accounts: z.array(accountChoice).optional(),
});

/** POST /api/v1/password/forgot/verify: the code typed in this browser, or the email link's token. */
export const forgotPasswordVerifyRequest = z.union([
  z.strictObject({
    code: z.string().min(1).max(32).describe('6 digits (SMS) or 8 Crockford base32 characters (email); case, spaces and dashes do not matter'),
  }),
  z.strictObject({ token: z.string().min(1).max(256).describe('The token of the email link (`/reset-password?token=`)') }),
  z.strictObject({
    recoveryCode: z
      .string()
      .min(1)
      .max(64)
      .describe(
        'One of the account’s recovery codes (three groups of four, e.g. 7K3M-Q9WD-2HXA), in a flow started with the login email; case, spaces and dashes do not matter',
      ),
  }),
]);

export const forgotPasswordVerified = z.object({
  accounts: z.array(accountChoice).optional().describe('Only when the channel belongs to several accounts: choose one for the reset'),
});

/** POST /api/v1/password/reset. */
export const passwordResetRequest = z.strictObject({
  password,
  accountId: z.string().min(1).max(64).optional().describe('Required when verify listed several accounts'),
});

export const passwordResetDone = z.object({
  status: z.literal('reset'),
  email: z.string().describe('The login email of the account whose password was set, for the sign-in form that follows'),
});
