import type { UndoLink, UndoLinkIssuer } from '../../notifications/notifier.js';
import type { OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';

/** The data an undo link carries in its (hashed) secret row: which event, for whom, and what to put back. */
export interface UndoLinkData {
  readonly eventId: string;
  readonly eventAt: number;
  readonly role: UndoLink['role'];
  readonly handler: UndoLink['handler'];
  readonly restore: UndoLink['restore'];
}

/**
 * Issues "Das war ich nicht" links for the notifier: one per recipient and event, 7 days (30 for
 * the old address of a login-email change),
 * single use, and side by side (a new event's link does not retire an older event's).
 */
export function createUndoLinks(deps: { verification: OneTimeSecretService }): UndoLinkIssuer {
  return {
    async issue(trx, link) {
      const data: UndoLinkData = { eventId: link.eventId, eventAt: link.eventAt, role: link.role, handler: link.handler, restore: link.restore };
      const issued = await deps.verification.issue(trx, {
        purpose: 'security-undo',
        accountId: link.accountId,
        target: link.target,
        data: { ...data },
        coexist: true,
        ttlMs: link.ttlMs,
      });
      return issued.secret;
    },
  };
}
