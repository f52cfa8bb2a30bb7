import type { Logger } from 'pino';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { Clock } from '../../core/clock.js';
import { LifelineError } from '../../core/errors.js';
import { hmacSha256 } from '../../core/hashing.js';
import type { KeyRing } from '../../core/keyring.js';
import { newId } from '../../core/random.js';
import type { Database, Executor } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import type { RateLimits } from '../../security/rate-limits.js';
import type { DeviceRegistry } from '../../sessions/device-registry.js';
import type { AuthenticatedSession, ClientInfo } from '../../sessions/session-service.js';
import { isSettledAt, settledAtFor, wasSettledBefore } from '../channel-trust.js';
import { formatRecoveryCode, newRecoveryCodes } from './recovery-code-format.js';
import { createRecoveryCodeNotices, type RecoveryCodeNoticeDeps } from './recovery-code-notices.js';
import type { RecoveryCodeRepository } from './recovery-code-repository.js';

/** The part of the hash that keeps a recovery code's hash apart from every other secret's. */
const HASH_PURPOSE = 'recovery-code';

/** GET /api/v1/recovery's `codes`: none, or the current set with how many codes are left (times in epoch ms). */
export type RecoveryCodesView =
  { readonly status: 'none' } | { readonly status: 'active'; readonly remaining: number; readonly createdAt: number; readonly usableFrom?: number };

/** A code just used: its account, its set (the flow it verified names it) and how many of the set are left. */
export interface UsedRecoveryCode {
  readonly accountId: string;
  readonly setId: string;
  readonly remaining: number;
}

export interface RecoveryCodeServiceDeps extends RecoveryCodeNoticeDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly keys: KeyRing;
  /** Reads and locks the account row (PostgreSQL lock order: the account first). */
  readonly accounts: Pick<AccountRepository, 'findById' | 'findByIdForUpdate'>;
  readonly repository: RecoveryCodeRepository;
  /** How the account knows the session's device: a set made from the owner's first device counts at once. */
  readonly devices: Pick<DeviceRegistry, 'standing'>;
  readonly rateLimits: Pick<RateLimits, 'enforce'>;
  readonly logger: Logger;
  readonly config: { readonly hold: { readonly newDeviceMs: number } };
}

/**
 * Recovery codes (docs/architecture.md "Recovery codes", docs/security.md "Recovery codes"): ten
 * single-use codes the owner keeps on paper, to reset the password through "Passwort vergessen?"
 * with the login email when no channel is reachable.
 *
 * - A set is made in the profile (session, CSRF, the privileged window or the password) and
 *   shown once; a new set replaces the old one at once. Codes are stored only as keyed hashes
 *   (HMAC under the key ring, bound to the account and the set).
 * - A set counts as the owner's ("settled", recovery/channel-trust.ts) at once when made from the
 *   account's first device, else 7 days later: only a settled set resets the password, so an
 *   intruder who knows the password makes no way back in that the owner's next reset or
 *   "Das war ich nicht" would not end first.
 * - Making a set and using a code are told to every channel: the login and recovery email (with
 *   "Das war ich nicht", which ends the set) and the recovery phone by SMS without a link.
 */
export interface RecoveryCodeService {
  /**
   * POST /api/v1/recovery/codes (after the route's privilege check): a new set of ten codes
   * replaces the account's set, every channel is told; answers the codes (three groups of four, e.g. 7K3M-Q9WD-2HXA), the
   * only time they are shown. 429 `rate-limited` after 5 sets an hour (each one mails and texts).
   */
  create(auth: AuthenticatedSession, client: ClientInfo): Promise<{ codes: string[] }>;

  /** The profile's view: no set, or the set with its codes left, when it was made and, while not settled, from when it counts. */
  view(accountId: string): Promise<RecoveryCodesView>;

  /**
   * Uses one code (canonical form) of the account's current, settled set, in the caller's
   * transaction (after the account's lock), and tells every channel how many are left. Answers
   * undefined, having written nothing, for a wrong, used or another account's code, or a set not
   * settled yet: the caller answers that as a wrong code.
   */
  use(trx: Executor, input: { readonly accountId: string; readonly code: string; readonly client: ClientInfo }): Promise<UsedRecoveryCode | undefined>;

  /** The hashing `use` does, for a guess that can match nothing (a flow of no account, or of a recovery channel): the same work either way. */
  hashLikeACode(code: string): void;

