import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Numbers about the outbox that /metrics reads from the database at scrape time. */
export interface OutboxGaugeSource {
  (): Promise<{ byStatus: Readonly<Record<string, number>>; oldestWaitingAgeMs: number }>;
}

/**
 * Lifeline's Prometheus metrics, in a registry of their own (never prom-client's global one:
 * two app instances in one test process must not collide). Created in the composition root
 * and handed to whoever counts something.
 */
export function createMetrics(options: { collectProcessMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.collectProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'lifeline_' });

  let outboxSource: OutboxGaugeSource | undefined;
  type OutboxNumbers = Awaited<ReturnType<OutboxGaugeSource>>;
  // prom-client collects all metrics of a scrape in parallel: both outbox gauges share one
  // database read, which is forgotten as soon as it settles.
  let outboxRead: Promise<OutboxNumbers | undefined> | undefined;
  const readOutbox = (): Promise<OutboxNumbers | undefined> => {
    if (!outboxSource) return Promise.resolve(undefined);
    outboxRead ??= outboxSource()
      .catch(() => undefined)
      .finally(() => {
        outboxRead = undefined;
      });
    return outboxRead;
  };

  const metrics = {
    registry,
    httpRequestDuration: new Histogram({
      name: 'lifeline_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    outboxMessages: new Gauge({
      name: 'lifeline_outbox_messages',
      help: 'Messages in the outbox by status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const stats = await readOutbox();
        if (!stats) return;
        for (const [status, count] of Object.entries(stats.byStatus)) this.set({ status }, count);
      },
    }),
    outboxOldestAge: new Gauge({
      name: 'lifeline_outbox_oldest_waiting_age_seconds',
      help: 'Age of the oldest message not yet delivered (0 when none waits)',
      registers: [registry],
      async collect() {
        const stats = await readOutbox();
        if (stats) this.set(stats.oldestWaitingAgeMs / 1000);
      },
    }),
    messagesSent: new Counter({
      name: 'lifeline_messages_sent_total',
      help: 'Messages handed to a transport, by channel and transport',
      labelNames: ['channel', 'transport'] as const,
      registers: [registry],
    }),
    messageFailures: new Counter({
      name: 'lifeline_message_send_failures_total',
      help: 'Failed delivery attempts, by channel, transport and whether the worker gave up',
      labelNames: ['channel', 'transport', 'final'] as const,
      registers: [registry],
    }),
    rateLimitRefusals: new Counter({
      name: 'lifeline_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit, by bucket',
      labelNames: ['bucket'] as const,
      registers: [registry],
    }),
    /**
     * SMS codes sent and confirmed, by country and purpose: when someone pumps SMS to numbers
     * they own, sends rise and confirmations do not, so the ratio per country falls.
     */
    smsCodesSent: new Counter({
      name: 'lifeline_sms_codes_sent_total',
      help: 'SMS codes enqueued for sending, by country and purpose',
      labelNames: ['country', 'purpose'] as const,
      registers: [registry],
    }),
    smsCodesConfirmed: new Counter({
      name: 'lifeline_sms_codes_confirmed_total',
      help: 'SMS codes entered correctly, by country and purpose',
      labelNames: ['country', 'purpose'] as const,
      registers: [registry],
    }),
    smsSendsRefused: new Counter({
      name: 'lifeline_sms_sends_refused_total',
      help: 'SMS sends refused by a cap against SMS pumping, by cap and country',
      labelNames: ['cap', 'country'] as const,
      registers: [registry],
    }),
    /**
     * Requests that carried X-Forwarded-For from a peer not in TRUST_PROXY: behind a proxy that
     * Lifeline does not trust, every client has the proxy's address (docs/operations.md).
     */
    untrustedForwardedFor: new Counter({
      name: 'lifeline_untrusted_forwarded_for_total',
      help: 'Requests with X-Forwarded-For from a peer not in TRUST_PROXY (the header was ignored)',
      registers: [registry],
    }),
    /** Tells the outbox gauges where to read their numbers from. */
    setOutboxSource(source: OutboxGaugeSource): void {
      outboxSource = source;
    },
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
