import { LifelineError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hashing.js';
import type { Executor } from '../../db/database.js';
import type { ActionVerificationRow } from '../../db/tables.js';
import type { ActionVerificationDeps, Requester } from './context.js';

type RecordDeps = Pick<ActionVerificationDeps, 'database' | 'records' | 'config'>;

/**
 * The requester's own record, or 404 (another key's or session's record does not exist for it).
 * `forUpdate`: locked until the transaction ends (PostgreSQL).
 */
export async function ownRecord(deps: RecordDeps, db: Executor, id: string, requester: Requester, forUpdate = false): Promise<ActionVerificationRow> {
  const row = await deps.records.findOwn(db, id, requester, forUpdate && deps.database.dialect === 'postgres');
  if (!row) throw new LifelineError('not-found');
  return row;
}

/**
 * Lock order on PostgreSQL for a record: the record's row, then its secrets. Every path that
 * touches both (send, the code, the link) takes the record first.
 */
export async function lockRecord(deps: RecordDeps, trx: Executor, id: string): Promise<void> {
  if (deps.database.dialect === 'postgres') await deps.records.lock(trx, id);
}

/** The record the page's capability (`/verify-action?token=`) names, or 410 link-expired. */
export async function recordByPageToken(deps: RecordDeps, db: Executor, token: string): Promise<ActionVerificationRow> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new LifelineError('link-expired');
  const row = await deps.records.findByPageTokenHash(db, sha256Hex(token));
  if (!row) throw new LifelineError('link-expired');
  return row;
}

/** Who asked for the record, named `name`. */
export function requesterOf(row: ActionVerificationRow, name: string): Requester {
  return { kind: row.requester_kind, id: row.requester_id, name };
}

/** The name the user reads for who asks: the API key's name, or the service's own (a session, a key that is gone). */
export async function requesterName(deps: RecordDeps, row: ActionVerificationRow, db: Executor = deps.database.db): Promise<string> {
  if (row.requester_kind === 'session') return deps.config.appName;
  return (await deps.records.apiKeyName(db, row.requester_id)) ?? deps.config.appName;
}

/** Who asked for the record, with the name the user reads (the page and the link act for whoever started it). */
export async function namedRequester(deps: RecordDeps, row: ActionVerificationRow, db?: Executor): Promise<Requester> {
  return requesterOf(row, await requesterName(deps, row, db));
}
