import type { Clock } from '../core/clock.js';
import { HOUR } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import { constantTimeEqual, hmacSha256 } from '../core/hashing.js';
import type { KeyRing } from '../core/keyring.js';
import { randomToken } from '../core/random.js';
import type { Database, Executor } from '../db/database.js';
import type { VerificationSecretRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import { purposePolicies, type SecretKind, type SecretPurpose } from './purposes.js';
import { generateSecret, joinLinkToken, normaliseCode, splitLinkToken } from './secret-format.js';
import type { OneTimeSecretRepository } from './one-time-secret-repository.js';
import { CodeRejected, type CodeRefusal } from './secret-refusals.js';
import type { GuessInput, IssueSecretInput, IssuedSecret, RedeemedSecret } from './secret-types.js';

export type { ApplyRedeemed, GuessInput, IssueSecretInput, IssuedSecret, RedeemCodeInput, RedeemedSecret, RedeemLinkInput } from './secret-types.js';
import type { ApplyRedeemed, RedeemCodeInput, RedeemLinkInput } from './secret-types.js';

export interface OneTimeSecretServiceDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly config: { readonly verification: { readonly maxAttempts: number; readonly maxFailuresPerHour: number } };
  /** The secrets' SQL; made with `lockRows` on PostgreSQL (`createOneTimeSecretRepository({ lockRows: … })`). */
  readonly repository: OneTimeSecretRepository;
}

/** The error a refused secret answers: a link in the secret service's codes, a code in the API's (secret-refusals.ts). */
type Refuse = (reason: CodeRefusal, attemptsLeft?: number) => LifelineError;

const refuseLink: Refuse = (reason, attemptsLeft) => new LifelineError(reason, attemptsLeft === undefined ? {} : { attemptsLeft });
const refuseCode: Refuse = (reason, attemptsLeft) => new CodeRejected(reason, attemptsLeft);

type Outcome<T> = { readonly kind: 'won'; readonly value: T } | { readonly kind: 'failed'; readonly error: LifelineError };

const FAILURE_WINDOW_MS = HOUR;

/**
 * The key hourly failures are counted under: the purpose, or the purpose and a scope (e.g. a
 * hash of the guessing client) when the lock must not reach further than that scope.
 */
export function failureKey(purpose: string, scope: string | undefined): string {
  return scope === undefined ? purpose : `${purpose}#${scope}`;
}
/** Failure rows are kept a day for the security log's sake, then pruned. */
export const SECRET_RETENTION_MS = 24 * HOUR;

/**
 * One-time secrets for every purpose (docs/reference/contracts.md "One mechanism for one-time secrets").
 *
 * - A secret is random (CSPRNG), stored only as HMAC-SHA-256(key, purpose | account |
 *   secret) with the id of the key, expires, allows `maxAttempts` wrong guesses, and is
 *   single-use.
 * - Redemption and each wrong guess are single conditional UPDATEs, so parallel requests
 *   can never both win and can never use more tries than there are.
 * - Wrong guesses are also counted per (account, purpose) over an hour; issuing a new secret
 *   never restores that count (docs/reference/security-requirements.md 4.5).
 * - A wrong guess is committed in its own transaction before the error is thrown: if it
 *   were part of the caller's transaction, the error would roll the count back.
 */
export interface OneTimeSecretService {
  /**
   * Creates a secret in the caller's transaction (so it exists exactly when the message
   * that carries it is enqueued) and returns it in plain text, once.
   */
  issue(trx: Executor, input: IssueSecretInput): Promise<IssuedSecret>;

  /**
   * Redeems a link token (`id.secret`); the token alone is the proof, so no account is
   * needed. `apply` runs in the transaction that marks the secret used. A refused link answers
   * `invalid-or-expired`, `code-incorrect` (`attemptsLeft`) or `code-used-up` (429), or
   * `too-many-attempts`; its flows map them (asDeadLink).
   */
  redeemLink<T>(input: RedeemLinkInput, apply: ApplyRedeemed<T>): Promise<T>;

  /**
   * Reads a live link without using it (a page that shows what its button would do). The
   * token must match in full; a wrong one costs no try: a 256-bit secret cannot be guessed,
   * and a read changes nothing.
   */
  peekLink(input: RedeemLinkInput): Promise<RedeemedSecret | undefined>;

  /**
   * Reads a link that was used or retired already, if the token matches it in full: a page can
   * then say what became of it ("already confirmed", "already cancelled") instead of "expired".
   * Only whoever holds the whole link learns that; a wrong token reads as no link.
   */
  usedLink(input: RedeemLinkInput): Promise<RedeemedSecret | undefined>;

