import { z } from 'zod';
import { securityEventTypes } from './security-event-types.js';

export { eventTextKey, securityEventTypes, type SecurityEventType } from './security-event-types.js';

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
  'recovery-codes-ended',
  'login-email-restored',
  'login-email-not-restored',
  'pending-changes-cancelled',
  'open-flows-ended',
  'signed-out-everywhere',
  'later-links-invalidated',
  'sign-in-blocked',
] as const;

/** A recovery channel the undo removed (not settled before the undone event): the address in full, a number masked. */
export const removedChannel = z.union([
  z.object({ channel: z.literal('recovery-email'), address: z.string() }),
  z.object({ channel: z.literal('recovery-phone'), masked: z.string() }),
]);

export const securityUndoResponse = z.object({
  done: z.array(z.enum(undoSteps)).describe('What was done, in order'),
  removed: z
    .array(removedChannel)
    .describe('The recovery channels removed because they were not settled before the undone event (an intruder may have added them)'),
});

/** The event of POST /api/v1/security-log/{id}/undo-link. */
export const securityEventParams = z.strictObject({ id: z.string().min(1).max(64) });

/** GET /api/v1/security/undo?token=: what the link would undo (nothing is changed). */
export const securityUndoPreviewQuery = z.strictObject({ token: z.string().min(1).max(256) });
export const securityUndoPreview = z.object({
  type: z.string().describe('The event the link undoes'),
  createdAt: z.string(),
  title: z.object({ de: z.string(), en: z.string() }).optional().describe("For a host application's own event (`host.event`): its title"),
});

/** POST /api/v1/security-log/{id}/undo-link: where the fresh link went (the login email, masked). */
export const securityUndoLinkResponse = z.object({ sentTo: z.string().describe('The login email, masked: `m***@example.com`') });
