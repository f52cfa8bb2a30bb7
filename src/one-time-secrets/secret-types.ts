import type { Executor } from '../db/database.js';
import type { SecretPurpose } from './purposes.js';

// What goes into and comes out of the one-time secret service (one-time-secret-service.ts, which
// exports them too, so its importers need not know this file); kept apart to keep that file short.

/** What a new secret is for, whose it is and what it is bound to. */
export interface IssueSecretInput {
  readonly purpose: SecretPurpose;
  readonly accountId: string;
  /** The address or number the secret goes to; the secret is bound to it. */
  readonly target?: string;
  /** The browser flow a code is bound to (forgot password). */
  readonly flowId?: string;
  /** Context the flow needs back on redemption (never a secret). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Overrides the purpose's lifetime (never longer than the purpose allows). */
  readonly ttlMs?: number;
  /**
   * Further purposes whose live secrets this one retires (its own purpose always is), so a
   * new link or code always replaces the old one.
   */
  readonly replaces?: readonly SecretPurpose[];
  /**
   * Live secrets of the same purpose stay (each "Das war ich nicht" link belongs to its own
   * event and recipient); only `replaces` are retired.
   */
  readonly coexist?: boolean;
}

/** A secret just issued: its id and the secret itself, to be put into the message once. */
export interface IssuedSecret {
  readonly id: string;
  /** What goes into the message: the link token (`id.secret`) or the code. Never stored. */
  readonly secret: string;
  readonly expiresAt: number;
}

/** A secret that was just redeemed: what the flow needs to apply its change. */
export interface RedeemedSecret {
  readonly id: string;
  readonly purpose: SecretPurpose;
  readonly accountId: string;
  readonly target: string | null;
  readonly flowId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** A code typed by the user, with what it must belong to. */
export interface RedeemCodeInput {
  readonly purpose: SecretPurpose;
  readonly accountId: string;
  readonly code: string;
  /**
   * Required for codes bound to a browser flow: a code from another flow, or redeemed without
   * its flow, never matches (and a flow id never matches a code issued without one).
   */
  readonly flowId?: string;
  /** Locks what `apply` writes before the secret's row (PostgreSQL lock order, e.g. the flow's record). */
  readonly lockFirst?: (trx: Executor) => Promise<void>;
  /**
   * Counts wrong guesses, and checks the hourly lock, for this scope of the account and purpose
   * only (`failureKey` in one-time-secret-service.ts): forgot password passes the guessing client, so that a
   * stranger's wrong codes never lock the owner out of the owner's own flow.
   */
  readonly failureScope?: string;
}

/** A guess at a code's flow made with another proof than the code itself (redeemCodeByProof): the code's binding, without the code. */
export type GuessInput = Omit<RedeemCodeInput, 'code'>;

/** A link's token (`id.secret`), with how to lock before the secret's row. */
export interface RedeemLinkInput {
  readonly purpose: SecretPurpose;
  readonly token: string;
  /**
   * Lock the account row before the secret's (PostgreSQL): for an `apply` that touches other
   * secrets of the account (an undo retires later undo links). Two such redemptions that each
   * held their own secret first and then wanted the account would deadlock.
   */
  readonly lockAccountFirst?: boolean;
  /** Locks what `apply` writes before the secret's row, knowing the secret's account and flow (read without a lock). */
  readonly lockFirst?: (trx: Executor, owner: { readonly accountId: string; readonly flowId: string | null }) => Promise<void>;
}

/** Applies the change a secret authorises, inside the transaction that marks it used. */
export type ApplyRedeemed<T> = (trx: Executor, secret: RedeemedSecret) => Promise<T>;
