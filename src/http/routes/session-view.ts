import type { z } from 'zod';
import type { accountView, sessionResponse } from '../../contract/accounts.js';
import type { AccountRow, SessionRow } from '../../db/tables.js';
import type { SessionService } from '../../sessions/session-service.js';

/** The account as the API shows it (no hashes, no internal columns). */
export function toAccountView(account: AccountRow): z.infer<typeof accountView> {
  return {
    id: account.id,
    email: account.email,
    emailVerified: account.email_verified_at !== null,
    locale: account.locale === 'en' ? 'en' : 'de',
    timeZone: account.time_zone,
    ...(account.pending_email && account.email_change_due_at !== null
      ? { pendingEmail: { email: account.pending_email, effectiveAt: new Date(account.email_change_due_at).toISOString() } }
      : {}),
  };
}

/** `GET /api/v1/session`'s body, also returned by sign-in. */
export function toSessionView(sessions: SessionService, account: AccountRow, session: SessionRow, now: number): z.infer<typeof sessionResponse> {
  const privileged = session.privileged_until !== null && session.privileged_until > now;
  return {
    account: toAccountView(account),
    csrfToken: sessions.csrfToken(session),
    privilegedUntil: privileged && session.privileged_until !== null ? new Date(session.privileged_until).toISOString() : null,
  };
}
