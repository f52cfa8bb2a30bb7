import { z } from 'zod';

/**
 * Plain text a host sends for the user to read: trimmed, no control characters (a subject line
 * cannot be split), no bidirectional overrides or invisible marks (a title cannot be made to read backwards or hide a word). HTML is
 * not refused but never interpreted: every page and mail shows it as text.
 */
const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // Control characters are exactly what this refuses.
    // eslint-disable-next-line no-control-regex
    .refine((value) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\ufeff]/.test(value), {
      error: 'must be one line of plain text',
    });

/** POST /api/v1/accounts/{id}/security-events (API key with the scope `events`). */
export const hostEventRequest = z.strictObject({
  type: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
    .describe('Your name for the kind of event, e.g. `iban.changed` (lower case, digits, `._-`): for your own records and filters'),
  title: z
    .strictObject({ de: plainText(120), en: plainText(120) })
    .describe('What the user reads in "Sicherheitsaktivität" and in the notice, in German and English (plain text, up to 120 characters)'),
  details: plainText(300).optional().describe('One more line for the user, e.g. "Neue IBAN: DE89 •••• 3000" (never a secret)'),
  notify: z.boolean().optional().describe('Mail it to the login and the recovery email with a "Das war ich nicht" link (10 an hour per account)'),
});

export const hostEventParams = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .describe('The account id (`sub` of OpenID Connect)'),
});

export const hostEventResponse = z.object({
  id: z.string().describe("The event's id: `data.hostEventId` of the webhook `account.secured` when the user undoes it"),
  createdAt: z.string().describe('ISO 8601'),
  notified: z.boolean().describe('Whether a notice was queued'),
});
