import type { Clock } from '../core/clock.js';
import { hmacSha256 } from '../core/hashing.js';
import type { KeyRing } from '../core/keyring.js';
import { newId, randomToken } from '../core/random.js';
import type { Database, Executor } from '../db/database.js';
import type { DeviceRepository } from './device-repository.js';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The account's first device is the owner's (the sign-in right after sign-up, not "a new
 * device") only if it appeared this soon after the sign-up: on a dormant account whose devices
 * were all pruned, a stranger's browser would otherwise be "first" and pass unnoticed.
 */
export const FIRST_DEVICE_AFTER_SIGNUP_MS = 7 * 24 * 3600 * 1000;

/** Whether a device first seen at `deviceCreatedAt` is the owner's first, for an account made at `accountCreatedAt`. */
export function isOwnersFirstDevice(isFirst: boolean, deviceCreatedAt: number, accountCreatedAt: number): boolean {
  return isFirst && deviceCreatedAt - accountCreatedAt <= FIRST_DEVICE_AFTER_SIGNUP_MS;
}

/**
 * How the account knows a device (docs/security.md "The owner wins"):
 * - `first`: the owner's first device: the browser that confirmed the sign-up link (or, for
 *   accounts from before that rule, the first sign-in), if it appeared within 7 days of the
 *   sign-up. Channels set up from it count as the owner's at once.
 * - `new`: first seen less than `newDeviceMs` ago (HOLD_NEW_DEVICE_DAYS, default 7), or a
 *   device the account no longer knows. Its sessions' recovery changes are held 72 hours.
 * - `known`: older than that.
 * A session from before devices were kept (no device id) counts as `known`.
 */
export type DeviceStanding = 'first' | 'new' | 'known';

/** What the standing of a session's device is asked with: `newDeviceMs` is HOLD_NEW_DEVICE_DAYS. */
export interface DeviceStandingQuery {
  readonly accountId: string;
  /** The session's device, or null for a session from before devices were kept. */
  readonly deviceId: string | null;
  readonly now: number;
  readonly newDeviceMs: number;
}

/** A sign-in's device: the cookie token to set, its row, and whether the account saw it for the first time (and as its very first device). */
export interface RememberedDevice {
  readonly token: string;
  readonly deviceId: string;
  readonly isNew: boolean;
  readonly isFirst: boolean;
}

/**
 * Browsers an account has signed in with: each browser keeps a long-lived random device cookie
 * (HttpOnly), and each account stores HMAC(key, "device", account, token) of the browsers it
 * signed in from. A known browser is let through the per-account sign-in throttle that
 * strangers' guesses trigger (docs/reference/product.md §1, docs/reference/security-requirements.md 5.1), and it is what later tells a
 * "sign-in from a new device" apart.
 */
export interface DeviceRegistry {
  /**
   * How the account knows the session's device (see {@link DeviceStanding}): the hold and the
   * password reset ask it, inside their transactions (pass the transaction as `db`).
   */
  standing(db: Executor, input: DeviceStandingQuery): Promise<DeviceStanding>;

  /**
   * Forgets devices of the account (their rows go; their cookies then name no known device): the
   * next sign-in from such a browser is a new device again — notified, its recovery changes held.
   * `device`: one device (whose channel the owner removed); `seenSince`: every device the account
   * first saw at or after this time ("Das war ich nicht": whatever signed in since the trouble began).
   * The account's first device is never forgotten. Answers how many went.
   */
  forget(trx: Executor, accountId: string, which: { readonly device: string } | { readonly seenSince: number }): Promise<number>;

  /**
   * The id of this browser's device row for the account, if it signed in from it before. Inside
   * a transaction pass it as `db`: on SQLite a read through the database would wait for it.
   */
  recognise(accountId: string, token: string | undefined, db?: Executor): Promise<string | undefined>;

  /** Housekeeping: devices not used to sign in for longer than the cookie lives (400 days) go; answers how many. */
  prune(): Promise<number>;

  /**
   * Records a sign-in from this browser. Reuses its cookie token when it has a valid one (one
   * browser, several accounts), otherwise makes a new one for the cookie.
   */
  remember(trx: Executor, accountId: string, token: string | undefined): Promise<RememberedDevice>;
}

/** Builds the device registry (see {@link DeviceRegistry}). */
export function createDeviceRegistry(deps: { database: Database; clock: Clock; keys: KeyRing; repository: DeviceRepository }): DeviceRegistry {
  const { database, clock, keys, repository } = deps;
  const hashes = (accountId: string, token: string) => keys.all().map((k) => hmacSha256(k.key, 'device', accountId, token));

  return {
    async standing(db, input) {
      if (input.deviceId === null) return 'known';
      const device = await repository.findOfAccount(db, input.accountId, input.deviceId);
      if (!device) return 'new';
      if (device.first_of_account === 1) {
        const accountCreatedAt = await repository.accountCreatedAt(db, input.accountId);
        if (accountCreatedAt !== undefined && isOwnersFirstDevice(true, device.created_at, accountCreatedAt)) return 'first';
      }
      return input.now - device.created_at < input.newDeviceMs ? 'new' : 'known';
    },

    forget(trx, accountId, which) {
      return repository.deleteOfAccount(trx, accountId, which);
    },

    async recognise(accountId, token, db = database.db) {
      if (!token || !TOKEN_PATTERN.test(token)) return undefined;
      const row = await repository.findByTokenHash(db, accountId, hashes(accountId, token));
      return row?.id;
    },

    async prune() {
      return repository.deleteUnusedBefore(database.db, clock.now() - 400 * 24 * 3600 * 1000);
    },

    async remember(trx, accountId, token) {
      const now = clock.now();
      const deviceToken = token && TOKEN_PATTERN.test(token) ? token : randomToken(32);
      const existing = await repository.findByTokenHash(trx, accountId, hashes(accountId, deviceToken));
      if (existing) {
        await repository.touch(trx, existing.id, now);
        return { token: deviceToken, deviceId: existing.id, isNew: false, isFirst: false };
      }
      // The first device of an account (the sign-in right after sign-up) is not "a new device".
      const isFirst = !(await repository.hasAny(trx, accountId));
      // Two sign-ins from one browser at once: the second finds the row the first just made.
      const deviceId = newId();
      const rowId = await repository.insertOrTouch(trx, {
        id: deviceId,
        account_id: accountId,
        token_hash: hmacSha256(keys.current.key, 'device', accountId, deviceToken),
        key_id: keys.current.id,
        created_at: now,
        last_used_at: now,
        first_of_account: isFirst ? 1 : 0,
      });
      return { token: deviceToken, deviceId: rowId, isNew: rowId === deviceId, isFirst };
    },
  };
}
