import { sha256Hex } from './hashing.js';

/** One server key: its id is stored on every row it hashed, so rotation can find it again. */
export interface SecretKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * The current key (used for every new hash) and the previous ones (still accepted when a row
 * names them). docs/reference/contracts.md "Keys": `SECRET_KEY` and `PREVIOUS_SECRET_KEYS`.
 */
export interface KeyRing {
  readonly current: SecretKey;
  /** The key with this id, current or previous; undefined when it has been retired. */
  byId(id: string): Buffer | undefined;
  /** Every key, current first: for lookups by a hash that any of them may have made. */
  all(): readonly SecretKey[];
}

/** Minimum key size: 32 bytes (256 bits), as docs/reference/contracts.md requires. */
export const MIN_KEY_BYTES = 32;

/** A key's id when the operator did not name it: the first 8 hex digits of its SHA-256. */
export function deriveKeyId(key: Buffer): string {
  return sha256Hex(key).slice(0, 8);
}

export function createKeyRing(current: SecretKey, previous: readonly SecretKey[] = []): KeyRing {
  const byId = new Map<string, Buffer>();
  for (const k of [...previous, current]) byId.set(k.id, k.key);
  const all = Object.freeze([current, ...previous]);
  return Object.freeze({
    current,
    byId: (id: string) => byId.get(id),
    all: () => all,
  });
}
