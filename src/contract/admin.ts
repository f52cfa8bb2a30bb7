import { z } from 'zod';

/** The host's back office (docs/integration.md "Admin API"): API keys with `admin:read` / `admin:write`. */

const recoveryState = z
  .enum(['none', 'pending', 'active'])
  .describe('`pending`: a channel waits for its confirmation or its hold; the address itself is never shown');

export const adminAccount = z.object({
  id: z.string().describe('`account.id` of `GET /api/v1/session`, `sub` of OpenID Connect, `data.accountId` of webhooks'),
  email: z.string().describe('The login email'),
  emailVerified: z.boolean(),
  createdAt: z.string().describe('ISO 8601'),
  disabled: z.boolean().describe('Disabled by support: no sign-in until enabled'),
  recovery: z.object({ email: recoveryState, phone: recoveryState }),
});

export const adminAccountList = z.object({ items: z.array(adminAccount) });

export const adminAccountQuery = z.strictObject({
  email: z.string().min(1).max(320).describe('The login email (compared as sign-in compares it); no partial matches'),
});

export const adminAccountParams = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .describe('The account id'),
});

/** The write routes take no body; an empty JSON object is accepted too. Anything else is 400. */
export const adminEmptyBody = z.strictObject({}).nullish();

/** POST …/password-reset: the code and link are queued to the login email (never in this answer). */
export const adminResetQueued = z.object({ status: z.literal('queued') });
