import type { ColumnType, Generated, Selectable } from 'kysely';

/** Tables of the recovery channels, forgot-password flows and held changes (docs/architecture.md "Recovery email", "Forgot password"). */

/**
 * `pending`: waits for its link or code; `active`: the channel; `held`: confirmed, but a
 * replacement asked by a fresh session on a new device, active only when its 72 hours are
 * over (at most one per account, like the others).
 */
export type RecoveryEmailStatus = 'pending' | 'active' | 'held';

export interface RecoveryEmailsTable {
  id: string;
  account_id: string;
  /** As shown and mailed to (local part as typed, domain in punycode). */
  address: string;
  address_normalized: string;
  status: RecoveryEmailStatus;
  created_at: number;
  /** When it became active (the 7-day age rules of later issues read it). */
  confirmed_at: number | null;
  /** Last confirmation mail (the resend cooldown). */
  last_sent_at: number | null;
  /** 1: set up or sent again from a new device's session, so a confirmed change is held 72 hours. */
  hold_requested: Generated<number>;
  /** Who set it up or sent its link last (the link is opened without a session): a held change's notices name them. */
  requested_ip: ColumnType<string | null, string | null | undefined, string | null>;
  requested_user_agent: ColumnType<string | null, string | null | undefined, string | null>;
  /** The device whose session set it up or sent its link last (migration 0017). */
  requested_device_id: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * From when the channel counts as the owner's (recovery/channel-trust.ts): 7 days after its
   * confirmation, or at once when set up from the account's first device; null while not active.
   */
  settled_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** When "Das war ich nicht" put it back (it was the owner's before the undone event); null otherwise. */
  restored_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export type RecoveryEmailRow = Selectable<RecoveryEmailsTable>;

export interface RecoveryPhonesTable {
  id: string;
  account_id: string;
  /** E.164, e.g. +491711234567: what SMS go to. */
  number_e164: string;
  /** ISO 3166-1 alpha-2 of the number (per-country caps and metrics). */
  country: string;
  status: RecoveryEmailStatus;
  created_at: number;
  confirmed_at: number | null;
  /** Last code sent ("Code erneut senden" cooldown, and the code's expiry shown). */
  last_sent_at: number | null;
  /** 1: set up or sent again from a new device's session, so a confirmed change is held 72 hours. */
  hold_requested: Generated<number>;
  /** The device whose session set it up, sent its code or confirmed it (migration 0017). */
  requested_device_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** From when the channel counts as the owner's (recovery/channel-trust.ts); null while not active. */
  settled_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** When "Das war ich nicht" put it back; null otherwise. */
  restored_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export type RecoveryPhoneRow = Selectable<RecoveryPhonesTable>;

export type ResetIdentifierKind = 'email' | 'phone';

/** The channel a reset went through: a settled channel, or a recovery code of the account's current set. */
export type ResetChannel = 'login-email' | 'recovery-email' | 'recovery-phone' | 'recovery-code';

/** A forgot-password flow; see migration 0010 and recovery/password-reset/. */
export interface PasswordResetFlowsTable {
  /** SHA-256 of the flow cookie: the cookie alone is the bearer of the flow. */
  id: string;
  /** HMAC of the normalised identifier: the per-identifier limits and failure counts, for known and unknown ones alike. */
  identifier_hash: string;
  identifier_kind: ResetIdentifierKind;
  /** The normalised identifier until the flow is processed, then null (no unknown address is kept). */
  identifier: string | null;
  /** Country of a phone identifier (SMS caps and metrics). */
  country: string | null;
  /** The language of the page that asked (for a message to an address without an account). */
  locale: string;
  ip: string | null;
  /** The client that asked (IPv4 address, IPv6 /64): limits and locks count per client (migration 0017). */
  client_key: ColumnType<string | null, string | null | undefined, string | null>;
  user_agent: string | null;
  created_at: number;
  expires_at: number;
  processed_at: number | null;
  /** The channel the code went to; null when nothing was sent (unknown, unconfirmed or limited). */
  channel: ResetChannel | null;
  /** JSON array of the accounts this channel belongs to (the account choice). */
  account_ids: string | null;
  secret_purpose: string | null;
  /** The account the code is issued under (the first of `account_ids`). */
  secret_account_id: string | null;
  /** Tries of a flow without a code (the same answers as a real one). */
  attempts_left: number;
  failures: Generated<number>;
  last_failure_at: number | null;
  /** A later request for the same identifier replaced this flow. */
  superseded_at: number | null;
  verified_at: number | null;
  used_at: number | null;
  /** The recovery code set whose code verified the flow (`channel` 'recovery-code', migration 0022); the reset checks it is still current. */
  recovery_code_set_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type PasswordResetFlowRow = Selectable<PasswordResetFlowsTable>;

/** What a held change does when its 72 hours are over. */
export type HeldChangeKind =
  'recovery-email-add' | 'recovery-email-remove' | 'recovery-email-replace' | 'recovery-phone-add' | 'recovery-phone-remove' | 'recovery-phone-replace';

/** A change of a recovery channel held for 72 hours (a fresh session on a new device asked). */
export interface HeldChangesTable {
  id: string;
  account_id: string;
  kind: HeldChangeKind;
  created_at: number;
  effective_at: number;
  cancelled_at: number | null;
  applied_at: number | null;
  /** Who asked (as the security log keeps it): the notices sent when the worker applies the change name this device. */
  requested_ip: string | null;
  requested_user_agent: string | null;
}

export type HeldChangeRow = Selectable<HeldChangesTable>;

/** An account's current set of recovery codes (migration 0022; recovery/codes/): one per account, a new one replaces it. */
export interface RecoveryCodeSetsTable {
  id: string;
  account_id: string;
  created_at: number;
  /** From when its codes reset the password (recovery/channel-trust.ts): at once from the owner's first device, else 7 days on. */
  settled_at: number;
}

export type RecoveryCodeSetRow = Selectable<RecoveryCodeSetsTable>;

/** One code of a set, stored only as a keyed hash. */
export interface RecoveryCodesTable {
  id: string;
  set_id: string;
  /** HMAC-SHA-256(key, purpose | account | set | code), base64url. */
  code_hash: string;
  /** Id of the server key that made `code_hash`. */
  key_id: string;
  used_at: number | null;
}
