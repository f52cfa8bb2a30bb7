import type { AccountsTable, SessionsTable, DevicesTable, SecurityEventsTable } from './tables/accounts.js';
import type { VerificationSecretsTable, VerificationFailuresTable, RateLimitBucketsTable } from './tables/one-time-secrets.js';
import type { OutboxMessagesTable, DevMailboxTable } from './tables/delivery.js';
import type {
  RecoveryEmailsTable,
  RecoveryPhonesTable,
  PasswordResetFlowsTable,
  HeldChangesTable,
  RecoveryCodeSetsTable,
  RecoveryCodesTable,
} from './tables/recovery.js';
import type {
  ApiKeysTable,
  ActionVerificationsTable,
  OidcPayloadsTable,
  OidcClientsTable,
  OidcSigningKeysTable,
  OidcSessionLinksTable,
  WebhookEndpointsTable,
} from './tables/hosts.js';

// The table types live by concept in tables/*.ts; this file assembles them into `Tables`, and
// re-exports them so every import stays `db/tables.js`.
export type * from './tables/accounts.js';
export type * from './tables/one-time-secrets.js';
export type * from './tables/delivery.js';
export type * from './tables/recovery.js';
export type * from './tables/hosts.js';

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
  recovery_code_sets: RecoveryCodeSetsTable;
  recovery_codes: RecoveryCodesTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_clients: OidcClientsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_session_links: OidcSessionLinksTable;
  webhook_endpoints: WebhookEndpointsTable;
}
