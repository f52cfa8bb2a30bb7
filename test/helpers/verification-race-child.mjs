// One of two processes racing on one SQLite file (test/integration/verification-races.test.ts).
// It runs the BUILT code (dist/; `npm run build` first), as a second Lifeline process would: its
// own connection, its own verification service, over the same database file and key.
//
// argv[2]: JSON {dbPath, key: {id, base64}, now, maxAttempts, maxFailuresPerHour}
// Protocol (one JSON object per line): prints {"ready":true} once the database is open. Then
// each line on stdin is a round {mode: 'code'|'link', purpose, accountId, secret, count, startAt}:
// at the wall-clock time `startAt` (epoch ms, the same for both children, so that both start
// together) the child fires `count` redemptions of `secret` at once, and prints the round's
// outcome as one line.
// When stdin ends it closes the database and exits.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createManualClock } from '../../dist/core/clock.js';
import { createKeyRing } from '../../dist/core/keyring.js';
import { createDatabase } from '../../dist/db/create-database.js';
import { createOneTimeSecretService } from '../../dist/one-time-secrets/one-time-secret-service.js';
import { createOneTimeSecretRepository } from '../../dist/one-time-secrets/one-time-secret-repository.js';

const args = JSON.parse(process.argv[2]);
const database = await createDatabase({ dialect: 'sqlite', path: args.dbPath, url: `sqlite:${args.dbPath}` });
const clock = createManualClock(args.now);
const keys = createKeyRing({ id: args.key.id, key: Buffer.from(args.key.base64, 'base64') });
const verification = createOneTimeSecretService({
  database,
  clock,
  keys,
  config: { verification: { maxAttempts: args.maxAttempts, maxFailuresPerHour: args.maxFailuresPerHour } },
  // SQLite: no row locks (its write transactions run one at a time already).
  repository: createOneTimeSecretRepository({ lockRows: false }),
});

async function runRound(round) {
  let applyCalls = 0;
  // The change a won secret authorises: one security-log row, written in the redeeming transaction.
  const apply = async (trx, secret) => {
    applyCalls += 1;
    await trx
      .insertInto('security_events')
      .values({
        id: randomUUID(),
        account_id: secret.accountId,
        type: 'race-applied',
        ip: null,
        user_agent: null,
        details: JSON.stringify({ pid: process.pid }),
        created_at: clock.now(),
      })
      .execute();
    return process.pid;
  };
  const redeemOnce = () =>
    round.mode === 'link'
      ? verification.redeemLink({ purpose: round.purpose, token: round.secret }, apply)
      : verification.redeemCode({ purpose: round.purpose, accountId: round.accountId, code: round.secret }, apply);

  // Both children got the same start time: sleep until just before it, then spin to it, so that
  // neither gets a head start from the order in which the parent's lines arrived.
  const now = () => performance.timeOrigin + performance.now();
  if (round.startAt - now() > 5) await new Promise((resolve) => setTimeout(resolve, round.startAt - now() - 5));
  while (now() < round.startAt);
  const startedAt = now();
  const settled = await Promise.allSettled(Array.from({ length: round.count }, () => redeemOnce()));
  const finishedAt = now();

  const errors = {};
  let wins = 0;
  for (const result of settled) {
    if (result.status === 'fulfilled') {
      wins += 1;
    } else {
      const code = result.reason?.name === 'LifelineError' ? result.reason.code : `unexpected: ${String(result.reason?.message ?? result.reason)}`;
      errors[code] = (errors[code] ?? 0) + 1;
    }
  }
  return { pid: process.pid, wins, applyCalls, errors, startedAt, finishedAt };
}

process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  process.stdout.write(`${JSON.stringify(await runRound(JSON.parse(line)))}\n`);
}
await database.destroy();
