import { z } from 'zod';

/** Verification of sensitive actions and the host API. */

export const verificationChannel = z.enum(['login-email', 'recovery-email', 'recovery-phone']).describe('A confirmed channel of the account');

const verificationId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16}$/)
  .describe('The id `POST /api/v1/verifications` answered');
const pageToken = z.string().min(1).max(256).describe('The token of the verification page’s URL (`/verify-action?token=`)');

/** POST /api/v1/verifications (API key). */
export const startVerificationRequest = z.strictObject({
  accountId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .describe('`account.id` of `GET /api/v1/session`'),
  action: z
    .string()
    .min(1)
    .max(64)
    .describe('Your name for the action, shown to the user and bound to the record: letters, digits, space and `._:-`; not starting with `lifeline.`'),
  channel: verificationChannel.optional().describe('Send the code to this channel at once (the page then asks only for the code)'),
  returnTo: z
    .string()
    .max(2048)
    .optional()
    .describe('Where the page sends the user back, with `?verification=<id>`; its origin must be in ALLOWED_RETURN_ORIGINS'),
});

export const startVerificationResponse = z.object({
  id: z.string(),
  url: z.string().describe('Send the user here: Lifeline’s page lets them pick a channel and enter the code'),
  expiresAt: z.string().describe('ISO 8601: until then it can be verified'),
});

export const verificationParams = z.strictObject({ id: verificationId });

/** POST /api/v1/verifications/{id}/consume: what the host is about to do; a mismatch is 409 and uses nothing up. */
export const consumeVerificationRequest = z
  .strictObject({
    accountId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional()
      .describe('The account the host acts on'),
    action: z.string().min(1).max(64).optional().describe('The action the host is about to do'),
  })
  .describe('Send both: a verification id that came back through a redirect may be someone else’s');

/** POST /api/v1/verifications/{id}/send. */
export const sendVerificationRequest = z.strictObject({ channel: verificationChannel });
export const sendVerificationResponse = z.object({
  channel: verificationChannel,
  sentTo: z.string().describe('The channel, masked: `m***@example.com`, `+49 *** ****567`'),
  codeExpiresAt: z.string().describe('ISO 8601: the code’s end (10 minutes by SMS, 15 by email)'),
});

/** POST /api/v1/verifications/{id}/code. */
export const verificationCodeRequest = z.strictObject({
  code: z.string().min(1).max(32).describe('6 digits (SMS) or 8 Crockford base32 characters (email); case, spaces and dashes do not matter'),
});

export const verificationView = z.object({
  id: z.string(),
  status: z.enum(['pending', 'verified', 'expired', 'failed']).describe('`verified` also after consume (see `consumedAt`)'),
  action: z.string(),
  accountId: z.string(),
  channel: verificationChannel.nullable().describe('Where the code went, once sent'),
  createdAt: z.string(),
  expiresAt: z.string().describe('Pending: until then it can be verified; verified: until then it can be consumed (10 minutes)'),
  verifiedAt: z.string().optional(),
  consumedAt: z.string().optional(),
});

export type VerificationViewBody = z.infer<typeof verificationView>;

const channelChoice = z.object({
  channel: verificationChannel,
  masked: z.string(),
  allowed: z.boolean().describe('Whether this action accepts the channel (e.g. confirmed long enough)'),
});

/** GET /api/v1/verification-page?token=: what the page shows. */
export const verificationPageQuery = z.strictObject({ token: pageToken });
export const verificationPage = z.object({
  action: z.string(),
  requester: z.string().describe('Who asked: the API key’s name'),
  status: verificationView.shape.status,
  consumed: z.boolean().describe('The host has redeemed it: the page has nothing more to do'),
  channel: verificationChannel.nullable(),
  channels: z.array(channelChoice),
  returnTo: z.string().nullable(),
  expiresAt: z.string(),
});

export type VerificationPageBody = z.infer<typeof verificationPage>;

export const verificationPageSendRequest = z.strictObject({ token: pageToken, channel: verificationChannel });
export const verificationPageCodeRequest = z.strictObject({ token: pageToken, code: verificationCodeRequest.shape.code });
export const verificationLinkPreviewQuery = z.strictObject({ token: z.string().min(1).max(256) });
export const verificationLinkPreview = z.object({ action: z.string(), requester: z.string(), createdAt: z.string() });
export const verificationLinkRequest = z.strictObject({ token: z.string().min(1).max(256).describe('The token of the email’s link') });

/**
 * The page's answer once verified: where to go next. The link's answer carries it too, but the
 * link's browser stays on Lifeline ("Bestätigt"): the page that asked goes back to the host.
 */
export const verificationDone = z.object({
  status: verificationView.shape.status,
  returnTo: z.string().nullable().describe('`returnTo` with `verification=<id>` added, or null'),
});

/** POST /api/v1/account/verifications (session): Lifeline's own actions (policy table: actions/action-policy.ts). */
export const accountVerificationRequest = z.strictObject({
  action: z.enum(['lifeline.change-login-email', 'lifeline.delete-account']).describe('One of Lifeline’s own actions'),
});
export const accountVerificationStarted = z.object({
  id: z.string(),
  expiresAt: z.string(),
  channels: z.array(channelChoice).describe('The account’s confirmed channels, masked; `allowed: false` for one this action does not accept'),
});

/** POST /api/v1/account/deletion. */
export const accountDeletionRequest = z.strictObject({
  password: z.string().min(1).max(1024),
  verificationId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16}$/)
    .describe('A verified record of `lifeline.delete-account` started by this session'),
});
export const accountDeletionScheduled = z.object({ deleteAt: z.string().describe('ISO 8601: when the account is deleted unless someone signs in before') });
