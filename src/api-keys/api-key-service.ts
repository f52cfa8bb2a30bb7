import type { Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import { constantTimeEqual, hmacSha256 } from '../core/hashing.js';
import type { KeyRing } from '../core/keyring.js';
import { randomToken } from '../core/random.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import type { ApiKeyRow } from '../db/tables.js';
import type { ApiKeyRepository } from './api-key-repository.js';

/** `llk_<id>.<secret>`: the id finds the row, the secret (256 bits) is compared by keyed hash. */
const KEY_PATTERN = /^llk_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;
/** A name an operator types and reads back: `billing`, `shop-eu.prod`. */
export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * What a key may do (docs/api.md "API keys and scopes"); each route names the one it needs, and
 * scopes are independent (`admin:write` does not imply `admin:read`):
 * - `verifications`: the action-verification API (the default, and what keys made before scopes have);
 * - `admin:read`, `admin:write`: the host's back office (reading, and changing accounts);
 * - `events`: the host's event subscriptions.
 */
export const API_KEY_SCOPES = ['verifications', 'admin:read', 'admin:write', 'events'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/** A key created without naming scopes gets this one. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['verifications'];

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** The stored form, space-separated, in the table's order (unknown words are dropped when read). */
const storedScopes = (scopes: readonly ApiKeyScope[]): string => API_KEY_SCOPES.filter((scope) => scopes.includes(scope)).join(' ');
const readScopes = (stored: string): ApiKeyScope[] => stored.split(' ').filter(isApiKeyScope);

/** `last_used_at` is written at most this often per key, so every request does not write a row. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeySummary {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
  readonly scopes: readonly ApiKeyScope[];
}

/** A key just made: the key in plain text (`llk_<id>.<secret>`, shown this once and never stored) and its summary. */
export interface CreatedApiKey {
  readonly key: string;
  readonly apiKey: ApiKeySummary;
}

/** The host application an API key belongs to, as a request's caller. */
export interface ApiKeyCaller {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
}

const summary = (row: ApiKeyRow): ApiKeySummary => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
  scopes: readScopes(row.scopes),
});

/**
 * API keys of host applications: `lifeline api-key create NAME` prints a key once;
 * only the keyed hash of its secret half is stored (HMAC-SHA-256 under SECRET_KEY, like every
 * secret: a leaked database gives no usable key). Keys are sent as `Authorization: Bearer`.
 */
export interface ApiKeyService {
  /**
   * A new key under a new name with the given scopes (default: `verifications`); the answer
   * holds the key in plain text, the only time it exists. Unknown or no scopes: validation-failed;
   * a name used before (revoked keys' too): api-key-name-taken.
   */
  create(name: string, scopes?: readonly string[]): Promise<CreatedApiKey>;

  /** Every key, live and revoked, for `lifeline api-key list` (never a secret or hash). */
  list(): Promise<ApiKeySummary[]>;

  /** Revokes the live key of this name; answers false when there is none. */
  revoke(name: string): Promise<boolean>;

  /**
   * The caller of a `Bearer` key, or undefined for a missing, malformed, unknown, wrong or
   * revoked one (all alike: 401). A key hashed under a retired SECRET_KEY no longer matches.
   */
  authenticate(presented: string | undefined): Promise<ApiKeyCaller | undefined>;
}

/** Builds the API-key service (see {@link ApiKeyService}). */
export function createApiKeyService(deps: { database: Database; clock: Clock; keys: KeyRing; repository: ApiKeyRepository }): ApiKeyService {
  const { database, clock, keys, repository } = deps;
  const hashOf = (key: Buffer, id: string, secret: string) => hmacSha256(key, 'api-key', id, secret);

  return {
    async create(name, scopes = DEFAULT_API_KEY_SCOPES) {
      if (!API_KEY_NAME_PATTERN.test(name)) throw new LifelineError('validation-failed', { field: 'name' });
      if (scopes.length === 0 || !scopes.every(isApiKeyScope)) throw new LifelineError('validation-failed', { field: 'scopes' });
      const id = randomToken(9);
      const secret = randomToken(32);
      const now = clock.now();
      const row = {
        id,
        name,
        secret_hash: hashOf(keys.current.key, id, secret),
        key_id: keys.current.id,
        created_at: now,
        last_used_at: null,
        revoked_at: null,
        scopes: storedScopes(scopes),
      };
      try {
        await repository.insert(database.db, row);
      } catch (error) {
        // Names are unique, revoked keys' too: a name always means one key in the records.
        if (isUniqueViolation(error)) throw new LifelineError('api-key-name-taken');
        throw error;
      }
      return { key: `llk_${id}.${secret}`, apiKey: summary(row) };
    },

    async list() {
      const rows = await repository.list(database.db);
      return rows.map(summary);
    },

    async revoke(name) {
      return repository.revokeByName(database.db, name, clock.now());
    },

    async authenticate(presented) {
      const match = presented === undefined ? null : KEY_PATTERN.exec(presented);
      if (!match?.[1] || !match[2]) return undefined;
      const [, id, secret] = match;
      const row = await repository.byId(database.db, id);
      const key = row ? keys.byId(row.key_id) : undefined;
      if (!row || !key || row.revoked_at !== null || !constantTimeEqual(hashOf(key, id, secret), row.secret_hash)) return undefined;
      const now = clock.now();
      if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
        await repository.touch(database.db, id, now);
      }
      return { id: row.id, name: row.name, scopes: readScopes(row.scopes) };
    },
  };
}
