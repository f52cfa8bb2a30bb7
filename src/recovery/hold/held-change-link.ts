import type { Database } from '../../db/database.js';
import type { HeldChangeKind } from '../../db/tables.js';
import type { OneTimeSecretService } from '../../one-time-secrets/one-time-secret-service.js';
import type { ChannelHoldRepository } from './channel-hold-repository.js';

/** What became of the change a cancel link names: it still waits, or was cancelled, or applied. */
export interface HeldChangeOfLink {
  readonly kind: HeldChangeKind;
  readonly status: 'waiting' | 'cancelled' | 'applied';
  readonly effectiveAt: number;
}

/**
 * Reads the change behind a cancel link (recovery/hold/), live or used: its page names the change
 * before the button, and a link opened after the change was cancelled (by another channel's link,
 * the profile or an undo) says "already cancelled" instead of "expired". Only the whole link
 * tells (one-time-secret-service.ts `peekLink`, `usedLink`); a read changes nothing.
 */
export async function heldChangeOfLink(
  deps: { database: Database; verification: Pick<OneTimeSecretService, 'peekLink' | 'usedLink'>; repository: Pick<ChannelHoldRepository, 'find'> },
  token: string,
): Promise<HeldChangeOfLink | undefined> {
  const link = { purpose: 'held-change-cancel' as const, token };
  const secret = (await deps.verification.peekLink(link)) ?? (await deps.verification.usedLink(link));
  const heldId = secret?.data.heldId;
  if (!secret || typeof heldId !== 'string') return undefined;
  const change = await deps.repository.find(deps.database.db, secret.accountId, heldId);
  if (!change) return undefined;
  const status = change.cancelled_at !== null ? 'cancelled' : change.applied_at !== null ? 'applied' : 'waiting';
  return { kind: change.kind, status, effectiveAt: change.effective_at };
}
