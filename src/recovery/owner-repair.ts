import type { Executor } from '../db/database.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { ClientInfo, SessionService } from '../sessions/session-service.js';
import type { SessionRow } from '../db/tables.js';
import type { DeviceRegistry } from '../sessions/device-registry.js';

export interface OwnerRepairDeps {
  readonly sessions: Pick<SessionService, 'revokeDevice'>;
  readonly securityLog: SecurityLog;
  /** Forgets the device whose sessions ended. */
  readonly devices: Pick<DeviceRegistry, 'forget'>;
}

/**
 * The owner's repair sticks (docs/security.md "The owner wins"): when a session whose device is
 * not new removes a recovery channel (or cancels a held one) that was set up from another
 * device, every session of that other device ends and the account forgets the device. An
 * intruder who added it cannot simply add it (or another) again from the session he still
 * holds; signing in again on that browser — however long the account had known it — is a new
 * device: the owner is notified, and what he adds waits 72 hours and then 7 more days before it
 * can reset the password. Runs in the removal's transaction; answers how many sessions ended.
 */
export async function endSessionsOfAddingDevice(
  trx: Executor,
  deps: OwnerRepairDeps,
  input: {
    readonly accountId: string;
    readonly addedByDevice: string | null;
    readonly remover: Pick<SessionRow, 'id' | 'device_id'>;
    readonly client: ClientInfo;
    readonly channel: 'email' | 'phone';
  },
): Promise<number> {
  if (input.addedByDevice === null || input.addedByDevice === input.remover.device_id) return 0;
  const ended = await deps.sessions.revokeDevice(trx, input.accountId, input.addedByDevice, input.remover.id);
  // Forgotten too: signing in again there is a new device (notified, held), however old it was.
  await deps.devices.forget(trx, input.accountId, { device: input.addedByDevice });
  if (ended > 0) {
    await deps.securityLog.record(trx, {
      accountId: input.accountId,
      type: 'sessions.revoked_by_channel_removal',
      origin: input.client,
      details: { count: ended, channel: input.channel },
    });
  }
  return ended;
}
