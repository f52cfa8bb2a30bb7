import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as HashingModule from '../core/hashing.js';
import { createManualClock, DAY, HOUR, MINUTE, SECOND, type ManualClock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import { constantTimeEqual, hmacSha256 } from '../core/hashing.js';
import { createKeyRing, type KeyRing, type SecretKey } from '../core/keyring.js';
import { newId } from '../core/random.js';
import type { Database, Executor } from '../db/database.js';
import type { VerificationSecretRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { createTestDatabase, dialectsUnderTest, openMigrated, type TestDatabase } from '../../test/helpers/test-database.js';
import { purposePolicies, secretPurposes, type SecretPurpose } from './purposes.js';
import { createOneTimeSecretService, type ApplyRedeemed, type RedeemedSecret, type OneTimeSecretService } from './one-time-secret-service.js';
import { createOneTimeSecretRepository } from './one-time-secret-repository.js';
import { CodeRejected, type CodeRefusal } from './secret-refusals.js';

// Wrap (not replace) constantTimeEqual, so a test can see that the service compares through it
// and that its answer is what decides.
vi.mock('../core/hashing.js', async (importOriginal) => {
  const actual = await importOriginal<typeof HashingModule>();
  return { ...actual, constantTimeEqual: vi.fn(actual.constantTimeEqual) };
});

const KEY_OLD: SecretKey = { id: 'key-old', key: Buffer.alloc(32, 11) };
const KEY_NEW: SecretKey = { id: 'key-new', key: Buffer.alloc(32, 22) };
const CONFIG = { verification: { maxAttempts: 5, maxFailuresPerHour: 10 } };

const SMS: SecretPurpose = 'recovery-phone-confirmation';
const LINK: SecretPurpose = 'login-email-verification';
const EMAIL_CODE: SecretPurpose = 'password-reset-email-code';

/** Awaits a rejection and checks it is a LifelineError with this code. */
async function expectError(promise: Promise<unknown>, code: LifelineError['code']): Promise<LifelineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected LifelineError '${code}'`).toBeInstanceOf(LifelineError);
  expect((error as LifelineError).code).toBe(code);
  return error as LifelineError;
}

/**
 * Awaits the refusal of a typed code: the API's code (wrong-code, code-expired) and, kept
 * internal, the cause (`reason`: code-incorrect, code-used-up or invalid-or-expired).
 */
async function expectRefused(promise: Promise<unknown>, reason: CodeRefusal): Promise<LifelineError> {
  const error = await expectError(promise, reason === 'code-incorrect' ? 'wrong-code' : 'code-expired');
  expect(error).toBeInstanceOf(CodeRejected);
  expect((error as CodeRejected).reason).toBe(reason);
  return error;
}

/** Another 6-digit code than `code` (a wrong guess of the right form). */
function wrongDigits(code: string, offset = 1): string {
  return String((Number(code) + offset) % 1_000_000).padStart(6, '0');
}

/** Letters only, so that an id can never contain a 6-digit code by chance (the plaintext grep). */
function letters(n: number): string {
  return Array.from(randomBytes(n), (b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('');
}

// ─── Purpose table: lifetimes (no database) ──────────────────────────────────────────────────

describe('purposes: lifetimes within the limits (docs/reference/security-requirements.md 3.5, 4.4)', () => {
  it('every SMS code lives ≤ 10 minutes', () => {
    const sms = secretPurposes.filter((p) => purposePolicies[p].kind === 'digits6');
    expect(sms.length).toBeGreaterThan(0);
    for (const p of sms) expect(purposePolicies[p].ttlMs, p).toBeLessThanOrEqual(10 * MINUTE);
  });

  it('every email code, and every confirmation or reset link, lives ≤ 24 hours', () => {
    // The undo link is docs/reference/product.md's own choice (a security notice's 7 days, the old address of a
    // login-email change 30: the cap): it authorises no access, it only takes a change back.
    // So is the cancel link of a waiting login-email change (8 days: its wait and a day): it only stops a change.
    for (const p of secretPurposes.filter((q) => q !== 'security-undo' && q !== 'login-email-change-cancel' && q !== 'held-change-cancel')) {
      expect(purposePolicies[p].ttlMs, p).toBeLessThanOrEqual(24 * HOUR);
    }
    expect(purposePolicies['security-undo'].ttlMs).toBe(30 * DAY);
    expect(purposePolicies['login-email-change-cancel'].ttlMs).toBe(8 * DAY);
  });
});

// ─── The service, on every dialect ─────────────────────────────────────────────────────────────

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: one-time secrets (verification-service)`, () => {
    let testDb: TestDatabase;
    let database: Database;
    let clock: ManualClock;
    let service: OneTimeSecretService;

    // As services.ts wires it: the secrets read for a redemption are row-locked on PostgreSQL.
    const serviceWith = (keys: KeyRing) =>
      createOneTimeSecretService({ database, clock, keys, config: CONFIG, repository: createOneTimeSecretRepository({ lockRows: dialect === 'postgres' }) });

    beforeAll(async () => {
      testDb = await createTestDatabase(dialect);
      database = await openMigrated(testDb, 4);
    });
    afterAll(async () => {
      await database?.destroy();
      await testDb?.drop();
    });
    beforeEach(() => {
      clock = createManualClock();
      service = serviceWith(createKeyRing(KEY_OLD));
    });

    /** A fresh account per test, so no test sees another's hourly failures. */
    async function newAccount(): Promise<string> {
      const id = `acc-${letters(16)}`;
      await database.db
        .insertInto('accounts')
        .values({ id, email: `${id}@example.test`, email_normalized: `${id}@example.test`, locale: 'de', created_at: clock.now() })
        .execute();
      return id;
    }

    const issue = (input: Parameters<OneTimeSecretService['issue']>[1]) => service.issue(database.db, input);
    const row = async (id: string): Promise<VerificationSecretRow> =>
      database.db.selectFrom('verification_secrets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const failureRows = async (accountId: string): Promise<number> => {
      const r = await database.db
        .selectFrom('verification_failures')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    const applyReturning = <T>(value: T) => vi.fn<ApplyRedeemed<T>>(async () => value);
    const redeemCode = (accountId: string, code: string, purpose: SecretPurpose = SMS, flowId?: string, s = service) =>
      s.redeemCode({ purpose, accountId, code, ...(flowId === undefined ? {} : { flowId }) }, applyReturning('ok'));
    const redeemLink = (token: string, purpose: SecretPurpose = LINK, s = service) => s.redeemLink({ purpose, token }, applyReturning('ok'));

    describe('case=issue', () => {
      it('gives a link token <id>.<43 base64url>, a 6-digit SMS code, an 8-character email code; expiry = the purpose TTL (docs/reference/security-requirements.md 3.4, 3.5)', async () => {
        const account = await newAccount();
        const link = await issue({ purpose: LINK, accountId: account });
        expect(link.secret).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
        expect(link.secret.startsWith(`${link.id}.`)).toBe(true);
        expect(link.expiresAt).toBe(clock.now() + 24 * HOUR);
        const sms = await issue({ purpose: SMS, accountId: account });
        expect(sms.secret).toMatch(/^\d{6}$/);
        expect(sms.expiresAt).toBe(clock.now() + 10 * MINUTE);
        const mail = await issue({ purpose: EMAIL_CODE, accountId: account });
        expect(mail.secret).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
        expect(mail.expiresAt).toBe(clock.now() + 15 * MINUTE);
        expect((await row(sms.id)).attempts_left).toBe(5);
      });

      it('a ttlMs override can shorten the lifetime, never lengthen it', async () => {
        const account = await newAccount();
        expect((await issue({ purpose: SMS, accountId: account, ttlMs: MINUTE })).expiresAt).toBe(clock.now() + MINUTE);
        expect((await issue({ purpose: SMS, accountId: account, ttlMs: DAY })).expiresAt).toBe(clock.now() + 10 * MINUTE);
      });

      it("exists only if the caller's transaction commits", async () => {
        const account = await newAccount();
        let id = '';
        await expect(
          inTransaction(database, async (trx) => {
            id = (await service.issue(trx, { purpose: SMS, accountId: account })).id;
            throw new Error('the enqueue failed');
          }),
        ).rejects.toThrow('the enqueue failed');
        expect(await database.db.selectFrom('verification_secrets').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
      });
    });

    describe('case=storage (docs/reference/security-requirements.md 3.6)', () => {
      it('no column of any row holds the plaintext code or token: only HMAC(key, purpose|account|secret) and the key id', async () => {
        const account = await newAccount();
        const phone = '+4915112345678';
        let sms = await issue({ purpose: SMS, accountId: account, target: phone, data: { phone } });
        // A 6-digit code could be part of the phone number by chance: then take another one.
        while (phone.includes(sms.secret)) sms = await issue({ purpose: SMS, accountId: account, target: phone, data: { phone } });
        const mail = await issue({ purpose: EMAIL_CODE, accountId: account, target: 'r@example.test', flowId: 'flow-a' });
        const link = await issue({ purpose: LINK, accountId: account, target: 'login@example.test', data: { note: 'x' } });
        const linkSecret = link.secret.split('.')[1]!;
        const secrets = [sms.secret, mail.secret, link.secret, linkSecret];

        const rows = await database.db.selectFrom('verification_secrets').selectAll().execute();
        expect(rows.length).toBeGreaterThanOrEqual(3);
        for (const r of rows) {
          for (const [column, value] of Object.entries(r)) {
            if (typeof value === 'string') {
              for (const secret of secrets) expect(value, `verification_secrets.${column}`).not.toContain(secret);
            } else {
              // Numbers (times, tries) and nulls cannot carry a code or token.
              expect(value === null || typeof value === 'number', `verification_secrets.${column}`).toBe(true);
            }
          }
        }
        for (const [issued, purpose, secret] of [
          [sms, SMS, sms.secret],
          [mail, EMAIL_CODE, mail.secret],
          [link, LINK, linkSecret],
        ] as const) {
          const stored = await row(issued.id);
          expect(stored.secret_hash).toBe(hmacSha256(KEY_OLD.key, purpose, account, secret));
          expect(stored.key_id).toBe(KEY_OLD.id);
        }
      });
    });

    describe('case=redeem', () => {
      it('a correct code runs apply once, in the transaction, with what the secret is bound to, and returns its value', async () => {
        const account = await newAccount();
        const issued = await issue({ purpose: EMAIL_CODE, accountId: account, target: 'r@example.test', flowId: 'flow-1', data: { step: 2 } });
        const apply = vi.fn<ApplyRedeemed<string>>(async (trx: Executor, secret: RedeemedSecret) => {
          await trx
            .insertInto('security_events')
            .values({ id: newId(), account_id: secret.accountId, type: 'test-applied', ip: null, user_agent: null, details: null, created_at: clock.now() })
            .execute();
          return 'changed';
        });
        await expect(service.redeemCode({ purpose: EMAIL_CODE, accountId: account, code: issued.secret, flowId: 'flow-1' }, apply)).resolves.toBe('changed');
        expect(apply).toHaveBeenCalledTimes(1);
        expect(apply.mock.calls[0]![1]).toEqual({
          id: issued.id,
          purpose: EMAIL_CODE,
          accountId: account,
          target: 'r@example.test',
          flowId: 'flow-1',
          data: { step: 2 },
          createdAt: clock.now(),
          expiresAt: issued.expiresAt,
        });
        expect((await row(issued.id)).used_at).toBe(clock.now());
        const events = await database.db
          .selectFrom('security_events')
          .select('id')
          .where('account_id', '=', account)
          .where('type', '=', 'test-applied')
          .execute();
        expect(events).toHaveLength(1);
      });

      it('single use: a second redemption of a link → invalid-or-expired, of a code → code-expired (reason invalid-or-expired) (docs/reference/security-requirements.md 3.3, 4.4)', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        await expect(redeemCode(account, code.secret)).resolves.toBe('ok');
        await expectRefused(redeemCode(account, code.secret), 'invalid-or-expired');
        const link = await issue({ purpose: LINK, accountId: account });
        await expect(redeemLink(link.secret)).resolves.toBe('ok');
        await expectError(redeemLink(link.secret), 'invalid-or-expired');
        expect(await failureRows(account)).toBe(0);
      });

      it('when apply throws, everything rolls back: the secret stays unused and redeemable', async () => {
        const account = await newAccount();
        const issued = await issue({ purpose: SMS, accountId: account });
        const failing = vi.fn<ApplyRedeemed<never>>(async (trx, secret) => {
          await trx
            .insertInto('security_events')
            .values({ id: newId(), account_id: secret.accountId, type: 'test-rolled-back', ip: null, user_agent: null, details: null, created_at: clock.now() })
            .execute();
          throw new Error('apply failed');
        });
        await expect(service.redeemCode({ purpose: SMS, accountId: account, code: issued.secret }, failing)).rejects.toThrow('apply failed');
        expect((await row(issued.id)).used_at).toBeNull();
        expect(await database.db.selectFrom('security_events').select('id').where('type', '=', 'test-rolled-back').execute()).toHaveLength(0);
        await expect(redeemCode(account, issued.secret)).resolves.toBe('ok');
      });

      it('an unknown or malformed link token → invalid-or-expired', async () => {
        const account = await newAccount();
        const link = await issue({ purpose: LINK, accountId: account });
        const [id, secret] = link.secret.split('.') as [string, string];
        await expectError(redeemLink(`${'A'.repeat(16)}.${secret}`), 'invalid-or-expired');
        await expectError(redeemLink(''), 'invalid-or-expired');
        await expectError(redeemLink(secret), 'invalid-or-expired');
        await expectError(redeemLink(`${id}.${secret.slice(1)}`), 'invalid-or-expired');
        await expect(redeemLink(link.secret)).resolves.toBe('ok');
      });

      it('redeeming a link purpose by code is a programming error', async () => {
        const account = await newAccount();
        await expect(service.redeemCode({ purpose: LINK, accountId: account, code: '123456' }, applyReturning(1))).rejects.toThrow(TypeError);
      });
    });

    describe('case=expiry (docs/reference/security-requirements.md 3.5, 4.4)', () => {
      it('an SMS code (recovery-phone-confirmation) is accepted at 9m59s; a second submission fails', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        clock.advance(9 * MINUTE + 59 * SECOND);
        await expect(redeemCode(account, code.secret)).resolves.toBe('ok');
        await expectRefused(redeemCode(account, code.secret), 'invalid-or-expired');
      });

      it('a fresh SMS code fails at 10m01s, and the late attempt costs no try', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        clock.advance(10 * MINUTE + 1 * SECOND);
        await expectRefused(redeemCode(account, code.secret), 'invalid-or-expired');
        await expectRefused(redeemCode(account, wrongDigits(code.secret)), 'invalid-or-expired');
        expect((await row(code.id)).attempts_left).toBe(5);
        expect(await failureRows(account)).toBe(0);
      });

      it('an SMS code is dead at exactly 10m00s', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        clock.advance(10 * MINUTE);
        await expectRefused(redeemCode(account, code.secret), 'invalid-or-expired');
      });

      it('a link (login-email-verification) works until its 24 h TTL and not after (docs/reference/security-requirements.md 3.5)', async () => {
        // Two accounts: a new link of one purpose always retires the account's earlier one.
        const early = await issue({ purpose: LINK, accountId: await newAccount() });
        const late = await issue({ purpose: LINK, accountId: await newAccount() });
        clock.advance(24 * HOUR - SECOND);
        await expect(redeemLink(early.secret)).resolves.toBe('ok');
        clock.advance(SECOND);
        await expectError(redeemLink(late.secret), 'invalid-or-expired');
      });

      it('an email reset code lives 15 minutes', async () => {
        const account = await newAccount();
        const first = await issue({ purpose: EMAIL_CODE, accountId: account });
        clock.advance(15 * MINUTE - SECOND);
        await expect(redeemCode(account, first.secret, EMAIL_CODE)).resolves.toBe('ok');
        const second = await issue({ purpose: EMAIL_CODE, accountId: account });
        clock.advance(15 * MINUTE + SECOND);
        await expectRefused(redeemCode(account, second.secret, EMAIL_CODE), 'invalid-or-expired');
      });
    });

    describe('case=tries and the hourly failure count (docs/reference/security-requirements.md 4.5, 3.10)', () => {
      it('each wrong code answers 400 wrong-code with the tries left; after 5 the code is burnt: 410 code-expired (reason code-used-up), even for the right code', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        for (let left = 4; left >= 0; left--) {
          const error = await expectRefused(redeemCode(account, wrongDigits(code.secret, 5 - left)), 'code-incorrect');
          expect(error.params).toEqual({ triesLeft: left });
          expect(error.status).toBe(400);
        }
        const burnt = await expectRefused(redeemCode(account, wrongDigits(code.secret)), 'code-used-up');
        expect(burnt.status).toBe(410);
        await expectRefused(redeemCode(account, code.secret), 'code-used-up');
        expect((await row(code.id)).attempts_left).toBe(0);
        expect((await row(code.id)).used_at).toBeNull();
        expect(await service.failuresInLastHour(account, SMS)).toBe(5); // the refused tries were not counted
      });

      it('a new code does not restore the hourly count: 5 wrong, re-issue, 5 wrong → 10, and even a fresh right code is refused with retryAfterSeconds (docs/reference/security-requirements.md 4.5)', async () => {
        const account = await newAccount();
        const start = clock.now();
        const first = await issue({ purpose: SMS, accountId: account });
        for (let i = 1; i <= 5; i++) await expectRefused(redeemCode(account, wrongDigits(first.secret, i)), 'code-incorrect');
        expect(await service.failuresInLastHour(account, SMS)).toBe(5);

        clock.advance(MINUTE); // "send again"
        const second = await issue({ purpose: SMS, accountId: account });
        expect((await row(second.id)).attempts_left).toBe(5);
        for (let i = 1; i <= 5; i++) await expectRefused(redeemCode(account, wrongDigits(second.secret, i)), 'code-incorrect');
        expect(await service.failuresInLastHour(account, SMS)).toBe(10);
        expect(await failureRows(account)).toBe(10);

        const third = await issue({ purpose: SMS, accountId: account });
        const locked = await expectError(redeemCode(account, third.secret), 'too-many-attempts');
        expect(locked.status).toBe(429);
        const tenth = clock.now();
        expect(locked.retryAfterSeconds).toBe(HOUR / SECOND); // an hour from the 10th failure
        // The lock neither used the fresh code's tries nor counted more failures.
        expect((await row(third.id)).attempts_left).toBe(5);
        expect(await service.failuresInLastHour(account, SMS)).toBe(10);

        // An hour after the first five they leave the window, but the lock lasts an hour from the
        // 10th failure (docs/reference/product.md §3: "lock … for an hour"), not until the oldest failure ages out.
        clock.set(start + HOUR);
        expect(await service.failuresInLastHour(account, SMS)).toBe(5);
        expect(await service.lockedFor(account, SMS)).toBe((tenth + HOUR - clock.now()) / SECOND);
        await expectError(redeemCode(account, (await issue({ purpose: SMS, accountId: account })).secret), 'too-many-attempts');
        clock.set(tenth + HOUR);
        expect(await service.lockedFor(account, SMS)).toBeUndefined();
        const fourth = await issue({ purpose: SMS, accountId: account });
        const wrong = await expectRefused(redeemCode(account, wrongDigits(fourth.secret)), 'code-incorrect');
        expect(wrong.params).toEqual({ triesLeft: 4 });
        await expect(redeemCode(account, fourth.secret)).resolves.toBe('ok');
      });

      it('ten failures spread over 55 minutes lock for a whole hour from the 10th, not 5 minutes (docs/reference/security-requirements.md 4.5)', async () => {
        const account = await newAccount();
        for (let i = 0; i < 10; i++) {
          const code = await issue({ purpose: SMS, accountId: account });
          await expectRefused(redeemCode(account, wrongDigits(code.secret)), 'code-incorrect');
          if (i < 9) clock.advance(6 * MINUTE + 6 * SECOND); // 9 gaps ≈ 55 minutes
        }
        const tenth = clock.now();
        clock.advance(10 * MINUTE); // the first failure has left the hour: a sliding window would unlock here
        expect(await service.failuresInLastHour(account, SMS)).toBe(9);
        const fresh = await issue({ purpose: SMS, accountId: account });
        const locked = await expectError(redeemCode(account, fresh.secret), 'too-many-attempts');
        expect(locked.retryAfterSeconds).toBe((tenth + HOUR - clock.now()) / SECOND);
        clock.set(tenth + HOUR);
        const later = await issue({ purpose: SMS, accountId: account });
        await expect(redeemCode(account, later.secret)).resolves.toBe('ok');
      });

      it('the hourly count is kept per purpose: a locked SMS setup does not lock an email reset code', async () => {
        const account = await newAccount();
        for (let round = 0; round < 2; round++) {
          const code = await issue({ purpose: SMS, accountId: account });
          for (let i = 1; i <= 5; i++) await expectRefused(redeemCode(account, wrongDigits(code.secret, i)), 'code-incorrect');
        }
        const sms = await issue({ purpose: SMS, accountId: account });
        await expectError(redeemCode(account, sms.secret), 'too-many-attempts');
        const mail = await issue({ purpose: EMAIL_CODE, accountId: account });
        await expect(redeemCode(account, mail.secret, EMAIL_CODE)).resolves.toBe('ok');
      });

      it('wrong link secrets use up the link too', async () => {
        const account = await newAccount();
        const link = await issue({ purpose: LINK, accountId: account });
        const [id, secret] = link.secret.split('.') as [string, string];
        const forged = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
        for (let left = 4; left >= 0; left--) {
          expect((await expectError(redeemLink(forged), 'code-incorrect')).params).toEqual({ attemptsLeft: left });
        }
        await expectError(redeemLink(link.secret), 'code-used-up');
      });
    });

    describe('case=binding to account, purpose, flow and request (docs/reference/security-requirements.md 4.6, 3.10)', () => {
      it("a code issued for account A does not work for account B (with or without B's own code)", async () => {
        const a = await newAccount();
        const b = await newAccount();
        const codeA = await issue({ purpose: SMS, accountId: a });
        await expectRefused(redeemCode(b, codeA.secret), 'invalid-or-expired');
        let codeB = await issue({ purpose: SMS, accountId: b });
        while (codeB.secret === codeA.secret) codeB = await issue({ purpose: SMS, accountId: b });
        await expectRefused(redeemCode(b, codeA.secret), 'code-incorrect');
        expect((await row(codeB.id)).attempts_left).toBe(4);
        expect((await row(codeA.id)).attempts_left).toBe(5);
        await expect(redeemCode(a, codeA.secret)).resolves.toBe('ok');
      });

      it('a code issued for one purpose does not work for another (recovery phone vs reset vs action)', async () => {
        const account = await newAccount();
        const setup = await issue({ purpose: SMS, accountId: account });
        await expectRefused(redeemCode(account, setup.secret, 'password-reset-sms'), 'invalid-or-expired');
        let reset = await issue({ purpose: 'password-reset-sms', accountId: account });
        while (reset.secret === setup.secret) reset = await issue({ purpose: 'password-reset-sms', accountId: account });
        await expectRefused(redeemCode(account, setup.secret, 'password-reset-sms'), 'code-incorrect');
        await expectRefused(redeemCode(account, reset.secret, 'action-verification-sms'), 'invalid-or-expired');
        await expect(redeemCode(account, setup.secret, SMS)).resolves.toBe('ok');
        await expect(redeemCode(account, reset.secret, 'password-reset-sms')).resolves.toBe('ok');
      });

      it('a link issued for one purpose does not work for another', async () => {
        const account = await newAccount();
        const link = await issue({ purpose: 'recovery-email-confirmation', accountId: account });
        await expectError(redeemLink(link.secret, 'login-email-change'), 'invalid-or-expired');
        await expectError(redeemLink(link.secret, 'security-undo'), 'invalid-or-expired');
        await expect(redeemLink(link.secret, 'recovery-email-confirmation')).resolves.toBe('ok');
      });

      it('a code bound to a browser flow works only in that flow: not in another, not without one', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: EMAIL_CODE, accountId: account, flowId: 'flow-1' });
        await expectRefused(redeemCode(account, code.secret, EMAIL_CODE, 'flow-2'), 'invalid-or-expired');
        await expectRefused(redeemCode(account, code.secret, EMAIL_CODE), 'invalid-or-expired');
        expect((await row(code.id)).attempts_left).toBe(5);
        await expect(redeemCode(account, code.secret, EMAIL_CODE, 'flow-1')).resolves.toBe('ok');
      });

      it('a code issued without a flow is not found by a request that names a flow', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: EMAIL_CODE, accountId: account });
        await expectRefused(redeemCode(account, code.secret, EMAIL_CODE, 'flow-1'), 'invalid-or-expired');
        await expect(redeemCode(account, code.secret, EMAIL_CODE)).resolves.toBe('ok');
      });

      it('a new secret retires the previous one: the old link dies, the old code no longer matches', async () => {
        const account = await newAccount();
        const oldLink = await issue({ purpose: LINK, accountId: account });
        const newLink = await issue({ purpose: LINK, accountId: account });
        await expectError(redeemLink(oldLink.secret), 'invalid-or-expired');
        expect((await row(oldLink.id)).used_at).toBe(clock.now());
        await expect(redeemLink(newLink.secret)).resolves.toBe('ok');

        const oldCode = await issue({ purpose: SMS, accountId: account });
        let newCode = await issue({ purpose: SMS, accountId: account });
        while (newCode.secret === oldCode.secret) newCode = await issue({ purpose: SMS, accountId: account });
        await expectRefused(redeemCode(account, oldCode.secret), 'code-incorrect');
        await expect(redeemCode(account, newCode.secret)).resolves.toBe('ok');
      });

      it('replaces retires the listed purposes: a new reset code kills the reset link sent before', async () => {
        const account = await newAccount();
        const link = await issue({ purpose: 'password-reset-email-link', accountId: account });
        const code = await issue({ purpose: EMAIL_CODE, accountId: account, replaces: ['password-reset-email-link', EMAIL_CODE] });
        await expectError(redeemLink(link.secret, 'password-reset-email-link'), 'invalid-or-expired');
        await expect(redeemCode(account, code.secret, EMAIL_CODE)).resolves.toBe('ok');
      });

      it("issuing for account B does not retire account A's secret", async () => {
        const a = await newAccount();
        const b = await newAccount();
        const linkA = await issue({ purpose: LINK, accountId: a });
        await issue({ purpose: LINK, accountId: b });
        await expect(redeemLink(linkA.secret)).resolves.toBe('ok');
      });

      it('invalidate() kills every live secret of the given purposes, and only those (docs/reference/security-requirements.md 3.13)', async () => {
        const account = await newAccount();
        const link = await issue({ purpose: 'password-reset-email-link', accountId: account, replaces: [] });
        const code = await issue({ purpose: 'password-reset-sms', accountId: account, replaces: [] });
        const other = await issue({ purpose: 'recovery-email-confirmation', accountId: account, replaces: [] });
        const killed = await inTransaction(database, (trx) => service.invalidate(trx, account, ['password-reset-email-link', 'password-reset-sms']));
        expect(killed).toBe(2);
        await expectError(redeemLink(link.secret, 'password-reset-email-link'), 'invalid-or-expired');
        await expectRefused(redeemCode(account, code.secret, 'password-reset-sms'), 'invalid-or-expired');
        await expect(redeemLink(other.secret, 'recovery-email-confirmation')).resolves.toBe('ok');
        expect(await service.invalidate(database.db, account, ['password-reset-sms'])).toBe(0);
      });
    });

    describe('case=key rotation (docs/reference/contracts.md "Keys")', () => {
      it('a secret hashed under the previous key still verifies after rotation; new secrets use the new key', async () => {
        const account = await newAccount();
        const oldCode = await issue({ purpose: SMS, accountId: account });
        const oldLink = await issue({ purpose: LINK, accountId: account });
        const rotated = serviceWith(createKeyRing(KEY_NEW, [KEY_OLD]));
        await expect(redeemCode(account, oldCode.secret, SMS, undefined, rotated)).resolves.toBe('ok');
        await expect(redeemLink(oldLink.secret, LINK, rotated)).resolves.toBe('ok');

        const fresh = await rotated.issue(database.db, { purpose: SMS, accountId: account });
        const stored = await row(fresh.id);
        expect(stored.key_id).toBe(KEY_NEW.id);
        expect(stored.secret_hash).toBe(hmacSha256(KEY_NEW.key, SMS, account, fresh.secret));
        await expect(redeemCode(account, fresh.secret, SMS, undefined, rotated)).resolves.toBe('ok');
      });

      it('once the old key is retired entirely, its secrets are invalid (invalid-or-expired, no try used, no failure counted)', async () => {
        const account = await newAccount();
        const oldCode = await issue({ purpose: SMS, accountId: account });
        const oldLink = await issue({ purpose: LINK, accountId: account });
        const retired = serviceWith(createKeyRing(KEY_NEW));
        await expectRefused(redeemCode(account, oldCode.secret, SMS, undefined, retired), 'invalid-or-expired');
        await expectError(redeemLink(oldLink.secret, LINK, retired), 'invalid-or-expired');
        expect((await row(oldCode.id)).attempts_left).toBe(5);
        expect((await row(oldLink.id)).attempts_left).toBe(5);
        expect(await failureRows(account)).toBe(0);
        // A server that still has the key can redeem it: nothing was spent.
        await expect(redeemCode(account, oldCode.secret)).resolves.toBe('ok');
      });
    });

    describe('case=what a person types', () => {
      it.each(['12345', '1234567', '12a456', 'abcdef', '', '１２３４５６'])(
        'a malformed SMS code %j → validation-failed, without using a try',
        async (typed) => {
          const account = await newAccount();
          const code = await issue({ purpose: SMS, accountId: account });
          const error = await expectError(redeemCode(account, typed), 'validation-failed');
          expect(error.params).toEqual({ field: 'code' });
          expect((await row(code.id)).attempts_left).toBe(5);
          expect(await failureRows(account)).toBe(0);
          await expect(redeemCode(account, code.secret)).resolves.toBe('ok');
        },
      );

      it.each(['ABCDEFG', 'ABCDEFGHJ', 'ABCDEFGU', 'ABC!EFGH'])('a malformed email code %j → validation-failed, without using a try', async (typed) => {
        const account = await newAccount();
        const code = await issue({ purpose: EMAIL_CODE, accountId: account });
        await expectError(redeemCode(account, typed, EMAIL_CODE), 'validation-failed');
        expect((await row(code.id)).attempts_left).toBe(5);
        expect(await failureRows(account)).toBe(0);
      });

      it('an SMS code typed with spaces or a dash is accepted', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        await expect(redeemCode(account, ` ${code.secret.slice(0, 3)} - ${code.secret.slice(3)} `)).resolves.toBe('ok');
      });

      it('a Crockford code is accepted in lower case, with spaces and dashes, and with O/I/L for 0/1', async () => {
        const account = await newAccount();
        // Issue until the code holds a 0 or 1, so that the look-alikes are really exercised.
        let code = await issue({ purpose: EMAIL_CODE, accountId: account });
        for (let i = 0; i < 200 && !/[01]/.test(code.secret); i++) code = await issue({ purpose: EMAIL_CODE, accountId: account });
        expect(code.secret).toMatch(/[01]/);
        let ones = 0;
        const lookAlike = code.secret
          .toLowerCase()
          .replace(/0/g, 'o')
          .replace(/1/g, () => (ones++ % 2 === 0 ? 'l' : 'I'));
        const typed = ` ${lookAlike.slice(0, 4)}-${lookAlike.slice(4, 6)} ${lookAlike.slice(6)} `;
        await expect(redeemCode(account, typed, EMAIL_CODE)).resolves.toBe('ok');
      });
    });

    describe('case=constant-time comparison', () => {
      const spy = vi.mocked(constantTimeEqual);

      it('the service compares the stored hash through constantTimeEqual, for wrong and right codes', async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        const stored = (await row(code.id)).secret_hash;
        const wrong = wrongDigits(code.secret);
        spy.mockClear();
        await expectRefused(redeemCode(account, wrong), 'code-incorrect');
        expect(spy).toHaveBeenCalledTimes(1);
        expect(spy).toHaveBeenLastCalledWith(hmacSha256(KEY_OLD.key, SMS, account, wrong), stored);
        expect(spy.mock.results[0]).toEqual({ type: 'return', value: false });
        await expect(redeemCode(account, code.secret)).resolves.toBe('ok');
        expect(spy).toHaveBeenCalledTimes(2);
        expect(spy).toHaveBeenLastCalledWith(stored, stored);
      });

      it("constantTimeEqual's answer is what decides: told false, the right code counts as wrong", async () => {
        const account = await newAccount();
        const code = await issue({ purpose: SMS, accountId: account });
        spy.mockReturnValueOnce(false);
        await expectRefused(redeemCode(account, code.secret), 'code-incorrect');
        expect((await row(code.id)).attempts_left).toBe(4);
        await expect(redeemCode(account, code.secret)).resolves.toBe('ok');
      });
    });

    describe('case=housekeeping', () => {
      it('prune drops secrets and failures older than a day, and keeps the live ones', async () => {
        const account = await newAccount();
        const old = await issue({ purpose: SMS, accountId: account });
        await expectRefused(redeemCode(account, wrongDigits(old.secret)), 'code-incorrect');
        clock.advance(25 * HOUR);
        const live = await issue({ purpose: LINK, accountId: account });
        expect(await service.prune()).toBeGreaterThanOrEqual(2);
        expect(await database.db.selectFrom('verification_secrets').select('id').where('id', '=', old.id).executeTakeFirst()).toBeUndefined();
        expect(await failureRows(account)).toBe(0);
        await expect(redeemLink(live.secret)).resolves.toBe('ok');
      });
    });
  });
}
