import type { ColumnType, Generated, Selectable } from 'kysely';

/** Tables of one-time secrets, their failed tries, and the rate-limit buckets (docs/architecture.md "One mechanism for one-time secrets"). */

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

export type VerificationSecretRow = Selectable<VerificationSecretsTable>;

export interface VerificationFailuresTable {
  id: string;
  account_id: string;
  purpose: string;
  created_at: number;
}

/** rate-limiter-flexible's PostgreSQL table (created by our migrations; PostgreSQL only). */
export interface RateLimitBucketsTable {
  key: string;
  points: Generated<number>;
  expire: ColumnType<number | null, number | null, number | null>;
}
