import type Provider from 'oidc-provider';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { MINUTE } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Database, Executor } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import type { Outbox } from '../delivery/outbox/outbox.js';
import type { SessionService } from '../sessions/session-service.js';
import type { AccountRepository } from '../accounts/account-repository.js';
import { createBackchannelLogoutChannel, createBackchannelLogouts, createLogoutTokenSigner } from './backchannel-logout.js';
import { createClientRegistry } from './client-registry.js';
import type { ClientRepository } from './client-repository.js';
import { createIntrospection } from './introspection.js';
import { createOidcProvider, OIDC_MOUNT_PATH, type OidcPages } from './oidc-provider.js';
import { createPayloadStore } from './payload-store.js';
import type { SigningKeyRepository } from './signing-key-repository.js';
import { createSigningKeys } from './signing-keys.js';

export interface OidcDeps {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pages: OidcPages;
  readonly outbox: Outbox;
  readonly sessions: SessionService;
  /** The repositories the provider's parts read and write, created once in services.ts. */
  readonly repositories: {
    readonly accounts: Pick<AccountRepository, 'findById'>;
    readonly clients: ClientRepository;
    readonly signingKeys: SigningKeyRepository;
  };
  readonly sessionCookieName: string;
  /** Ends a Lifeline session by its cookie token if it is this account's (RP-initiated logout confirmed). */
  readonly signOut: (sessionToken: string, client: { ip: string; userAgent: string | null }, accountId: string) => Promise<boolean>;
}

/** How often an instance looks for rotated signing keys (docs/operations.md "Signing keys"). */
const KEY_CHECK_INTERVAL_MS = MINUTE;

/**
 * Lifeline as an OpenID Connect provider (docs/oidc.md): the provider, its clients and keys,
 * the back-channel logout channel, and "sessions end together": whenever Lifeline ends an
 * account's sessions (sessions.revokeAll / revokeDevice), the account's provider sessions,
 * grants, codes and tokens go in the same transaction, and every host application the account
 * used hears it through a logout token in the outbox.
 */
export function createOidc(deps: OidcDeps) {
  const { config, database, clock, logger } = deps;
  const issuer = `${config.http.publicUrl}${OIDC_MOUNT_PATH}`;
  const { repositories } = deps;
  const signingKeys = createSigningKeys({ database, keys: config.keys, clock, repository: repositories.signingKeys });
  const clients = createClientRegistry({ database, keys: config.keys, clock, production: config.isProduction, repository: repositories.clients });
  const payloads = createPayloadStore({ database, clock, clients });
  const backchannel = createBackchannelLogouts({ outbox: deps.outbox, clients });
  const channel = createBackchannelLogoutChannel({
    signer: createLogoutTokenSigner({ signingKeys, issuer, clock }),
    allowPrivateNetworks: config.outbound.allowPrivateNetworks,
  });

  let current: { provider: Provider; fingerprint: string; checkedAt: number } | undefined;
  let loading: Promise<Provider> | undefined;

  async function build(): Promise<Provider> {
    await signingKeys.ensure();
    let loaded = await signingKeys.load();
    if (loaded.unreadable.length > 0) {
      logger.error(
        { event: 'oidc.keys_unreadable', kids: loaded.unreadable },
        'signing keys sealed with a SECRET_KEY this instance does not have cannot be read (docs/operations.md "Signing keys")',
      );
    }
    if (loaded.keys.length === 0) {
      // Every key was sealed under a SECRET_KEY that is gone: a new key keeps the provider up;
      // tokens signed before no longer verify (hosts sign their users in again).
      await signingKeys.rotate();
      loaded = await signingKeys.load();
    }
    if (current && current.fingerprint === loaded.fingerprint) {
      current = { ...current, checkedAt: clock.now() };
      return current.provider;
    }
    if (loaded.keys.length === 0) throw new Error('no readable OpenID Connect signing key (run: lifeline oidc-keys rotate)');
    const provider = createOidcProvider({ ...deps, accounts: repositories.accounts, payloads, clients, backchannel }, loaded.keys);
    if (current) logger.info({ event: 'oidc.keys_reloaded', kids: loaded.fingerprint }, 'signing keys changed; provider reloaded');
    current = { provider, fingerprint: loaded.fingerprint, checkedAt: clock.now() };
    return provider;
  }

  /** The provider, its keys re-read at most once a minute (a rotation reaches every instance). */
  async function provider(): Promise<Provider> {
    if (current && clock.now() - current.checkedAt < KEY_CHECK_INTERVAL_MS) return current.provider;
    loading ??= build().finally(() => {
      loading = undefined;
    });
    try {
      return await loading;
    } catch (error) {
      // The database is down for a moment: keep serving with the keys we have.
      if (current) return current.provider;
      throw error;
    }
  }

  /** Ends the account's provider state and tells its host applications; inside the caller's transaction. */
  async function endAccount(trx: Executor, accountId: string): Promise<void> {
    const clientIds = await payloads.clientsOf(trx, accountId);
    const removed = await payloads.removeAccount(trx, accountId);
    const told = await backchannel.enqueue(trx, { accountId, clientIds });
    if (removed > 0 || told > 0)
      logger.info({ event: 'oidc.account_ended', accountId, removed, logoutTokens: told }, 'provider sessions and grants of the account ended');
  }

  /**
   * Ends one provider session (by uid) with the grants made in it; its host applications get a
   * logout token with the session's sid. With `accountId`, only if the session is that account's.
   */
  async function endProviderSession(trx: Executor, uid: string, accountId?: string): Promise<void> {
    const session = await payloads.sessionByUid(trx, uid);
    if (!session?.accountId || (accountId !== undefined && session.accountId !== accountId)) return;
    const clientIds = Object.keys(session.authorizations);
    const grantIds = clientIds.flatMap((id) => (session.authorizations[id]?.grantId ? [String(session.authorizations[id].grantId)] : []));
    await payloads.removeSession(trx, { id: session.id, uid }, grantIds);
    const told = await backchannel.enqueue(trx, {
      accountId: session.accountId,
      clientIds,
      sids: Object.fromEntries(clientIds.map((id) => [id, session.authorizations[id]?.sid])),
    });
    logger.info({ event: 'oidc.session_ended', accountId: session.accountId, grants: grantIds.length, logoutTokens: told }, 'a provider session ended');
  }

  deps.sessions.whenSessionsEnd(async (trx, ended) => {
    if (ended.sessionIds === 'all') {
      await endAccount(trx, ended.accountId);
      return;
    }
    // The provider sessions used with exactly these Lifeline sessions (one browser signed out or
    // ended from the session list, or a device's sessions), not the account's others.
    for (const uid of await payloads.takeLinked(trx, ended.sessionIds)) await endProviderSession(trx, uid, ended.accountId);
  });

  return {
    issuer,
    clients,
    signingKeys,
    payloads,
    /** Introspection of the common requests in one read (the provider answers the rest). */
    introspection: createIntrospection({ payloads, clients, issuer }),
    /** The outbox channel "backchannel" (the worker delivers logout tokens through it). */
    channel,
    provider,
    /** Builds the provider before the first request (keys made on the first start). */
    ready: async (): Promise<void> => {
      await provider();
    },
    /** Ends one provider session by uid (its grants, a logout token to its hosts): a browser switching accounts. */
    endProviderSession: (uid: string) => inTransaction(database, (trx) => endProviderSession(trx, uid)),
  };
}

export type Oidc = ReturnType<typeof createOidc>;
