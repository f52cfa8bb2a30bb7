import { z } from 'zod';
import { password } from './accounts.js';

/**
 * The event types of the security log ("Sicherheitsaktivität"), as the API and the UI name
 * them. Pure data (contract/): the server writes these, the UI translates them.
 */
export const securityEventTypes = [
  'account.created',
  'account.email_verified',
  'account.preferences_changed',
  'account.signup_attempted',
  'login_email.change_requested',
  'login_email.changed',
  'login_email.takeover_attempted',
  'password.changed',
  'password.reset',
  'password_reset.requested',
  'password_reset.suppressed',
  'recovery_email.setup_requested',
  'recovery_email.setup_cancelled',
  'recovery_email.added',
  'recovery_email.changed',
  'recovery_email.removed',
  'recovery_phone.setup_requested',
  'recovery_phone.setup_cancelled',
  'recovery_phone.added',
  'recovery_phone.changed',
  'recovery_phone.removed',
  'session.signed_in',
  'session.signed_in_new_device',
  'session.signed_out',
  'session.reauthenticated',
  'session.revoked',
  'session.revoked_others',
  'sessions.revoked_by_password_change',
  'sessions.revoked_by_password_reset',
  'signin.throttled',
  'security.undone',
] as const;

export type SecurityEventType = (typeof securityEventTypes)[number];

/** GET /api/v1/security-log?cursor=: the cursor of the previous page's `nextCursor`. */
export const securityLogQuery = z.strictObject({
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .describe('`nextCursor` of the previous page; absent for the newest page'),
});

export const securityLogItem = z.object({
  id: z.string(),
  type: z.string().describe(`The event: ${securityEventTypes.join(', ')}`),
  createdAt: z.string().describe('ISO 8601, UTC'),
  ip: z.string().nullable(),
  device: z.string().nullable().describe('Browser and operating system, e.g. "Firefox 133 · Windows 10"'),
  place: z.string().optional().describe('Approximate place of the IP address, when a GeoIP database is configured'),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  undoable: z.boolean().describe('Whether "Das war ich nicht" can still undo it'),
});

export const securityLogResponse = z.object({
  items: z.array(securityLogItem).describe('The last 90 days, newest first, 20 a page'),
  nextCursor: z.string().nullable(),
});

export type SecurityLogPage = z.infer<typeof securityLogResponse>;

/** POST /api/v1/security/undo: the token of a notice's "Das war ich nicht" link. */
export const securityUndoRequest = z.strictObject({ token: z.string().min(1).max(256).describe('The token of the link (`/undo?token=`)') });

export const undoSteps = [
  'recovery-email-restored',
  'recovery-email-removed',
  'recovery-phone-restored',
  'recovery-phone-removed',
  'login-email-restored',
  'login-email-not-restored',
  'pending-changes-cancelled',
  'signed-out-everywhere',
  'later-links-invalidated',
  'sign-in-blocked',
] as const;

export const securityUndoResponse = z.object({ done: z.array(z.enum(undoSteps)).describe('What was done, in order') });

/** POST /api/v1/security-log/{id}/undo: the password, unless the privileged window is open. */
export const securityEventParams = z.strictObject({ id: z.string().min(1).max(64) });
export const securityEventUndoRequest = z.strictObject({ password: password.optional() });

/** GET /api/v1/security/undo?token=: what the link would undo (nothing is changed). */
export const securityUndoPreviewQuery = z.strictObject({ token: z.string().min(1).max(256) });
export const securityUndoPreview = z.object({ type: z.string().describe('The event the link undoes'), createdAt: z.string() });
