import type { Clock } from '../../core/clock.js';
import type { Database } from '../../db/database.js';
import type { Channels } from './channel.js';
import { createDevMailboxChannel } from './dev-mailbox-channel.js';
import { createSmtpChannel } from './smtp-channel.js';

export interface ChannelsConfig {
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string };
  readonly delivery: { readonly devMailbox: boolean };
}

/**
 * Picks the transports from the configuration: SMTP when SMTP_URL is set; the development
 * mailbox for e-mail and SMS in the embedded default. SMS gateways come with the recovery
 * phone; until then SMS exists only in the development mailbox.
 */
export function createChannels(deps: { config: ChannelsConfig; database: Database; clock: Clock }): Channels {
  const { config } = deps;
  if (config.delivery.devMailbox) {
    const devMailbox = createDevMailboxChannel(deps);
    return { email: devMailbox, sms: devMailbox };
  }
  return {
    ...(config.mail.smtpUrl ? { email: createSmtpChannel({ smtpUrl: config.mail.smtpUrl, from: config.mail.from }) } : {}),
  };
}

export async function closeChannels(channels: Channels): Promise<void> {
  // The dev mailbox serves both e-mail and SMS: close each transport once.
  const unique = new Set(Object.values(channels));
  await Promise.all([...unique].map((channel) => (channel?.close ? channel.close() : Promise.resolve())));
}
