import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The database as Kysely sees it. Times are UTC epoch milliseconds (bigint on PostgreSQL,
 * integer on SQLite, numbers in JavaScript); booleans are 0/1; JSON is stored as text. One
 * code path for both dialects (docs/reference/contracts.md "Time is UTC epoch milliseconds").
 */
export interface Tables {
  accounts: AccountsTable;
  verification_secrets: VerificationSecretsTable;
  verification_failures: VerificationFailuresTable;
  outbox_messages: OutboxMessagesTable;
  dev_mailbox: DevMailboxTable;
  security_events: SecurityEventsTable;
  sessions: SessionsTable;
  devices: DevicesTable;
  recovery_emails: RecoveryEmailsTable;
  recovery_phones: RecoveryPhonesTable;
  rate_limit_buckets: RateLimitBucketsTable;
  password_reset_flows: PasswordResetFlowsTable;
  api_keys: ApiKeysTable;
  action_verifications: ActionVerificationsTable;
  held_changes: HeldChangesTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_clients: OidcClientsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_session_links: OidcSessionLinksTable;
  webhook_endpoints: WebhookEndpointsTable;
}

export interface AccountsTable {
  id: string;
  /** The login e-mail as the user typed it (trimmed). */
  email: string;
  /** Lower-cased, IDNA-normalised login e-mail; unique (docs/reference/security-requirements.md 7.6). */
  email_normalized: string;
  locale: string;
  created_at: number;
  /** argon2id PHC string (algorithm and parameters included: docs/reference/security-requirements.md 1.1). */
  password_hash: string | null;
  /** When the login e-mail was confirmed; null until then (the account cannot sign in). */
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
  /** A confirmed login-e-mail change waiting out its 7 days (no settled channel verified it). */
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

export interface VerificationSecretsTable {
  id: string;
  purpose: string;
  account_id: string;
  /** The address or number the secret was sent to: a secret is bound to it (docs/reference/security-requirements.md 4.6). */
  target: string | null;
  /** The browser flow a code is bound to (forgot password), if any. */
  flow_id: string | null;
  /** HMAC-SHA-256(key, purpose | account | secret), base64url. */
  secret_hash: string;
  /** Id of the server key that made `secret_hash`. */
  key_id: string;
  /** JSON context of the flow (e.g. the pending address). */
  data: string | null;
  attempts_left: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface VerificationFailuresTable {
  id: string;
  account_id: string;
  purpose: string;
  created_at: number;
}

export type OutboxStatus = 'queued' | 'processing' | 'sent' | 'failed';
/** `backchannel`: a logout token to a host application (docs/oidc.md). */
export type MessageChannelName = 'email' | 'sms' | 'backchannel' | 'webhook';

export interface OutboxMessagesTable {
  id: string;
  kind: string;
  channel: MessageChannelName;
  recipient: string;
  account_id: string | null;
  locale: string;
  subject: string;
  /** JSON {text, html, secrets}; null once purged after delivery or giving up. */
  payload: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  lease_expires_at: number | null;
  claimed_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  purged_at: number | null;
  /** After this time the message is not sent any more (an SMS code that has expired); null: no limit. */
  expires_at: number | null;
}

export interface DevMailboxTable {
  id: string;
  outbox_id: string | null;
  channel: MessageChannelName;
  recipient: string;
  subject: string;
  text: string;
  html: string | null;
  created_at: number;
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

/** rate-limiter-flexible's PostgreSQL table (created by our migrations; PostgreSQL only). */
export interface RateLimitBucketsTable {
  key: string;
  points: Generated<number>;
  expire: ColumnType<number | null, number | null, number | null>;
}

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
export type ResetChannel = 'login-email' | 'recovery-email' | 'recovery-phone';

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
}

export type PasswordResetFlowRow = Selectable<PasswordResetFlowsTable>;

/** A host application's API key: only the keyed hash of its secret half. */
export interface ApiKeysTable {
  id: string;
  name: string;
  secret_hash: string;
  /** The SECRET_KEY id the hash was made under. */
  key_id: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** The key's scopes, space-separated (`verifications admin:read`; migration 0018). */
  scopes: ColumnType<string, string | undefined, string>;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** Who asked for a verification: a host's API key or a Lifeline session. */
export type VerificationRequesterKind = 'api-key' | 'session';

/** One "prove access to a channel before this action". */
export interface ActionVerificationsTable {
  id: string;
  account_id: string;
  action: string;
  requester_kind: VerificationRequesterKind;
  requester_id: string;
  return_to: string | null;
  /** SHA-256 of the capability in the verification page's URL. */
  page_token_hash: string | null;
  /** The channel the code went to: login-email, recovery-email or recovery-phone. */
  channel: string | null;
  secret_purpose: string | null;
  locale: string;
  created_at: number;
  /** Until then it can be verified; once verified, it can be consumed for 10 minutes. */
  expires_at: number;
  sent_at: number | null;
  verified_at: number | null;
  failed_at: number | null;
  consumed_at: number | null;
}

export type ActionVerificationRow = Selectable<ActionVerificationsTable>;

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

export type OutboxMessageRow = Selectable<OutboxMessagesTable>;
export type NewOutboxMessage = Insertable<OutboxMessagesTable>;
export type OutboxMessageUpdate = Updateable<OutboxMessagesTable>;
export type VerificationSecretRow = Selectable<VerificationSecretsTable>;
export type DevMailboxRow = Selectable<DevMailboxTable>;
export type AccountRow = Selectable<AccountsTable>;
export type SessionRow = Selectable<SessionsTable>;

/** One artefact of the OpenID Connect provider (docs/oidc.md "Storage"). */
export interface OidcPayloadsTable {
  /** oidc-provider's model name: Session, Interaction, Grant, AuthorizationCode, AccessToken, RefreshToken, … */
  model: string;
  id: string;
  /** The artefact as oidc-provider gave it, JSON. */
  payload: string;
  grant_id: string | null;
  /** Sessions only: the uid their cookie names. */
  uid: string | null;
  account_id: string | null;
  client_id: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}
export type OidcPayloadRow = Selectable<OidcPayloadsTable>;

/** A host application registered with `lifeline client create`. */
export interface OidcClientsTable {
  id: string;
  name: string;
  /** 1: the host's own application (no consent page); 0: a third party (consent page). */
  first_party: number;
  /** The client's OIDC metadata (redirect_uris, …) as JSON, secret excluded. */
  metadata: string;
  /** The client secret sealed with SECRET_KEY (core/sealing.ts); null for public clients. */
  secret_sealed: string | null;
  created_at: number;
  revoked_at: number | null;
}
export type OidcClientRow = Selectable<OidcClientsTable>;

/** A signing key of the provider; the highest generation not retired signs. */
export interface OidcSigningKeysTable {
  generation: number;
  kid: string;
  alg: string;
  /** The private JWK sealed with SECRET_KEY. */
  private_jwk_sealed: string;
  created_at: number;
  /** Retired keys are neither published nor used; null while published. */
  retired_at: number | null;
}

/** A provider session (by its uid) and the Lifeline session it was last used with. */
export interface OidcSessionLinksTable {
  provider_session_uid: string;
  lifeline_session_id: string;
  account_id: string;
  linked_at: number;
}

/** A host's webhook receiver (`lifeline webhook create`). */
export interface WebhookEndpointsTable {
  /** `wh_…`, shown by the CLI. */
  id: string;
  url: string;
  /** Event types it receives, space-separated; null: every type. */
  events: string | null;
  /** The `whsec_…` secret sealed with SECRET_KEY (core/sealing.ts). */
  secret_sealed: string;
  /** During a rotation: the previous secret, which signs too until `previous_secret_until`. */
  previous_secret_sealed: string | null;
  previous_secret_until: number | null;
  created_at: number;
  revoked_at: number | null;
}
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
