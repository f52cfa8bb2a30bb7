import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { HOUR, MINUTE } from '../core/clock.js';
import type { KeyRing } from '../core/keyring.js';
import { randomToken } from '../core/random.js';
import { seal, unseal } from '../core/sealing.js';
import type { Database } from '../db/database.js';
import type { SigningKeyRepository } from './signing-key-repository.js';

/** A private signing key as oidc-provider and jose take it. */
export interface SigningJwk extends JsonWebKey {
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
}

export interface SigningKeyInfo {
  readonly generation: number;
  readonly kid: string;
  readonly alg: string;
  readonly createdAt: number;
  readonly retiredAt: number | null;
  /** Whether this key signs now (the others are published for tokens they signed earlier). */
  readonly signing: boolean;
}

/** The published keys an instance can read, the signing one first; the unreadable ones' kids; and a fingerprint that changes with the set. */
export interface LoadedSigningKeys {
  readonly keys: SigningJwk[];
  readonly unreadable: string[];
  readonly fingerprint: string;
}

/** How `retire` ended: done, no such published key, the signing key itself, or too soon after a rotation. */
export type SigningKeyRetirement = 'retired' | 'unknown' | 'signing' | 'too-soon';

/**
 * A new key is published this long before it signs (docs/operations.md "Signing keys"): every
 * instance reloads its keys within a minute, and a host that caches the JWKS for a few minutes
 * has seen the new key before the first token it signed reaches it.
 */
export const PUBLISH_BEFORE_SIGNING_MS = 10 * MINUTE;

const context = (kid: string) => `oidc-signing-key:${kid}`;

function makeKey(): SigningJwk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  // A letter first: a kid starting with "-" would read as an option in `lifeline oidc-keys retire KID`.
  return { ...jwk, kid: `k${randomToken(12)}`, alg: 'RS256', use: 'sig' };
}

/**
 * The provider's signing keys, kept in the database sealed with SECRET_KEY so that every instance
 * signs and publishes the same (docs/reference/contracts.md "Contracts for host applications"). The first
 * start makes one; `lifeline oidc-keys rotate` adds the next, which signs once it has been
 * published for {@link PUBLISH_BEFORE_SIGNING_MS}; `retire` stops publishing an old one.
 */
export interface SigningKeys {
  /** Makes the first key unless one exists; two instances starting together make one. */
  ensure(): Promise<void>;

  /**
   * The published keys, the signing one first (oidc-provider signs with the first key of an
   * algorithm). A key that no longer opens (its SECRET_KEY retired) is left out and reported.
   */
  load(): Promise<LoadedSigningKeys>;

  /** Every key, retired ones too, with which one signs now (`lifeline oidc-keys list`). */
  list(): Promise<SigningKeyInfo[]>;

  /** Adds the next key; it is published at once and signs after the publishing lead. */
  rotate(): Promise<SigningKeyInfo>;

  /**
   * Stops publishing a key (tokens it signed no longer verify). Never the signing key, and not
   * before the signing key has signed for an hour (the ID token lifetime): until then hosts
   * still verify tokens the old key signed.
   */
  retire(kid: string): Promise<SigningKeyRetirement>;
}

/** Builds the signing keys (see {@link SigningKeys}). */
export function createSigningKeys(deps: { database: Database; keys: KeyRing; clock: Clock; repository: SigningKeyRepository }): SigningKeys {
  const { database, keys, clock, repository } = deps;

  async function insert(generation: number): Promise<boolean> {
    const jwk = makeKey();
    return repository.insertNewGeneration(database.db, {
      generation,
      kid: jwk.kid,
      alg: jwk.alg,
      private_jwk_sealed: seal(keys, JSON.stringify(jwk), context(jwk.kid)),
      created_at: clock.now(),
      retired_at: null,
    });
  }

  async function rows() {
    return repository.all(database.db);
  }

  /** Which published key signs: the newest published long enough, else the oldest published. */
  function signingGeneration(published: readonly { generation: number; created_at: number }[]): number | undefined {
    const now = clock.now();
    const ready = published.find((row) => row.created_at + PUBLISH_BEFORE_SIGNING_MS <= now);
    return (ready ?? published[published.length - 1])?.generation;
  }

  return {
    async ensure() {
      if (await repository.anyPublished(database.db)) return;
      await insert((await repository.newestGeneration(database.db)) + 1);
    },

    async load() {
      const published = (await rows()).filter((row) => row.retired_at === null);
      const readable: { generation: number; created_at: number; jwk: SigningJwk }[] = [];
      const unreadable: string[] = [];
      for (const row of published) {
        const text = unseal(keys, row.private_jwk_sealed, context(row.kid));
        if (text === undefined) unreadable.push(row.kid);
        else readable.push({ generation: row.generation, created_at: row.created_at, jwk: JSON.parse(text) as SigningJwk });
      }
      // The signing key is chosen among the keys this instance can read, by the same rule as
      // list(): instances with the same SECRET_KEYs agree.
      const signing = signingGeneration(readable);
      const ordered = [...readable.filter((k) => k.generation === signing), ...readable.filter((k) => k.generation !== signing)].map((k) => k.jwk);
      return { keys: ordered, unreadable, fingerprint: ordered.map((k) => k.kid).join(',') };
    },

    async list() {
      const all = await rows();
      const signing = signingGeneration(all.filter((row) => row.retired_at === null));
      return all.map((row) => ({
        generation: row.generation,
        kid: row.kid,
        alg: row.alg,
        createdAt: row.created_at,
        retiredAt: row.retired_at,
        signing: row.generation === signing,
      }));
    },

    async rotate() {
      for (;;) {
        const generation = (await repository.newestGeneration(database.db)) + 1;
        if (await insert(generation)) {
          const made = (await this.list()).find((k) => k.generation === generation);
          if (made) return made;
        }
      }
    },

    async retire(kid) {
      const all = await this.list();
      const info = all.find((k) => k.kid === kid && k.retiredAt === null);
      if (!info) return 'unknown';
      if (info.signing) return 'signing';
      const signing = all.find((k) => k.signing);
      if (signing && signing.generation > info.generation && signing.createdAt + PUBLISH_BEFORE_SIGNING_MS + HOUR > clock.now()) return 'too-soon';
      await repository.retire(database.db, kid, clock.now());
      return 'retired';
    },
  };
}
