import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Clock } from '../core/clock.js';
import type { Database, Executor } from '../db/database.js';
import type { ClientRegistry } from './client-registry.js';

/**
 * The account a row belongs to, for "end everything of this account": sessions, grants, codes and
 * tokens name it at the top. Interactions are left out on purpose: one that waits for its sign-in
 * names the browser's earlier provider session, and a password reset in between must not break
 * the user's way back to the client; an interaction grants nothing by itself (the provider asks
 * Lifeline's session again when it resumes) and expires within the hour.
 */
function accountOf(model: string, payload: AdapterPayload): string | null {
  if (model === 'Interaction') return null;
  return typeof payload.accountId === 'string' ? payload.accountId : null;
}

interface IntrospectionRow {
  client_metadata: string;
  client_secret_sealed: string | null;
  client_first_party: number;
  token_payload: string | null;
  token_expires_at: number | null;
  token_consumed_at: number | null;
  grant_payload: string | null;
  grant_expires_at: number | null;
}

/** What introspection reads at once: the asking client's row, the token and its grant. */
export interface IntrospectionRead {
  readonly client: { readonly id: string; readonly metadata: string; readonly secret_sealed: string | null; readonly first_party: number };
  readonly token: AdapterPayload | undefined;
  readonly grant: AdapterPayload | undefined;
}

/**
 * oidc-provider's storage over Lifeline's database (docs/oidc.md "Storage"): one table keyed by
 * model and id, so every instance sees every session, code and token. Clients come from the
 * client registry (never written through here). Consuming a code or a refresh token is one
 * conditional UPDATE: of two concurrent redemptions exactly one wins, the other is a replay and
 * revokes the grant (RFC 6749 4.1.2, OAuth 2.0 Security BCP 4.14).
 */
