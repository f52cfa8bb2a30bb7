import type { Executor } from '../../db/database.js';
import type { ActionVerificationRow, VerificationRequesterKind } from '../../db/tables.js';
import type { SecretPurpose } from '../../one-time-secrets/purposes.js';
import type { VerificationChannel } from '../action-policy.js';
import type { ActionVerificationDeps } from './context.js';

/** A host's codes, and Lifeline's own (purposes apart: their hourly failure locks stay apart too). */
export const CODE_PURPOSE: Record<VerificationRequesterKind, Record<VerificationChannel, SecretPurpose>> = {
  'api-key': {
    'login-email': 'action-verification-email-code',
    'recovery-email': 'action-verification-email-code',
    'recovery-phone': 'action-verification-sms',
  },
  session: { 'login-email': 'account-action-email-code', 'recovery-email': 'account-action-email-code', 'recovery-phone': 'account-action-sms' },
};
/** The link beside a host's email code. */
export const LINK_PURPOSE: SecretPurpose = 'action-verification-email-link';
/** Every purpose a record's secrets have (their flow id is the record's id). */
export const ACTION_PURPOSES: readonly SecretPurpose[] = [
  'action-verification-email-code',
  'action-verification-sms',
  'account-action-email-code',
  'account-action-sms',
  LINK_PURPOSE,
];

/** Kills the record's live code and link (its flow id is the record's), and no other record's. */
export async function retireSecretsOf(deps: Pick<ActionVerificationDeps, 'verification'>, trx: Executor, row: ActionVerificationRow): Promise<void> {
  const live = (await Promise.all(ACTION_PURPOSES.map((purpose) => deps.verification.live(trx, row.account_id, purpose)))).flat();
  await deps.verification.retire(
    trx,
    live.filter((secret) => secret.flowId === row.id).map((secret) => secret.id),
  );
}
