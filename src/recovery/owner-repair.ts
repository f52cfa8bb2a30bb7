import type { Executor } from '../db/database.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { ClientInfo, SessionService } from '../sessions/session-service.js';
import type { SessionRow } from '../db/tables.js';

export interface OwnerRepairDeps {
  readonly sessions: Pick<SessionService, 'revokeDevice'>;
  readonly securityLog: SecurityLog;
}

/**
 * The owner's repair sticks (docs/security.md "The owner wins"): when a session removes a
 * recovery channel at once (its device is not new, so nothing was held) and the channel was set
 * up from another device, every session of that other device ends. An intruder who added it
 * cannot simply add it (or another) again from the session he still holds; signing in again on
 * that device, which is still new, only gets him a 72-hour hold and a notice on every channel.
 * Runs in the removal's transaction; answers how many sessions ended.
 */
export async function endSessionsOfAddingDevice(
  trx: Executor,
  deps: OwnerRepairDeps,
  input: { readonly accountId: string; readonly addedByDevice: string | null; readonly remover: Pick<SessionRow, 'id' | 'device_id'>; readonly client: ClientInfo; readonly channel: 'email' | 'phone' },
): Promise<number> {
  if (input.addedByDevice === null || input.addedByDevice === input.remover.device_id) return 0;
  const ended = await deps.sessions.revokeDevice(trx, input.accountId, input.addedByDevice, input.remover.id);
  if (ended > 0) {
    await deps.securityLog.record(trx, { accountId: input.accountId, type: 'sessions.revoked_by_channel_removal', origin: input.client, details: { count: ended, channel: input.channel } });
  }
  return ended;
}
