import { z } from 'zod';
import { emailInput, password } from './accounts.js';

const pendingView = z.object({
  address: z.string(),
  expiresAt: z.string().describe('When the link of the pending setup expires (ISO 8601)'),
  resendAvailableAt: z.string().describe('From when "erneut senden" is possible (ISO 8601)'),
});

/** The recovery codes of GET /api/v1/recovery (docs/api.md "Recovery codes"). */
const recoveryCodesView = z
  .object({
    status: z.enum(['none', 'active']).describe('"active" while the account has a set of codes, even when all are used ("remaining": 0)'),
    remaining: z.number().int().min(0).optional().describe('With "active": how many codes of the set are unused'),
    createdAt: z.string().optional().describe('With "active": when the set was made (ISO 8601)'),
    usableFrom: z
      .string()
      .optional()
      .describe('The set was made on a device other than the first and is not settled yet: its codes reset the password from then on (ISO 8601)'),
  })
  .describe('The recovery codes: none, or the current set');

/** GET /api/v1/recovery (docs/reference/contracts.md "Contracts"). */
export const recoveryResponse = z.object({
  email: z.object({
    status: z.enum(['none', 'pending', 'active']).describe('"active" while an active address exists (a pending change then shows in `pending`)'),
    address: z.string().optional(),
    usableFrom: z
      .string()
      .optional()
      .describe(
        'The active address is not settled yet (confirmed less than 7 days ago, not from the first device): "Passwort vergessen?" reaches it from then on (ISO 8601)',
      ),
    pending: pendingView.optional(),
    removalAt: z.string().optional().describe('A removal held for 72 hours: when it takes effect'),
    replacement: z
      .object({ address: z.string(), effectiveAt: z.string() })
      .optional()
      .describe('A confirmed new address held for 72 hours: it becomes the active one at `effectiveAt` unless a channel cancels it'),
    addition: z
      .object({ address: z.string(), effectiveAt: z.string() })
      .optional()
      .describe(
        'A confirmed first address set up from a new device, held for 72 hours: it becomes the recovery address at `effectiveAt` unless a channel cancels it (status stays "none" or "pending" until then)',
      ),
  }),
  phone: z.object({
    status: z.enum(['none', 'pending', 'active']),
    masked: z.string().optional(),
    usableFrom: z.string().optional().describe('The active number is not settled yet: "Passwort vergessen?" reaches it from then on (ISO 8601)'),
    pending: z.object({ masked: z.string(), expiresAt: z.string(), resendAvailableAt: z.string() }).optional(),
    removalAt: z.string().optional().describe('A deactivation held for 72 hours: when it takes effect'),
    replacement: z
      .object({ masked: z.string(), effectiveAt: z.string() })
      .optional()
      .describe('A confirmed new number held for 72 hours: it becomes the active one at `effectiveAt` unless a channel cancels it'),
    addition: z
      .object({ masked: z.string(), effectiveAt: z.string() })
      .optional()
      .describe(
        'A confirmed first number set up from a new device, held for 72 hours: it becomes the recovery phone at `effectiveAt` unless a channel cancels it',
      ),
  }),
  codes: recoveryCodesView,
});

export const recoveryEmailRequest = z.strictObject({ address: emailInput, password: password.optional() });

/** `held`: an addition or a replacement from a session on a new device, active at `effectiveAt`. */
const heldUntil = z.string().optional().describe('Only with status "held": when the new channel becomes the active one unless a channel cancels it (ISO 8601)');

export const recoveryEmailConfirmedResponse = z.object({ status: z.enum(['active', 'held']), address: z.string(), effectiveAt: heldUntil });

export type RecoveryView = z.infer<typeof recoveryResponse>;

/** PUT /api/v1/recovery/phone: the number as typed, and the country selector's choice. */
export const recoveryPhoneRequest = z.strictObject({
  number: z.string().min(1).max(40).describe('As people type it: 0171 1234567, +49 171 1234567, 0049…, with spaces, dashes or slashes'),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .optional()
    .describe('ISO 3166-1 alpha-2 for numbers without +/00 (default SMS_DEFAULT_COUNTRY)'),
  password: password.optional(),
});

export const recoveryPhoneSentResponse = z.object({
  status: z.literal('accepted'),
  masked: z.string().describe('The number the code went to, masked but for its last 3 digits'),
});

export const recoveryPhoneConfirmRequest = z.strictObject({ code: z.string().min(1).max(32).describe('The 6-digit code from the SMS (spaces allowed)') });

export const recoveryPhoneConfirmedResponse = z.object({ status: z.enum(['active', 'held']), masked: z.string(), effectiveAt: heldUntil });

/**
 * DELETE /recovery/email and /recovery/phone from a session on a device the account first saw
 * less than HOLD_NEW_DEVICE_DAYS (7) ago: held for 72 hours; every channel got a cancel link.
 */
export const removalHeldResponse = z.object({ effectiveAt: z.string().describe('When the removal takes effect unless a channel cancels it (ISO 8601)') });

/** POST /api/v1/recovery/held/cancel: a channel's link. */
export const cancelHeldRequest = z.strictObject({ token: z.string().min(1).max(256) });
const heldChangeKind = z
  .enum(['recovery-email-add', 'recovery-email-remove', 'recovery-email-replace', 'recovery-phone-add', 'recovery-phone-remove', 'recovery-phone-replace'])
  .describe('Which change: of the recovery email or phone, an addition, a removal or a replacement');
export const cancelHeldResponse = z.object({
  status: z
    .enum(['cancelled', 'already-cancelled'])
    .describe('`already-cancelled`: the link, another channel’s link, the profile or an undo had cancelled it before'),
  kind: heldChangeKind,
});

/** POST /api/v1/recovery/held/preview: what the cancel link's page names before its button. */
export const heldChangePreview = z.object({
  kind: heldChangeKind,
  status: z.enum(['waiting', 'cancelled', 'applied']),
  effectiveAt: z.string().describe('When the change takes (or took) effect, ISO 8601'),
});

/** DELETE /api/v1/recovery/{channel}/held: the profile's "Abbrechen" of a held change. */
export const heldChannelParams = z.strictObject({ channel: z.enum(['email', 'phone']) });

/** POST /api/v1/recovery/codes: the privileged window, or the password. */
export const recoveryCodesRequest = z.strictObject({ password: password.optional() });

/** The new set, shown this once. */
export const recoveryCodesResponse = z.object({
  codes: z
    .array(z.string())
    .describe(
      'Ten codes of 12 Crockford base32 characters in three groups of four, e.g. 7K3M-Q9WD-2HXA, each good for one password reset; shown only now, stored only hashed',
    ),
});