  /** Whether `setId` is still the account's current set and settled: only then may a flow its code verified set a password. */
  isUsable(db: Executor, accountId: string, setId: string): Promise<boolean>;

  /**
   * The owner regains control (a reset, "Das war ich nicht"; docs/security.md "The owner wins"):
   * the account's set ends if it was not settled before `since` (an intruder who knew the
   * password may have made it) or if it is `named` (an undone event made or used it: whoever did
   * has the codes). Answers whether a set ended.
   */
  endUnsettled(trx: Executor, accountId: string, since: number, named?: string): Promise<boolean>;
}

/** Builds the recovery code service (see {@link RecoveryCodeService}). */
export function createRecoveryCodeService(deps: RecoveryCodeServiceDeps): RecoveryCodeService {
  const { database, clock, keys, repository } = deps;
  const notices = createRecoveryCodeNotices(deps);
  /** One hash per key of the ring (a code made before a key rotation still matches). */
  const hashesOf = (accountId: string, setId: string, code: string) => keys.all().map((key) => hmacSha256(key.key, HASH_PURPOSE, accountId, setId, code));

  return {
    async create(auth, client) {
      const accountId = auth.account.id;
      await deps.rateLimits.enforce('recovery-codes-account', accountId);
      const codes = newRecoveryCodes();
      await inTransaction(database, async (trx) => {
        const now = clock.now();
        const account = await deps.accounts.findByIdForUpdate(trx, accountId, database.dialect === 'postgres');
        if (!account) throw new LifelineError('authentication-required');
        const standing = await deps.devices.standing(trx, { accountId, deviceId: auth.session.device_id, now, newDeviceMs: deps.config.hold.newDeviceMs });
        const set = { id: newId(), account_id: accountId, created_at: now, settled_at: settledAtFor(now, standing) };
        const replaced = await repository.deleteSet(trx, accountId);
        const key = keys.current;
        const stored = codes.map((code) => ({ id: newId(), code_hash: hmacSha256(key.key, HASH_PURPOSE, accountId, set.id, code), key_id: key.id }));
        await repository.insertSet(trx, set, stored);
        await notices.created(trx, { account, setId: set.id, replaced, client, now });
        deps.logger.info({ event: 'recovery_codes.created', accountId, replaced, settled: isSettledAt(set, now) }, 'recovery codes created');
      });
      return { codes: codes.map(formatRecoveryCode) };
    },

    async view(accountId) {
      const set = await repository.currentSet(database.db, accountId);
      if (!set) return { status: 'none' };
      const remaining = await repository.remaining(database.db, set.id);
      return { status: 'active', remaining, createdAt: set.created_at, ...(isSettledAt(set, clock.now()) ? {} : { usableFrom: set.settled_at }) };
    },

    async use(trx, input) {
      const now = clock.now();
      const set = await repository.currentSet(trx, input.accountId);
      // The hashes are computed whether or not there is a set to match (the same work either way).
      const hashes = hashesOf(input.accountId, set?.id ?? 'no-set', input.code);
      if (!set || !isSettledAt(set, now)) return undefined;
      if (!(await repository.useCode(trx, set.id, hashes, now))) return undefined;
      const remaining = await repository.remaining(trx, set.id);
      const account = await deps.accounts.findById(trx, input.accountId);
      if (account) await notices.used(trx, { account, setId: set.id, remaining, client: input.client, now });
      deps.logger.info({ event: 'recovery_code.used', accountId: input.accountId, remaining }, 'recovery code used');
      return { accountId: input.accountId, setId: set.id, remaining };
    },

    hashLikeACode(code) {
      hashesOf('no-account', 'no-set', code);
    },

    async isUsable(db, accountId, setId) {
      const set = await repository.currentSet(db, accountId);
      return set?.id === setId && isSettledAt(set, clock.now());
    },

    async endUnsettled(trx, accountId, since, named) {
      const set = await repository.currentSet(trx, accountId);
      if (!set || (wasSettledBefore(set.settled_at, since) && set.id !== named)) return false;
      const ended = await repository.deleteSet(trx, accountId, set.id);
      if (ended) deps.logger.info({ event: 'recovery_codes.ended', accountId, named: set.id === named }, 'recovery codes ended');
      return ended;
    },
  };
}
