import type { ColumnType, Selectable } from 'kysely';

/** Tables of the host integration: API keys, action verifications, the OpenID Connect provider and webhooks (docs/integration.md, docs/oidc.md). */

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
