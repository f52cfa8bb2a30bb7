import { createOutboxRepository } from '../../src/delivery/outbox/outbox-repository.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import type { Channel } from '../../src/delivery/channels/channel.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/delivery/outbox/outbox-worker.js';
import { outgoingMessage } from '../helpers/outbox-message.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../helpers/test-database.js';

const MESSAGES = 500;

/**
 * Two app instances (two `buildApp`s on one database), each with its own worker, drain one
 * outbox side by side. On PostgreSQL, where several workers run in production and the race is
 * real, `FOR UPDATE SKIP LOCKED` must hand every row to exactly one of them. On SQLite the two
 * instances are two connections to one file (the CLI's worker beside the server's), where the
 * single `UPDATE … RETURNING` claim under the write lock must do the same.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: two app instances, two workers, one outbox`, () => {
    let testDb: TestDatabase;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      testDb = await createTestDatabase(dialect);
      a = await createTestApp(dialect, { testDb });
      b = await createTestApp(dialect, { testDb });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await testDb.drop();
    });

    it(`delivers ${MESSAGES} messages, each exactly once, with both workers taking part`, async () => {
      /** Every delivery of every message id, by worker. */
      const deliveries = new Map<string, string[]>();
      const countingChannel = (name: string): Channel => ({
        transport: `counting-${name}`,
        async send(message) {
          deliveries.set(message.id, [...(deliveries.get(message.id) ?? []), name]);
          // A little real I/O time, so the two workers' rounds interleave as they would on a network.
          await new Promise((resolve) => setTimeout(resolve, 1));
        },
      });
      const workerFor = (t: TestApp, name: string): OutboxWorker =>
        createOutboxWorker({
          database: t.database,
          repository: createOutboxRepository(t.database),
          clock: t.clock,
          channels: { email: countingChannel(name) },
          logger: t.services.logger,
          metrics: t.services.metrics,
          config: t.config,
          batchSize: 10,
        });
      const workerA = workerFor(a, 'a');
      const workerB = workerFor(b, 'b');

      const ids = await inTransaction(a.database, async (trx) => {
        const queued: string[] = [];
        for (let i = 0; i < MESSAGES; i += 1) {
          queued.push(
            await a.services.outbox.enqueue(
              trx,
              outgoingMessage('test.bulk', 'email', `user${i}@example.com`, {
                subject: `Nachricht ${i}`,
                text: `Code:\n${100000 + i}`,
                secrets: [String(100000 + i)],
              }),
            ),
          );
        }
        return queued;
      });
      expect(new Set(ids).size).toBe(MESSAGES);

      // Both workers go round until the outbox has nothing left for them.
      const handled = { a: 0, b: 0 };
      const loop = async (worker: OutboxWorker, name: 'a' | 'b') => {
        for (let round = 0; round < 1000; round += 1) {
          const n = await worker.runOnce();
          handled[name] += n;
          if (n === 0) {
            const left = await a.database.db
              .selectFrom('outbox_messages')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('status', 'in', ['queued', 'processing'])
              .executeTakeFirstOrThrow();
            if (Number(left.n) === 0) return;
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        }
        throw new Error(`worker ${name} did not finish`);
      };
      await Promise.all([loop(workerA, 'a'), loop(workerB, 'b')]);

      // None lost, none twice.
      expect(deliveries.size).toBe(MESSAGES);
      expect(ids.every((id) => deliveries.get(id)?.length === 1)).toBe(true);
      const byWorker = { a: 0, b: 0 };
      for (const [worker] of deliveries.values()) byWorker[worker as 'a' | 'b'] += 1;
      expect(byWorker.a + byWorker.b).toBe(MESSAGES);
      expect(byWorker.a).toBeGreaterThan(0);
      expect(byWorker.b).toBeGreaterThan(0);
      expect(handled).toEqual(byWorker);

      // Every row sent, on its first try, by the worker that delivered it, its payload purged.
      const rows = await b.database.db.selectFrom('outbox_messages').select(['id', 'status', 'attempts', 'claimed_by', 'payload']).execute();
      expect(rows).toHaveLength(MESSAGES);
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.payload === null)).toBe(true);
      const workerIdOf = { a: workerA.workerId, b: workerB.workerId };
      expect(rows.every((r) => r.claimed_by === workerIdOf[(deliveries.get(r.id) ?? [])[0] as 'a' | 'b'])).toBe(true);

      // Each instance counted its own sends.
      const sent = async (t: TestApp, name: string) =>
        (await t.services.metrics.messagesSent.get()).values.find((v) => v.labels.transport === `counting-${name}`)?.value ?? 0;
      expect(await sent(a, 'a')).toBe(byWorker.a);
      expect(await sent(b, 'b')).toBe(byWorker.b);
    });
  });
}
