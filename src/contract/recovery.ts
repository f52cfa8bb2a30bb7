import { z } from 'zod';
import { emailInput, password } from './accounts.js';

const pendingView = z.object({
  address: z.string(),
  expiresAt: z.string().describe('When the link of the pending setup expires (ISO 8601)'),
  resendAvailableAt: z.string().describe('From when "erneut senden" is possible (ISO 8601)'),
});

/** GET /api/v1/recovery (ARCHITECTURE.md "Contracts"). */
export const recoveryResponse = z.object({
  email: z.object({
    status: z.enum(['none', 'pending', 'active']).describe('"active" while an active address exists (a pending change then shows in `pending`)'),
    address: z.string().optional(),
    pending: pendingView.optional(),
  }),
  phone: z.object({
    status: z.enum(['none', 'pending', 'active']),
    masked: z.string().optional(),
    pending: z.object({ masked: z.string(), expiresAt: z.string(), resendAvailableAt: z.string() }).optional(),
  }),
});

export const recoveryEmailRequest = z.strictObject({ address: emailInput, password: password.optional() });

export const recoveryEmailConfirmedResponse = z.object({ status: z.literal('active'), address: z.string() });

export type RecoveryView = z.infer<typeof recoveryResponse>;