  /**
   * Redeems a code typed by the user for this account (and browser flow), answering in the
   * API's words (secret-refusals.ts): a wrong code 400 `wrong-code` with `triesLeft`; a burnt,
   * used, replaced or expired one 410 `code-expired` (the cause kept as the error's `reason`);
   * while the hourly failures are used up, every guess `too-many-attempts` (429, Retry-After).
   */
  redeemCode<T>(input: RedeemCodeInput, apply: ApplyRedeemed<T>): Promise<T>;

  /**
   * Takes a guess at a code's flow with another proof than the code (a recovery code typed into
   * a forgot-password flow, docs/architecture.md "Recovery codes"), under the code's own tries
   * and hourly lock: the guess is admitted exactly as `redeemCode` admits one (the code alive, the
   * scope not locked, tries left); then `prove` runs in the transaction. When it answers a proof
   * (having used it up there), the code is used too and `apply` runs, in the same transaction;
   * when it answers undefined (it must then have written nothing), the guess is a wrong code: a
   * try is taken and the failure counted, committed, and 400 `wrong-code` is thrown. The refusals
   * are `redeemCode`'s.
   */
  redeemCodeByProof<P, T>(
    input: GuessInput,
    prove: (trx: Executor, secret: RedeemedSecret) => Promise<P | undefined>,
    apply: (trx: Executor, secret: RedeemedSecret, proof: P) => Promise<T>,
  ): Promise<T>;

  /** The live secrets of a purpose for the account, with their data (e.g. the undo links issued so far). */
  live(trx: Executor, accountId: string, purpose: SecretPurpose): Promise<RedeemedSecret[]>;

  /** Kills these secrets by id (e.g. the undo links of later events); answers how many were still live. */
  retire(trx: Executor, ids: readonly string[]): Promise<number>;

  /** Kills every live secret of these purposes bound to one browser flow (a flow replaced by its browser's next request). */
  retireFlow(trx: Executor, flowId: string, purposes: readonly SecretPurpose[]): Promise<number>;

  /** Kills every live secret of these purposes for the account (e.g. after a reset). */
  invalidate(trx: Executor, accountId: string, purposes: readonly SecretPurpose[]): Promise<number>;

  /**
   * Seconds until the hourly failure budget of this account and purpose allows guesses
   * again, or undefined when it is not spent. Flows that send codes ask this first: while
   * guessing is locked, sending a new code would only cost money (e.g. an SMS). Inside a
   * transaction pass it as `db`: on SQLite a read through the database would wait for it.
   */
  lockedFor(accountId: string, purpose: SecretPurpose, db?: Executor, failureScope?: string): Promise<number | undefined>;

  /**
   * When a secret of this purpose last went to this target (an address or number), by any
   * account, or undefined: cooldowns per recipient read it, so they follow the injected clock
   * and hold across instances and restarts.
   */
  lastIssuedTo(trx: Executor, purpose: SecretPurpose, target: string): Promise<number | undefined>;

  /**
   * Computes a keyed hash as `issue` and `redeemCode` do, and throws it away: flows that must
   * take the same time whether or not a secret exists (forgot password) do this work instead.
   */
  hashLikeASecret(purpose: SecretPurpose, value: string): void;

  /** Wrong guesses of this account and purpose (and scope) within the last hour. */
  failuresInLastHour(accountId: string, purpose: SecretPurpose, failureScope?: string): Promise<number>;

  /** Housekeeping, run by the worker: drops secrets and failures older than a day; answers how many rows went. */
  prune(): Promise<number>;
}