export function createPayloadStore(deps: { database: Database; clock: Clock; clients: ClientRegistry }) {
  const { database, clock, clients } = deps;
  const db = database.db;

  async function revokeByGrantId(grantId: string): Promise<void> {
    await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  }

  type StoredRow = { payload: string; expires_at: number | null; consumed_at: number | null };
  // The look-up of every token check, compiled once (as the session check's): building a Kysely
  // query costs more than running it. Its parameters are the model and the id, in this order.
  const findQuery = db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at']).where('model', '=', '').where('id', '=', '').compile();
  const findByUidQuery = db
    .selectFrom('oidc_payloads')
    .select(['payload', 'expires_at', 'consumed_at'])
    .where('model', '=', '')
    .where('uid', '=', '')
    .compile();
  // Introspection's one read (introspection.ts): the asking client, the token and the token's
  // grant. Compiled with stand-ins, which are then replaced by value, whatever their order.
  const ASKING_CLIENT = '\u0000client';
  const TOKEN_MODEL = '\u0000model';
  const TOKEN_ID = '\u0000token';
  const introspectionQuery = db
    .selectFrom('oidc_clients as c')
    .leftJoin('oidc_payloads as t', (join) => join.on('t.model', '=', TOKEN_MODEL).on('t.id', '=', TOKEN_ID))
    .leftJoin('oidc_payloads as g', (join) => join.on('g.model', '=', 'Grant').onRef('g.id', '=', 't.grant_id'))
    .select([
      'c.metadata as client_metadata',
      'c.secret_sealed as client_secret_sealed',
      'c.first_party as client_first_party',
      't.payload as token_payload',
      't.expires_at as token_expires_at',
      't.consumed_at as token_consumed_at',
      'g.payload as grant_payload',
      'g.expires_at as grant_expires_at',
    ])
    .where('c.id', '=', ASKING_CLIENT)
    .where('c.revoked_at', 'is', null)
    .compile();

  /** Ends these grants (the Grant rows and every code and token of them). */
  async function removeGrants(trx: Executor, grantIds: readonly string[]): Promise<void> {
    if (grantIds.length === 0) return;
    await trx
      .deleteFrom('oidc_payloads')
      .where((eb) => eb.or([eb('grant_id', 'in', [...grantIds]), eb.and([eb('model', '=', 'Grant'), eb('id', 'in', [...grantIds])])]))
      .execute();
  }

  class LifelineAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        account_id: accountOf(this.model, payload),
        client_id: typeof payload.clientId === 'string' ? payload.clientId : null,
        expires_at: expiresIn ? clock.now() + expiresIn * 1000 : null,
      };
      await db
        .insertInto('oidc_payloads')
        .values({ model: this.model, id, consumed_at: null, ...row })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        // first_party is registered as extra client metadata (oidc-provider.ts).
        return (await clients.metadataFor(id)) as unknown as AdapterPayload | undefined;
      }
      const [row] = (await db.executeQuery<StoredRow>({ ...findQuery, parameters: [this.model, id] })).rows;
      return row ? readRow(row) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const [row] = (await db.executeQuery<StoredRow>({ ...findByUidQuery, parameters: [this.model, uid] })).rows;
      return row ? readRow(row) : undefined;
    }

    /** The device flow is off: there are no user codes. */
    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const result = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: clock.now() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return;
      // Someone consumed it between oidc-provider's read and this write: a concurrent replay.
      const row = await db.selectFrom('oidc_payloads').select('grant_id').where('model', '=', this.model).where('id', '=', id).executeTakeFirst();
      if (row?.grant_id) await revokeByGrantId(row.grant_id);
      throw new errors.InvalidGrant('grant request is invalid');
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeByGrantId(grantId);
    }
  }

  function readRow(row: { payload: string; expires_at: number | null; consumed_at: number | null }): AdapterPayload | undefined {
    if (row.expires_at !== null && Number(row.expires_at) <= clock.now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(Number(row.consumed_at) / 1000) };
  }

  return {
    Adapter: LifelineAdapter,

    /**
     * For introspection (introspection.ts), in one read: the live client `clientId` (undefined
     * when unknown or revoked), and the token of this model with its grant, each as the
     * adapter would return it (undefined when absent or past its row's expiry).
     */
    async forIntrospection(clientId: string, model: 'AccessToken' | 'RefreshToken', tokenId: string): Promise<IntrospectionRead | undefined> {
      const stand: Record<string, string> = { [ASKING_CLIENT]: clientId, [TOKEN_MODEL]: model, [TOKEN_ID]: tokenId };
      const parameters = introspectionQuery.parameters.map((p) => (typeof p === 'string' && p in stand ? stand[p] : p));
      const [row] = (await db.executeQuery<IntrospectionRow>({ ...introspectionQuery, parameters })).rows;
      if (!row) return undefined;
      const token =
        row.token_payload === null ? undefined : readRow({ payload: row.token_payload, expires_at: row.token_expires_at, consumed_at: row.token_consumed_at });
      const grant = row.grant_payload === null ? undefined : readRow({ payload: row.grant_payload, expires_at: row.grant_expires_at, consumed_at: null });
      return {
        client: { id: clientId, metadata: row.client_metadata, secret_sealed: row.client_secret_sealed, first_party: row.client_first_party },
        token,
        grant,
      };
    },

    /** A provider session by uid, as the adapter's findByUid returns it (for tokens bound to their session). */
    async sessionPayloadByUid(uid: string): Promise<AdapterPayload | undefined> {
      const [row] = (await db.executeQuery<StoredRow>({ ...findByUidQuery, parameters: ['Session', uid] })).rows;
      return row ? readRow(row) : undefined;
    },

    /** Housekeeping: rows past their expiry. */
    async prune(): Promise<number> {
      const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', clock.now()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** The clients the account has grants with (for back-channel logout). */
    async clientsOf(trx: Executor, accountId: string): Promise<string[]> {
      const rows = await trx
        .selectFrom('oidc_payloads')
        .select('client_id')
        .distinct()
        .where('account_id', '=', accountId)
        .where('model', '=', 'Grant')
        .execute();
      return rows.flatMap((row) => (row.client_id ? [row.client_id] : []));
    },

    /** Ends every provider session, grant, code and token of the account (and their links), in the caller's transaction. */
    async removeAccount(trx: Executor, accountId: string): Promise<number> {
      const result = await trx.deleteFrom('oidc_payloads').where('account_id', '=', accountId).executeTakeFirst();
      await trx.deleteFrom('oidc_session_links').where('account_id', '=', accountId).execute();
      return Number(result.numDeletedRows);
    },

    /** One provider session by the uid its cookie names, if it is live. */
    async sessionByUid(
      trx: Executor,
      uid: string,
    ): Promise<{ id: string; accountId: string | null; authorizations: Record<string, { sid?: string; grantId?: string }> } | undefined> {
      const row = await trx
        .selectFrom('oidc_payloads')
        .select(['id', 'payload', 'expires_at', 'consumed_at'])
        .where('model', '=', 'Session')
        .where('uid', '=', uid)
        .executeTakeFirst();
      const payload = row ? readRow(row) : undefined;
      if (!row || !payload) return undefined;
      const authorizations = (payload as { authorizations?: Record<string, { sid?: string; grantId?: string }> }).authorizations ?? {};
      return { id: row.id, accountId: typeof payload.accountId === 'string' ? payload.accountId : null, authorizations };
    },

    /** Ends these grants with their codes and tokens. */
    removeGrants,

    /**
     * Records that a provider session was used with this Lifeline session (the Lifeline-session
     * check of every authorization does), so that ending the one ends the other.
     */
    async link(providerSessionUid: string, lifelineSessionId: string, accountId: string): Promise<void> {
      const row = { lifeline_session_id: lifelineSessionId, account_id: accountId, linked_at: clock.now() };
      await db
        .insertInto('oidc_session_links')
        .values({ provider_session_uid: providerSessionUid, ...row })
        .onConflict((oc) => oc.column('provider_session_uid').doUpdateSet(row))
        .execute();
    },

    /** The provider sessions used with these Lifeline sessions (uids), unlinked on the way. */
    async takeLinked(trx: Executor, lifelineSessionIds: readonly string[]): Promise<string[]> {
      if (lifelineSessionIds.length === 0) return [];
      const rows = await trx
        .selectFrom('oidc_session_links')
        .select('provider_session_uid')
        .where('lifeline_session_id', 'in', [...lifelineSessionIds])
        .execute();
      if (rows.length > 0)
        await trx
          .deleteFrom('oidc_session_links')
          .where('lifeline_session_id', 'in', [...lifelineSessionIds])
          .execute();
      return rows.map((row) => row.provider_session_uid);
    },

    /** Links whose Lifeline session is gone (expired and pruned): nothing can end through them any more. */
    async pruneLinks(): Promise<number> {
      const result = await db
        .deleteFrom('oidc_session_links')
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom('sessions').select('sessions.id').whereRef('sessions.id', '=', 'oidc_session_links.lifeline_session_id'))),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Ends one provider session (by its id and uid), its link and the grants made in it. */
    async removeSession(trx: Executor, session: { id: string; uid: string }, grantIds: readonly string[]): Promise<void> {
      await trx.deleteFrom('oidc_payloads').where('model', '=', 'Session').where('id', '=', session.id).execute();
      await trx.deleteFrom('oidc_session_links').where('provider_session_uid', '=', session.uid).execute();
      await removeGrants(trx, grantIds);
    },
  };
}

export type PayloadStore = ReturnType<typeof createPayloadStore>;
