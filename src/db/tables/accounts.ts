import type { ColumnType, Selectable } from 'kysely';

/** Tables of accounts, their sessions, devices and security log (docs/architecture.md "Accounts and sessions"). */

export interface AccountsTable {
  id: string;
  /** The login email as the user typed it (trimmed). */
  email: string;
  /** Lower-cased, IDNA-normalised login email; unique (docs/reference/security-requirements.md 7.6). */
  email_normalized: string;
  locale: string;
  created_at: number;
  /** argon2id PHC string (algorithm and parameters included: docs/reference/security-requirements.md 1.1). */
  password_hash: string | null;
  /** When the login email was confirmed; null until then (the account cannot sign in). */
  email_verified_at: number | null;
  /** IANA time zone for times in messages, e.g. "Europe/Berlin". */
  time_zone: ColumnType<string, string | undefined, string>;
  password_changed_at: number | null;
  /** 1: sign-in with the current password is blocked until a reset through a verified channel. */
  password_reset_required: ColumnType<number, number | undefined, number>;
  /** Last "someone tried to sign up with your address" notice (at most one an hour). */
  signup_notice_at: number | null;
  /** Last "sign-in temporarily blocked" notice (at most one an hour). */
  throttle_notice_at: number | null;
  /** When the owner asked to delete the account, or null. */
  deletion_requested_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** When the worker deletes it; any sign-in before clears it. */
  deletion_due_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** A confirmed login-email change waiting out its 7 days (no settled channel verified it). */
  pending_email: ColumnType<string | null, string | null | undefined, string | null>;
  pending_email_normalized: ColumnType<string | null, string | null | undefined, string | null>;
  email_change_due_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Who asked for the waiting change: the notices when the worker applies it name this device. */
  email_change_requested_ip: ColumnType<string | null, string | null | undefined, string | null>;
  email_change_requested_user_agent: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the host's back office disabled the account (sign-in answers 403 account-disabled), or null. */
  disabled_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Who disabled it: the API key's name (`api-key:NAME`) or `cli`. */
  disabled_by: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<number, number | undefined, number>;
}

export type AccountRow = Selectable<AccountsTable>;

export interface SessionsTable {
  /** Public id (listing, revoking); not the secret. */
  id: string;
  account_id: string;
  /** HMAC-SHA-256 of the cookie token under `key_id`. */
  token_hash: string;
  key_id: string;
  device_id: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  /** Absolute end of the session. */
  expires_at: number;
  /** End of the privileged (re-authenticated) window, if open. */
  privileged_until: number | null;
}

export type SessionRow = Selectable<SessionsTable>;

export interface DevicesTable {
  id: string;
  account_id: string;
  /** HMAC-SHA-256 of the device cookie token, per account. */
  token_hash: string;
  key_id: string;
  created_at: number;
  last_used_at: number;
  /** 1: the account's first device (the browser that confirmed the sign-up; migration 0017). */
  first_of_account: ColumnType<number, number | undefined, number>;
}

export interface SecurityEventsTable {
  id: string;
  account_id: string;
  type: string;
  ip: string | null;
  user_agent: string | null;
  /** JSON details of the event (never a secret). */
  details: string | null;
  created_at: number;
}
