import type { Executor } from '../../db/database.js';
import type { RecoveryPhoneRow } from '../../db/tables.js';
import { createChannelRepository, type ChannelRepository } from '../channel-repository.js';

/** The SQL of recovery phone numbers (at most one active, one pending and one held row per account). */
export interface RecoveryPhoneRepository extends Omit<ChannelRepository<RecoveryPhoneRow>, 'markSent'> {
  /**
   * A code went out, asked from `deviceId`; `holdRequested`: a new device's session sent it, so
   * its confirmation is held (never unmarked).
   */
  markSent(trx: Executor, id: string, now: number, holdRequested: boolean, deviceId: string | null): Promise<void>;
}

export function createRecoveryPhoneRepository(): RecoveryPhoneRepository {
  const channel = createChannelRepository('recovery_phones');
  return {
    ...channel,
    async markSent(trx, id, now, holdRequested, deviceId) {
      await channel.markSent(trx, id, { last_sent_at: now, requested_device_id: deviceId }, holdRequested);
    },
  };
}
