import type { SmsProviderConfig } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../db/database.js';
import type { Channel, Channels } from './channel.js';
import { createDevMailboxChannel } from './dev-mailbox-channel.js';
import type { DevMailboxRepository } from './dev-mailbox-repository.js';
import { createSmsTwilioChannel } from './sms-twilio-channel.js';
import { createSmsWebhookChannel } from './sms-webhook-channel.js';
import { createSmtpChannel } from './smtp-channel.js';

export interface ChannelsConfig {
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string };
  readonly delivery: { readonly devMailbox: boolean };
  readonly sms: { readonly provider: SmsProviderConfig };
}

/**
 * Picks the transports from the configuration: email through SMTP when SMTP_URL is set, else
 * (outside production) into the development mailbox; SMS by SMS_PROVIDER: Twilio's Messages
 * API, a signed webhook, the development mailbox, or none (then no SMS can be delivered and the
 * recovery phone is hidden).
 */
export function createChannels(deps: {
  config: ChannelsConfig;
  database: Database;
  clock: Clock;
  /** The development mailbox's table (services.ts creates it once; the mailbox page reads it too). */
  devMailboxRepository: Pick<DevMailboxRepository, 'insert'>;
}): Channels {
  const { config, database, clock } = deps;
  // One dev-mailbox transport for both channels, so that it is closed once.
  const devMailbox = config.delivery.devMailbox ? createDevMailboxChannel({ database, clock, repository: deps.devMailboxRepository }) : undefined;
  const email = config.mail.smtpUrl ? createSmtpChannel({ smtpUrl: config.mail.smtpUrl, from: config.mail.from }) : devMailbox;
  const sms = smsChannel(config.sms.provider, devMailbox, deps.clock);
  return { ...(email ? { email } : {}), ...(sms ? { sms } : {}) };
}

function smsChannel(provider: SmsProviderConfig, devMailbox: Channel | undefined, clock: Clock): Channel | undefined {
  switch (provider.kind) {
    case 'twilio':
      return createSmsTwilioChannel(provider);
    case 'webhook':
      return createSmsWebhookChannel(provider, { clock });
    case 'dev':
      return devMailbox;
    case 'none':
      return undefined;
  }
}

export async function closeChannels(channels: Channels): Promise<void> {
  // The dev mailbox serves both email and SMS: close each transport once.
  const unique = new Set(Object.values(channels));
  await Promise.all([...unique].map((channel) => (channel?.close ? channel.close() : Promise.resolve())));
}
