import type { Executor } from '../../db/database.js';
import { storedUserAgent } from '../../core/user-agent.js';
import type { RecoveryEmailRow } from '../../db/tables.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { createChannelRepository, type ChannelRepository } from '../channel-repository.js';

/** The SQL of recovery email addresses (at most one active, one pending and one held row per account). */
export interface RecoveryEmailRepository extends Omit<ChannelRepository<RecoveryEmailRow>, 'markSent'> {
  /**
   * A link went out, asked by `by` on `deviceId` (kept on the row: whoever opens the link has no
   * session, and a held change's notices name who asked); `holdRequested`: a new device's session
   * sent it, so its confirmation is held (never unmarked).
   */
  markSent(trx: Executor, id: string, now: number, holdRequested: boolean, by: ClientInfo, deviceId: string | null): Promise<void>;
}

export function createRecoveryEmailRepository(): RecoveryEmailRepository {
  const channel = createChannelRepository('recovery_emails');
  return {
    ...channel,
    async markSent(trx, id, now, holdRequested, by, deviceId) {
      const sent = { last_sent_at: now, requested_ip: by.ip, requested_user_agent: storedUserAgent(by.userAgent), requested_device_id: deviceId };
      await channel.markSent(trx, id, sent, holdRequested);
    },
  };
}
