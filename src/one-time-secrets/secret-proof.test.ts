import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createManualClock, type ManualClock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import { createKeyRing } from '../core/keyring.js';
import { newId } from '../core/random.js';
import type { Database, Executor } from '../db/database.js';
import { createTestDatabase, dialectsUnderTest, openMigrated, type TestDatabase } from '../../test/helpers/test-database.js';
import { createOneTimeSecretRepository } from './one-time-secret-repository.js';
import { createOneTimeSecretService, type OneTimeSecretService } from './one-time-secret-service.js';

/**
 * redeemCodeByProof: a guess at a code's flow made with another proof (a recovery code in a
 * forgot-password flow) shares the code's tries and its hourly lock, and what the proof wrote
 * commits or rolls back with the redemption (docs/architecture.md "Recovery codes").
 */
for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: a guess by another proof than the code`, () => {
    let testDb: TestDatabase;
    let database: Database;
    let clock: ManualClock;
    let secrets: OneTimeSecretService;

    beforeAll(async () => {
      testDb = await createTestDatabase(dialect);
      database = await openMigrated(testDb, 4);
      clock = createManualClock();
      secrets = createOneTimeSecretService({
        database,
        clock,
        keys: createKeyRing({ id: 'k', key: Buffer.alloc(32, 7) }),
        config: { verification: { maxAttempts: 5, maxFailuresPerHour: 10 } },
        repository: createOneTimeSecretRepository({ lockRows: dialect === 'postgres' }),
      });
    });
    afterAll(async () => {
      await database?.destroy();
      await testDb?.drop();
    });

    /** An account with a reset code bound to a flow: what a forgot-password flow holds. */
    async function flowWithCode(): Promise<{ accountId: string; flowId: string; code: string }> {
      const accountId = newId();
      await database.db
        .insertInto('accounts')
        .values({ id: accountId, email: `${accountId}@example.test`, email_normalized: `${accountId}@example.test`, locale: 'de', created_at: clock.now() })
        .execute();
      const flowId = newId();
      const issued = await secrets.issue(database.db, { purpose: 'password-reset-email-code', accountId, flowId, coexist: true });
      return { accountId, flowId, code: issued.secret };
    }
    const guessOf = (flow: { accountId: string; flowId: string }) => ({ purpose: 'password-reset-email-code' as const, ...flow, failureScope: 'client-a' });
    const locale = async (accountId: string) =>
      (await database.db.selectFrom('accounts').select('locale').where('id', '=', accountId).executeTakeFirstOrThrow()).locale;
    /** A proof that writes (as a recovery code's use does): it sets the account's language. */
    const writingProof = (accountId: string) => async (trx: Executor) => {
      await trx.updateTable('accounts').set({ locale: 'en' }).where('id', '=', accountId).execute();
      return 'proven';
    };
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'won',
        (error: unknown) => (error instanceof LifelineError ? `${error.code} ${String(error.params.triesLeft ?? '')}`.trim() : String(error)),
      );

    it('a proof uses the code with it: apply gets the proof in the same transaction, and the code is dead afterwards', async () => {
      const flow = await flowWithCode();
      const apply = vi.fn(async (_trx: Executor, secret: { flowId: string | null }, proof: string) => `${proof} in ${secret.flowId}`);
      await expect(secrets.redeemCodeByProof(guessOf(flow), writingProof(flow.accountId), apply)).resolves.toBe(`proven in ${flow.flowId}`);
      expect(await locale(flow.accountId)).toBe('en');
      expect(await refusal(secrets.redeemCode({ ...guessOf(flow), code: flow.code }, async () => 'again'))).toBe('code-expired');
    });

    it('when apply refuses, what the proof wrote rolls back and the code stays redeemable', async () => {
      const flow = await flowWithCode();
      const refused = secrets.redeemCodeByProof(guessOf(flow), writingProof(flow.accountId), async () => {
        throw new LifelineError('code-expired');
      });
      expect(await refusal(refused)).toBe('code-expired');
      expect(await locale(flow.accountId)).toBe('de');
      await expect(secrets.redeemCode({ ...guessOf(flow), code: flow.code }, async () => 'typed')).resolves.toBe('typed');
    });

    it('no proof is a wrong code: the tries are the code’s own (shared with typed guesses), then it is burnt', async () => {
      const flow = await flowWithCode();
      const noProof = () =>
        secrets.redeemCodeByProof(
          guessOf(flow),
          async () => undefined,
          async () => 'never',
        );
      const typedWrong = () => secrets.redeemCode({ ...guessOf(flow), code: flow.code === 'ZZZZZZZZ' ? 'YYYYYYYY' : 'ZZZZZZZZ' }, async () => 'never');
      const answers = [await refusal(noProof()), await refusal(typedWrong()), await refusal(noProof()), await refusal(typedWrong()), await refusal(noProof())];
      expect(answers).toEqual(['wrong-code 4', 'wrong-code 3', 'wrong-code 2', 'wrong-code 1', 'wrong-code 0']);
      // Burnt: even the right code, or a proof, is refused now.
      expect(await refusal(secrets.redeemCode({ ...guessOf(flow), code: flow.code }, async () => 'late'))).toBe('code-expired');
      expect(await refusal(secrets.redeemCodeByProof(guessOf(flow), writingProof(flow.accountId), async () => 'late'))).toBe('code-expired');
      expect(await locale(flow.accountId)).toBe('de');
    });

    it('the hourly lock of the guessing client holds for proofs too, and a locked guess never reaches the proof', async () => {
      const first = await flowWithCode();
      const second = { ...first, flowId: newId() };
      await secrets.issue(database.db, { purpose: 'password-reset-email-code', accountId: first.accountId, flowId: second.flowId, coexist: true });
      for (const flow of [first, second]) {
        for (let i = 0; i < 5; i++)
          await refusal(
            secrets.redeemCodeByProof(
              guessOf(flow),
              async () => undefined,
              async () => 'never',
            ),
          );
      }
      const third = { ...first, flowId: newId() };
      await secrets.issue(database.db, { purpose: 'password-reset-email-code', accountId: first.accountId, flowId: third.flowId, coexist: true });
      const prove = vi.fn(writingProof(first.accountId));
      expect(await refusal(secrets.redeemCodeByProof(guessOf(third), prove, async () => 'never'))).toBe('too-many-attempts');
      expect(prove).not.toHaveBeenCalled();
      // Another client's scope is not locked (a stranger's guesses never lock the owner).
      await expect(secrets.redeemCodeByProof({ ...guessOf(third), failureScope: 'client-b' }, prove, async () => 'owner')).resolves.toBe('owner');
    });
  });
}
