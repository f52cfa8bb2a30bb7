import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Metrics } from '../../core/metrics.js';
import { randomToken } from '../../core/random.js';
import type { Database } from '../../db/database.js';
import type { MessageChannelName } from '../../db/tables.js';
import { PermanentDeliveryError, type Channels } from '../channels/channel.js';
import type { ClaimedMessage, OutboxRepository } from './outbox-repository.js';
import { parsePayload } from './outbox.js';

export interface OutboxWorkerDeps {
  readonly database: Database;
  /** The outbox's SQL, the same repository the outbox queues with (created once in src/services.ts). */
  readonly repository: OutboxRepository;
  readonly clock: Clock;
  readonly channels: Channels;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: {
    readonly delivery: {
      readonly pollIntervalMs: number;
      readonly maxAttempts: number;
      readonly leaseMs: number;
      readonly retryBaseMs: number;
      readonly retryMaxMs: number;
    };
  };
  /** Uniform [0, 1) for back-off jitter; injectable so tests can pin it. Not a secret. */
  readonly random?: () => number;
  /** Rows claimed per round. */
  readonly batchSize?: number;
}

/**
 * Delay before attempt `attempts + 1`: exponential from the base, capped, with "equal jitter"
 * (half fixed, half random) so that many messages failing together do not retry together.
 */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, random: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}

/** The worker's lanes: messages to people, and deliveries to host applications (see drain). */
export const OUTBOX_LANES: readonly (readonly MessageChannelName[])[] = [
  ['email', 'sms'],
  ['webhook', 'backchannel'],
];

/** Delay before attempt `attempts + 1` on a channel's own schedule, spread by up to a tenth so failures together do not retry together. */
export function scheduledDelayMs(schedule: readonly number[], attempts: number, random: number): number {
  const base = schedule[Math.min(schedule.length, Math.max(1, attempts)) - 1] ?? 0;
  return Math.round(base * (0.9 + 0.1 * random));
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 500);
}

/**
 * Delivers the outbox: claims due rows with a lease, sends each through its channel, and
 * marks it sent, schedules a retry with back-off, or gives up (keeping the row, as failed).
 * The payload (with any code or link in it) is purged when the row is sent or failed.
 * Delivery is at-least-once: a worker that dies after sending but before marking sends the
 * message again once its lease runs out.
 */