/** Builds the one-time secret service (see {@link OneTimeSecretService}). */
export function createOneTimeSecretService(deps: OneTimeSecretServiceDeps): OneTimeSecretService {
  const { database, clock, keys, repository } = deps;
  const { maxAttempts, maxFailuresPerHour } = deps.config.verification;

  function hashFor(keyId: string, purpose: string, accountId: string, secret: string): string | undefined {
    const key = keys.byId(keyId);
    return key === undefined ? undefined : hmacSha256(key, purpose, accountId, secret);
  }

  function toRedeemed(row: VerificationSecretRow): RedeemedSecret {
    return {
      id: row.id,
      purpose: row.purpose as SecretPurpose,
      accountId: row.account_id,
      target: row.target,
      flowId: row.flow_id,
      data: row.data ? (JSON.parse(row.data) as Record<string, unknown>) : {},
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /**
   * When the lock of this account and purpose ends, or undefined when there is none:
   * `maxFailuresPerHour` wrong guesses within an hour lock for an hour from the last of them
   * (not merely until the first ages out of a sliding window: ten failures spread over 55
   * minutes must not lock for only five). While locked no guess is checked, so no failure is
   * recorded and the lock cannot be extended by guessing on.
   */
  async function lockedUntil(trx: Executor, accountId: string, purpose: string, now: number): Promise<number | undefined> {
    const times = await repository.failureTimes(trx, accountId, purpose, now - 2 * FAILURE_WINDOW_MS);
    let until: number | undefined;
    for (let last = maxFailuresPerHour - 1; last < times.length; last++) {
      const first = times[last - maxFailuresPerHour + 1] ?? 0;
      const end = (times[last] ?? 0) + FAILURE_WINDOW_MS;
      if ((times[last] ?? 0) - first < FAILURE_WINDOW_MS && end > now) until = Math.max(until ?? 0, end);
    }
    return until;
  }

  /** Refuses every guess, right or wrong, while the account and purpose are locked. */
  async function assertNotLocked(trx: Executor, accountId: string, purpose: string, now: number): Promise<void> {
    const until = await lockedUntil(trx, accountId, purpose, now);
    if (until !== undefined) throw new LifelineError('too-many-attempts', {}, { retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) });
  }

  /**
   * The shared core of every redemption: the row is found and its guess admitted (alive, not
   * locked, tries left); then `prove` decides — the secret compared in constant time, or another
   * proof (redeemCodeByProof) — and either the row is marked used and `apply` runs in the same
   * transaction, or one try is taken and counted in a transaction of its own. `refuse` words
   * the refusal for the form (a link's codes, or a code's API answers).
   */
  async function redeem<P, T>(
    find: (trx: Executor, now: number) => Promise<VerificationSecretRow | undefined>,
    prove: (trx: Executor, row: VerificationSecretRow) => Promise<P | undefined>,
    apply: (trx: Executor, secret: RedeemedSecret, proof: P) => Promise<T>,
    refuse: Refuse,
    failureScope?: string,
  ): Promise<T> {
    const outcome = await inTransaction<Outcome<T>>(database, async (trx) => {
      const now = clock.now();
      const row = await find(trx, now);
      if (!row || row.used_at !== null || row.expires_at <= now) {
        return { kind: 'failed', error: refuse('invalid-or-expired') };
      }
      // Hashed under a key that has since been retired: no guess can ever match, so the secret
      // is as dead as an expired one. Not a wrong guess: it must cost neither a try nor a failure.
      if (keys.byId(row.key_id) === undefined) return { kind: 'failed', error: refuse('invalid-or-expired') };
      await assertNotLocked(trx, row.account_id, failureKey(row.purpose, failureScope), now);
      if (row.attempts_left <= 0) {
        // Burnt: waiting does not help, a new code does; so no Retry-After.
        return { kind: 'failed', error: refuse('code-used-up') };
      }
      const proof = await prove(trx, row);
      if (proof !== undefined) {
        const won = await repository.markUsed(trx, row.id, now);
        // Thrown, not answered: what `prove` wrote (a recovery code used up) must roll back with it.
        if (!won) throw refuse('invalid-or-expired');
        return { kind: 'won', value: await apply(trx, toRedeemed(won), proof) };
      }
      const attemptsLeft = await repository.takeAttempt(trx, row.id, now);
      // Another request took the last try (or used the secret) between our read and write.
      if (attemptsLeft === undefined) return { kind: 'failed', error: refuse('code-used-up') };
      await repository.recordFailure(trx, row.account_id, failureKey(row.purpose, failureScope), now);
      return { kind: 'failed', error: refuse('code-incorrect', attemptsLeft) };
    });
    if (outcome.kind === 'failed') throw outcome.error;
    return outcome.value;
  }

  /** The proof of a typed secret: its keyed hash equals the stored one (compared in constant time). */
  const bySecret = (secret: string) => async (_trx: Executor, row: VerificationSecretRow) => {
    const expected = hashFor(row.key_id, row.purpose, row.account_id, secret);
    return expected !== undefined && constantTimeEqual(expected, row.secret_hash) ? true : undefined;
  };

  /** The kind of a code purpose; a link purpose redeemed as a code is a programming error. */
  function codeKind(purpose: SecretPurpose): Exclude<SecretKind, 'link'> {
    const { kind } = purposePolicies[purpose];
    if (kind === 'link') throw new TypeError(`${purpose} is redeemed by link, not by code`);
    return kind;
  }

  /** The newest live code of the account, purpose and flow, after what the caller locks first. */
  const findCode = (input: GuessInput) => async (trx: Executor, now: number) => {
    await input.lockFirst?.(trx);
    return repository.findNewestUnused(trx, { accountId: input.accountId, purpose: input.purpose, flowId: input.flowId, now });
  };

  return {
    async issue(trx, input) {
      const policy = purposePolicies[input.purpose];
      const now = clock.now();
      const ttlMs = Math.min(input.ttlMs ?? policy.ttlMs, policy.ttlMs);
      const replaces = new Set<SecretPurpose>([...(input.coexist ? [] : [input.purpose]), ...(input.replaces ?? [])]);
      if (replaces.size > 0) {
        // Two issues at once (a double-clicked "send again") must not both survive: on PostgreSQL
        // the account row is locked first, so they retire and insert one after the other. A
        // secret that replaces nothing (an undo link) needs no lock, and takes none: it is issued
        // inside flows that already hold other rows (a confirmation's secret), where taking the
        // account's lock late would invert the lock order.
        await repository.lockAccount(trx, input.accountId);
        await repository.retireLive(trx, input.accountId, [...replaces], now);
      }
      const id = randomToken(12);
      const secret = generateSecret(policy.kind);
      const key = keys.current;
      await repository.insert(trx, {
        id,
        purpose: input.purpose,
        account_id: input.accountId,
        target: input.target ?? null,
        flow_id: input.flowId ?? null,
        secret_hash: hmacSha256(key.key, input.purpose, input.accountId, secret),
        key_id: key.id,
        data: input.data ? JSON.stringify(input.data) : null,
        attempts_left: maxAttempts,
        created_at: now,
        expires_at: now + ttlMs,
        used_at: null,
      });
      return { id, secret: policy.kind === 'link' ? joinLinkToken(id, secret) : secret, expiresAt: now + ttlMs };
    },

    async redeemLink(input, apply) {
      const parts = splitLinkToken(input.token);
      if (!parts) throw new LifelineError('invalid-or-expired');
      return redeem(
        async (trx) => {
          if (input.lockAccountFirst || input.lockFirst) {
            const owner = await repository.ownerOf(trx, parts.id, input.purpose);
            if (owner !== undefined && input.lockAccountFirst) await repository.lockAccount(trx, owner.accountId);
            if (owner !== undefined && input.lockFirst) await input.lockFirst(trx, owner);
          }
          return repository.findById(trx, parts.id, input.purpose);
        },
        bySecret(parts.secret),
        apply,
        refuseLink,
      );
    },

    async peekLink(input) {
      const parts = splitLinkToken(input.token);
      if (!parts) return undefined;
      const now = clock.now();
      const row = await repository.findById(database.db, parts.id, input.purpose);
      if (!row || row.used_at !== null || row.expires_at <= now) return undefined;
      const expected = hashFor(row.key_id, row.purpose, row.account_id, parts.secret);
      return expected !== undefined && constantTimeEqual(expected, row.secret_hash) ? toRedeemed(row) : undefined;
    },

    async usedLink(input) {
      const parts = splitLinkToken(input.token);
      if (!parts) return undefined;
      const row = await repository.findById(database.db, parts.id, input.purpose);
      if (!row || row.used_at === null) return undefined;
      const expected = hashFor(row.key_id, row.purpose, row.account_id, parts.secret);
      return expected !== undefined && constantTimeEqual(expected, row.secret_hash) ? toRedeemed(row) : undefined;
    },

    async redeemCode(input, apply) {
      const code = normaliseCode(codeKind(input.purpose), input.code);
      if (code === undefined) throw new LifelineError('validation-failed', { field: 'code' });
      return redeem(findCode(input), bySecret(code), apply, refuseCode, input.failureScope);
    },

    async redeemCodeByProof(input, prove, apply) {
      codeKind(input.purpose);
      return redeem(findCode(input), (trx, row) => prove(trx, toRedeemed(row)), apply, refuseCode, input.failureScope);
    },

    async live(trx, accountId, purpose) {
      const rows = await repository.liveOf(trx, accountId, purpose, clock.now());
      return rows.map(toRedeemed);
    },

    async retire(trx, ids) {
      return ids.length > 0 ? repository.retireIds(trx, ids, clock.now()) : 0;
    },

    async retireFlow(trx, flowId, purposes) {
      return repository.retireFlow(trx, flowId, purposes, clock.now());
    },

    async invalidate(trx, accountId, purposes) {
      return repository.retireLive(trx, accountId, purposes, clock.now());
    },

    async lockedFor(accountId, purpose, db = database.db, failureScope) {
      const now = clock.now();
      const until = await lockedUntil(db, accountId, failureKey(purpose, failureScope), now);
      return until === undefined ? undefined : Math.max(1, Math.ceil((until - now) / 1000));
    },

    async lastIssuedTo(trx, purpose, target) {
      return repository.newestIssuedFor(trx, purpose, target);
    },

    hashLikeASecret(purpose, value) {
      hmacSha256(keys.current.key, purpose, 'no-account', value);
    },

    async failuresInLastHour(accountId, purpose, failureScope) {
      const { count } = await repository.failuresSince(database.db, accountId, failureKey(purpose, failureScope), clock.now() - FAILURE_WINDOW_MS);
      return count;
    },

    async prune() {
      return inTransaction(database, (trx) => repository.prune(trx, clock.now() - SECRET_RETENTION_MS));
    },
  };
}

// Links' refusals are mapped where a flow answers them (asDeadLink); its importers find it here.
export { asDeadLink } from './secret-refusals.js';
