#!/usr/bin/env node
// `npm run bench:webhooks`: how fast events travel from the transaction that records them
// through the outbox to a host's receiver (docs/integration.md "Webhooks"). A Lifeline as
// `npm start` runs it (worker in process, polling as configured) and a receiver on loopback that
// verifies nothing and answers 204 at once, so the figure is Lifeline's own cost: signing, the
// outbox's claim and bookkeeping, one HTTP POST per event.
//
// It records BENCH_EVENTS events (default 2000) as security-log rows, BENCH_BATCH per
// transaction (default 10), for one endpoint subscribed to every type, and prints events/s from
// the first commit to the last delivery, with the latency from commit to receipt (p50, p99);
// then the same number again as a backlog (recorded while the worker is stopped), and the rate
// at which the worker drains it.
// DATABASE_URL=postgres://… runs on PostgreSQL (a disposable database); default a temporary
// SQLite file.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../dist/config/parse-config.js';
import { inTransaction } from '../dist/db/transaction.js';
import { startServer } from '../dist/server.js';

const count = Number(process.env.BENCH_EVENTS ?? 2000);
const batch = Number(process.env.BENCH_BATCH ?? 10);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(batch) || batch < 1) {
  process.stderr.write('bench: BENCH_EVENTS and BENCH_BATCH must be positive integers\n');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const received = new Map(); // webhook-id → receipt time
let receivedAll = () => undefined;
const allReceived = new Promise((resolve) => (receivedAll = resolve));
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = String(req.headers['webhook-id']);
    if (!received.has(id)) received.set(id, performance.now());
    res.writeHead(204).end();
    if (received.size === count) receivedAll();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));

const dir = mkdtempSync(join(tmpdir(), 'lifeline-bench-webhooks-'));
const port = await freePort();
const config = parseConfig({
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: String(port),
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  DATABASE_URL: process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : `sqlite:${join(dir, 'lifeline.db')}`,
  DATA_DIR: dir,
  SECRET_KEY: randomBytes(32).toString('base64'),
});
const lifeline = await startServer(config);
const { services } = lifeline;
try {
  await services.webhookRegistry.create({ url: `http://127.0.0.1:${receiver.address().port}/hook` });
  const accountId = '00000000-0000-4000-8000-00000000beef';
  const now = Date.now();
  await services.database.db
    .insertInto('accounts')
    .values({
      id: accountId,
      email: 'bench@example.com',
      email_normalized: 'bench@example.com',
      password_hash: 'x',
      locale: 'de',
      time_zone: 'Europe/Berlin',
      created_at: now,
      updated_at: now,
      email_verified_at: now,
      password_changed_at: now,
      signup_notice_at: null,
      throttle_notice_at: null,
    })
    .execute();

  // Commit times by outbox row, to pair them with receipts (webhook-id = msg_<row id>).
  const committedAt = new Map();
  const started = performance.now();
  for (let done = 0; done < count; done += batch) {
    const ids = await inTransaction(services.database, async (trx) => {
      const rows = [];
      for (let i = done; i < Math.min(count, done + batch); i++) {
        await services.securityLog.record(trx, { accountId, type: 'password.changed' });
      }
      const queued = await trx.selectFrom('outbox_messages').select('id').where('channel', '=', 'webhook').where('status', '=', 'queued').execute();
      for (const row of queued) rows.push(row.id);
      return rows;
    });
    const at = performance.now();
    for (const id of ids) if (!committedAt.has(`msg_${id}`)) committedAt.set(`msg_${id}`, at);
  }
  const recorded = performance.now();
  const timeout = setTimeout(() => {
    process.stderr.write(`bench: only ${received.size} of ${count} deliveries within 120 s\n`);
    process.exit(1);
  }, 120_000);
  await allReceived;
  const finished = performance.now();
  const steady = new Map(received);

  // Then a backlog: the worker stopped while the events are recorded, started again, timed until
  // the last receipt: the delivery rate alone (claims, signatures, POSTs, bookkeeping).
  await services.worker.stop();
  received.clear();
  const backlogDone = new Promise((resolve) => (receivedAll = resolve));
  for (let done = 0; done < count; done += batch) {
    await inTransaction(services.database, async (trx) => {
      for (let i = done; i < Math.min(count, done + batch); i++) await services.securityLog.record(trx, { accountId, type: 'password.changed' });
    });
  }
  const drainStarted = performance.now();
  services.worker.start();
  void services.worker.runOnce();
  await backlogDone;
  const drainSeconds = (performance.now() - drainStarted) / 1000;

  const latencies = [...committedAt]
    .filter(([id]) => steady.has(id))
    .map(([id, at]) => (steady.get(id) ?? at) - at)
    .sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(0);
  const seconds = (finished - started) / 1000;
  console.log(
    `webhook delivery through the outbox (${config.database.dialect}; worker in process, polls every ${config.delivery.pollIntervalMs} ms; receiver on loopback answers 204)`,
  );
  console.log(`  events recorded: ${count} in ${(recorded - started).toFixed(0)} ms (${batch} per transaction)`);
  console.log(`  delivered: ${received.size} in ${seconds.toFixed(2)} s → ${(count / seconds).toFixed(0)} events/s end to end`);
  console.log(`  latency from commit to receipt: p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms (the poll interval is most of it)`);
  console.log(`  backlog of ${count} drained in ${drainSeconds.toFixed(2)} s → ${(count / drainSeconds).toFixed(0)} deliveries/s`);
  clearTimeout(timeout);
} finally {
  await lifeline.close();
  receiver.close();
  if (config.database.dialect === 'sqlite') rmSync(dir, { recursive: true, force: true });
}