export function createOutboxWorker(deps: OutboxWorkerDeps) {
  const { clock, channels, logger, metrics } = deps;
  const { pollIntervalMs, maxAttempts, leaseMs, retryBaseMs, retryMaxMs } = deps.config.delivery;
  // Jitter only spreads retries over time; it protects nothing, so Math.random is right here.
  // eslint-disable-next-line no-restricted-properties
  const random = deps.random ?? Math.random;
  const batchSize = deps.batchSize ?? 20;
  const { repository } = deps;
  const workerId = `worker-${randomToken(6)}`;
  const sendDeadlineMs = Math.floor(leaseMs / 2);

  // Each lane polls on its own (see drain): a lane stuck on a slow host never delays the other.
  const lanes = OUTBOX_LANES.map((channels) => ({
    channels,
    timer: undefined as NodeJS.Timeout | undefined,
    running: undefined as Promise<number> | undefined,
  }));
  let stopped = true;
  let stopping = false;

  async function deliver(message: ClaimedMessage): Promise<void> {
    const channel = channels[message.channel];
    const transport = channel?.transport ?? 'none';
    const schedule = channel?.retryScheduleMs;
    const attemptLimit = schedule ? schedule.length + 1 : maxAttempts;
    const log = logger.child({ messageId: message.id, kind: message.kind, channel: message.channel, attempt: message.attempts });
    try {
      // Inside the try: a corrupt payload fails its row instead of ending every round.
      let payload: ReturnType<typeof parsePayload>;
      try {
        payload = parsePayload(message);
      } catch {
        throw new PermanentDeliveryError('the payload is not readable');
      }
      if (!channel) throw new PermanentDeliveryError(`no transport is configured for ${message.channel}`);
      if (!payload) throw new PermanentDeliveryError('the payload was purged before delivery');
      if (message.attempts > attemptLimit) throw new PermanentDeliveryError('the lease ran out too often (worker crashes?)');
      // A code that has expired is worth nothing to its reader: not sending it saves an SMS, and
      // failing the row purges the plain-text code now rather than after hours of retries.
      if (message.expires_at !== null && clock.now() >= message.expires_at) throw new PermanentDeliveryError('expired before it could be delivered');
      // A send must end well within the lease, or another worker would take the row and send
      // the message a second time while this one is still at it.
      await channel.send(
        { id: message.id, channel: message.channel, to: message.recipient, subject: message.subject, text: payload.text, html: payload.html },
        { signal: AbortSignal.timeout(sendDeadlineMs) },
      );
    } catch (error) {
      const now = clock.now();
      const final = error instanceof PermanentDeliveryError || message.attempts >= attemptLimit;
      metrics.messageFailures.inc({ channel: message.channel, transport, final: String(final) });
      if (final) {
        await repository.markFailed(message.id, workerId, now, describe(error));
        log.error({ event: 'delivery.failed', err: describe(error) }, 'gave up delivering a message');
      } else {
        const delay = schedule ? scheduledDelayMs(schedule, message.attempts, random()) : retryDelayMs(message.attempts, retryBaseMs, retryMaxMs, random());
        await repository.scheduleRetry(message.id, workerId, now, now + delay, describe(error));
        log.warn({ event: 'delivery.retry', err: describe(error), retryInMs: delay }, 'delivery failed; will retry');
      }
      return;
    }
    const marked = await repository.markSent(message.id, workerId, clock.now());
    metrics.messagesSent.inc({ channel: message.channel, transport });
    log.info({ event: 'delivery.sent', transport, lostLease: !marked }, 'message delivered');
  }

  /**
   * A lane's round: claims a batch of its channels, delivers it, repeats while batches come back
   * full. A batch ends when its slowest send does, so a host's receiver that hangs until the
   * deadline must not hold up a reset code or a security notice: mail and SMS (to people) and
   * deliveries to host applications (webhooks, logout tokens) are claimed, sent and polled in
   * separate lanes.
   */
  async function drainLane(channels: readonly MessageChannelName[]): Promise<number> {
    let delivered = 0;
    for (;;) {
      const now = clock.now();
      const batch = await repository.claimDue({ workerId, now, leaseUntil: now + leaseMs, limit: batchSize, channels });
      // Sends of one batch run side by side; each row is settled on its own.
      const settled = await Promise.allSettled(batch.map((message) => deliver(message)));
      delivered += batch.length;
      // A row whose bookkeeping failed (database hiccup) stays 'processing' until its lease
      // runs out and is then taken again; the others of the batch are settled regardless.
      const failed = settled.filter((result) => result.status === 'rejected');
      if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
      if (batch.length < batchSize || stopping) return delivered;
    }
  }

  type Lane = (typeof lanes)[number];

  function schedule(lane: Lane): void {
    if (stopped) return;
    // One timer per lane at most, even when start() follows stop() while a round still runs.
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => {
      void runLane(lane).finally(() => schedule(lane));
    }, pollIntervalMs);
  }

  /** Runs a lane's round now (or joins the one already running); returns rows handled. */
  function runLane(lane: Lane): Promise<number> {
    lane.running ??= drainLane(lane.channels)
      .catch((error: unknown) => {
        // A database hiccup must not kill the loop: log it and try again next round.
        logger.error({ event: 'delivery.worker_error', err: describe(error) }, 'outbox round failed');
        return 0;
      })
      .finally(() => {
        lane.running = undefined;
      });
    return lane.running;
  }

  /** Runs a round of every lane now (joining rounds already running); returns rows handled. */
  async function runOnce(): Promise<number> {
    const counts = await Promise.all(lanes.map((lane) => runLane(lane)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  return {
    workerId,
    runOnce,
    /** Starts polling about every `pollIntervalMs` (docs/reference/contracts.md: about once a second). */
    start(): void {
      if (!stopped) return;
      stopped = false;
      logger.info({ event: 'delivery.worker_started', workerId, pollIntervalMs }, 'outbox worker started');
      for (const lane of lanes) schedule(lane);
    },
    /** Stops polling and waits for the round in flight, so no claimed row is left mid-send. */
    async stop(): Promise<void> {
      stopped = true;
      for (const lane of lanes) if (lane.timer) clearTimeout(lane.timer);
      stopping = true;
      try {
        await Promise.all(lanes.map((lane) => lane.running ?? Promise.resolve(0)));
      } finally {
        stopping = false;
      }
    },
  };
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>;
