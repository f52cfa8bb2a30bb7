import type { Clock } from '../core/clock.js';
import { HOUR, MINUTE, SECOND } from '../core/clock.js';
import type { Executor } from '../db/database.js';
import { PermanentDeliveryError, type Channel, type DeliverableMessage, type SendOptions } from '../delivery/channels/channel.js';
import { outboundPost, OutboundRefusedError } from '../delivery/outbound/outbound-post.js';
import type { Outbox } from '../delivery/outbox/outbox.js';
import { webhookBody, type WebhookEvent } from './webhook-events.js';
import type { WebhookRepository } from './webhook-repository.js';
import type { WebhookRegistry } from './webhook-registry.js';
import { webhookSignatureHeader } from './webhook-signature.js';

/**
 * When a failed delivery is tried again (Svix's schedule, which Standard Webhooks receivers
 * expect): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each failure, about 27.6 hours in
 * all, then the row is failed (visible in `lifeline outbox --status failed` and /metrics).
 */
export const WEBHOOK_RETRY_SCHEDULE_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

/** The `webhook-id` of an outbox row: the same on every attempt, so a receiver can drop a repeat. */
export const webhookIdOf = (outboxId: string) => `msg_${outboxId}`;

/**
 * The outbox channel "webhook": POSTs the stored body to the endpoint's current URL, signed anew
 * at each attempt with its live secrets (webhook-timestamp is the attempt's time; the body's
 * timestamp the event's). 2xx is delivered. Redirects are not followed (a 3xx is a failure), the
 * answer is read up to 4 KiB, each attempt has a 10-second deadline. A revoked endpoint or a
 * refused address fails the row at once; any other failure is retried on the schedule above.
 */
export function createWebhookChannel(deps: { registry: WebhookRegistry; clock: Clock; allowPrivateNetworks: boolean; timeoutMs?: number }): Channel {
  return {
    transport: 'webhook',
    retryScheduleMs: WEBHOOK_RETRY_SCHEDULE_MS,
    async send(message: DeliverableMessage, options?: SendOptions): Promise<void> {
      const target = await deps.registry.target(message.to);
      if ('refused' in target) throw new PermanentDeliveryError(target.refused);
      const id = webhookIdOf(message.id);
      const timestamp = Math.floor(deps.clock.now() / 1000);
      let answer;
      try {
        answer = await outboundPost(target.url, {
          body: message.text,
          contentType: 'application/json',
          headers: {
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': webhookSignatureHeader(target.secrets, id, timestamp, message.text),
          },
          allowPrivateNetworks: deps.allowPrivateNetworks,
          timeoutMs: deps.timeoutMs ?? 10_000,
          signal: options?.signal,
        });
      } catch (error) {
        if (error instanceof OutboundRefusedError) throw new PermanentDeliveryError(error.message, { cause: error });
        throw error;
      }
      if (answer.status >= 200 && answer.status < 300) return;
      // Every other answer is retried: a receiver that is being deployed answers 404 or 502 for a while.
      // The endpoint's id, not its URL: a receiver's URL may carry a token, and errors are listed and logged.
      throw new Error(`webhook endpoint ${message.to} answered ${answer.status}`);
    },
  };
}

/**
 * Queues an event for every live endpoint that subscribed to its type, in the caller's
 * transaction (one outbox row per endpoint: each is retried on its own).
 */
export function createWebhookEmitter(deps: { outbox: Outbox; clock: Clock; repository: Pick<WebhookRepository, 'live'> }) {
  const { repository } = deps;
  return {
    async emit(trx: Executor, input: Omit<WebhookEvent, 'occurredAt'> & { occurredAt?: number }): Promise<number> {
      const endpoints = (await repository.live(trx)).filter((endpoint) => endpoint.events === null || endpoint.events.split(' ').includes(input.type));
      if (endpoints.length === 0) return 0;
      const body = webhookBody({ ...input, occurredAt: input.occurredAt ?? deps.clock.now() });
      for (const endpoint of endpoints) {
        await deps.outbox.enqueue(trx, {
          kind: `webhook.${input.type}`,
          channel: 'webhook',
          to: endpoint.id,
          accountId: input.accountId,
          locale: 'en',
          subject: input.type,
          text: body,
          html: null,
        });
      }
      return endpoints.length;
    },
  };
}

export type WebhookEmitter = ReturnType<typeof createWebhookEmitter>;
