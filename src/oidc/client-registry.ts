import type { Clock } from '../core/clock.js';
import type { KeyRing } from '../core/keyring.js';
import { randomToken } from '../core/random.js';
import { seal, unseal } from '../core/sealing.js';
import type { Database, Executor } from '../db/database.js';
import type { OidcClientRow } from '../db/tables.js';
import { isLoopbackUrl } from '../security/client-address.js';
import type { ClientRepository } from './client-repository.js';

export interface NewClient {
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  readonly backchannelLogoutUri?: string | undefined;
  /** The host's own application: no consent page, a refresh token without prompt=consent. */
  readonly firstParty?: boolean;
  /** A SPA or native app: no secret, PKCE alone (token_endpoint_auth_method "none"). */
  readonly public?: boolean;
}

export interface ClientListing {
  readonly clientId: string;
  readonly name: string;
  readonly firstParty: boolean;
  readonly public: boolean;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly backchannelLogoutUri: string | null;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** The OIDC metadata of a client as stored (oidc-provider's names); the secret is kept apart. */
export interface StoredClientMetadata {
  readonly client_id: string;
  readonly client_name: string;
  readonly redirect_uris: readonly string[];
  readonly post_logout_redirect_uris: readonly string[];
  readonly backchannel_logout_uri?: string;
  readonly grant_types: readonly string[];
  readonly response_types: readonly string[];
  readonly token_endpoint_auth_method: 'client_secret_basic' | 'none';
  readonly application_type: 'web' | 'native';
}

/** A live client as oidc-provider's adapter hands it over: the stored metadata, the secret opened. */
export type ProviderClientMetadata = StoredClientMetadata & { client_secret?: string; first_party: boolean };

type ClientRowForProvider = Pick<OidcClientRow, 'id' | 'metadata' | 'secret_sealed' | 'first_party'>;

/** A client just registered: its id, and its secret (confidential clients only), shown this once. */
export interface CreatedClient {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

/** Where a client hears of a logout (its back-channel logout URI). */
export interface BackchannelTarget {
  readonly clientId: string;
  readonly uri: string;
}

/** The client's wrong input, named for the operator (the CLI prints it and exits 2). */
export class ClientInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientInputError';
  }
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;
const MAX_URIS = 20;
const context = (clientId: string) => `oidc-client:${clientId}`;

/**
 * A redirect or logout URI a client may register (docs/oidc.md "Clients"): absolute, no
 * fragment, no credentials; https, or http only on loopback or outside production; for public
 * (native) clients also a private-use scheme with a dot (RFC 8252 7.1, e.g. com.example.app:/cb).
 */
export function checkClientUri(value: string, options: { option: string; production: boolean; allowPrivateScheme: boolean }): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientInputError(`${options.option}: "${value}" is not an absolute URI`);
  }
  if (value.length > 2000) throw new ClientInputError(`${options.option}: longer than 2000 characters`);
  if (url.hash || value.includes('#')) throw new ClientInputError(`${options.option}: "${value}" has a fragment (#…), which OAuth forbids`);
  if (url.username || url.password) throw new ClientInputError(`${options.option}: "${value}" carries credentials`);
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return value;
  if (scheme === 'http') {
    if (!options.production || isLoopbackUrl(value)) return value;
    throw new ClientInputError(`${options.option}: "${value}" uses http; in production only https (or http on loopback for native apps) is allowed`);
  }
  if (options.allowPrivateScheme && scheme.includes('.')) return value;
  throw new ClientInputError(
    `${options.option}: "${value}" must use https${options.allowPrivateScheme ? ', http on loopback, or a private-use scheme such as com.example.app:' : ' (http outside production or on loopback)'}`,
  );
}

/**
 * The host applications that may sign their users in through Lifeline (`lifeline client …`).
 * They live in the database, so a client created or revoked takes effect in every running
 * server at once: oidc-provider asks for the client on every request that names it.
 */
export interface ClientRegistry {
  /**
   * Registers a client after checking its name and URIs ({@link checkClientUri}; a wrong one is a
   * ClientInputError for the CLI to print); the secret (confidential clients only) is returned once.
   */
  create(input: NewClient): Promise<CreatedClient>;

  /** Every client, revoked ones too, for `lifeline client list` (never a secret). */
  list(): Promise<ClientListing[]>;

  /** Revokes a client: it can neither authorize nor use a token any more (its tokens and grants go). False when unknown. */
  revoke(clientId: string): Promise<boolean>;

  /** A live client's metadata with its secret, as oidc-provider's adapter returns it. */
  metadataFor(clientId: string): Promise<ProviderClientMetadata | undefined>;

  /**
   * The same, read-only, from a live client's row read elsewhere (introspection reads it with
   * the token); one object per unchanged row, so callers may key their own caches on it.
   */
  readOnlyMetadata(row: ClientRowForProvider): Readonly<ProviderClientMetadata> | undefined;

  /** Back-channel logout URIs of these clients (live ones with a URI only), in the caller's transaction (SQLite has one connection). */
  backchannelTargets(trx: Executor, clientIds: readonly string[]): Promise<BackchannelTarget[]>;
}

/** Builds the client registry (see {@link ClientRegistry}). */
export function createClientRegistry(deps: {
  database: Database;
  keys: KeyRing;
  clock: Clock;
  production: boolean;
  repository: ClientRepository;
}): ClientRegistry {
  const { database, keys, clock, production, repository } = deps;

  // Opened secrets by their sealed text: the row is still read on every request (a revoked client
  // is refused at once), only the decryption is not repeated. A new secret is new sealed text.
  const opened = new Map<string, string | undefined>();
  function openSecret(clientId: string, sealed: string): string | undefined {
    const key = `${clientId}:${sealed}`;
    if (opened.has(key)) return opened.get(key);
    const secret = unseal(keys, sealed, context(clientId));
    if (opened.size >= 1000) opened.clear();
    opened.set(key, secret);
    return secret;
  }

  function listing(row: OidcClientRow): ClientListing {
    const meta = JSON.parse(row.metadata) as StoredClientMetadata;
    return {
      clientId: row.id,
      name: row.name,
      firstParty: row.first_party === 1,
      public: meta.token_endpoint_auth_method === 'none',
      redirectUris: meta.redirect_uris,
      postLogoutRedirectUris: meta.post_logout_redirect_uris,
      backchannelLogoutUri: meta.backchannel_logout_uri ?? null,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    };
  }

  /**
   * A live client's row as oidc-provider's adapter returns it: metadata, the secret opened,
   * first_party as a boolean; a fresh object each time (the provider may keep and change it).
   * Undefined when the secret cannot be opened: a secret sealed under a retired SECRET_KEY cannot
   * be compared, so the client cannot sign in (lifeline client list says so) rather than anyone
   * with any secret.
   */
  function readMetadata(row: ClientRowForProvider): ProviderClientMetadata | undefined {
    const meta = JSON.parse(row.metadata) as StoredClientMetadata;
    if (row.secret_sealed === null) return { ...meta, first_party: row.first_party === 1 };
    const secret = openSecret(row.id, row.secret_sealed);
    if (secret === undefined) return undefined;
    return { ...meta, client_secret: secret, first_party: row.first_party === 1 };
  }

  // The last metadata read of each client for introspection (a row unchanged since gives the same
  // frozen object: no parse, no decryption; a new secret or revocation reads anew).
  const lastRead = new Map<string, { metadata: string; sealed: string | null; firstParty: number; value: Readonly<ProviderClientMetadata> | undefined }>();
  function readOnlyMetadata(row: ClientRowForProvider): Readonly<ProviderClientMetadata> | undefined {
    const last = lastRead.get(row.id);
    if (last && last.metadata === row.metadata && last.sealed === row.secret_sealed && last.firstParty === row.first_party) return last.value;
    const read = readMetadata(row);
    const value = read && Object.freeze(read);
    if (lastRead.size >= 1000) lastRead.clear();
    lastRead.set(row.id, { metadata: row.metadata, sealed: row.secret_sealed, firstParty: row.first_party, value });
    return value;
  }

  return {
    async create(input) {
      const name = input.name.trim();
      if (!NAME.test(name)) throw new ClientInputError('NAME: 1–64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit');
      const isPublic = input.public === true;
      if (input.redirectUris.length === 0) throw new ClientInputError('--redirect-uri: at least one is required');
      if (input.redirectUris.length > MAX_URIS || (input.postLogoutRedirectUris?.length ?? 0) > MAX_URIS)
        throw new ClientInputError(`at most ${MAX_URIS} URIs of each kind`);
      const redirectUris = [
        ...new Set(input.redirectUris.map((uri) => checkClientUri(uri, { option: '--redirect-uri', production, allowPrivateScheme: isPublic }))),
      ];
      const postLogout = [
        ...new Set(
          (input.postLogoutRedirectUris ?? []).map((uri) =>
            checkClientUri(uri, { option: '--post-logout-redirect-uri', production, allowPrivateScheme: isPublic }),
          ),
        ),
      ];
      const backchannel =
        input.backchannelLogoutUri === undefined
          ? undefined
          : checkClientUri(input.backchannelLogoutUri, { option: '--backchannel-logout-uri', production, allowPrivateScheme: false });
      const native =
        [...redirectUris, ...postLogout].some((uri) => !uri.startsWith('https:') && !uri.startsWith('http:')) ||
        (isPublic && redirectUris.every((uri) => isLoopbackUrl(uri)));

      const clientId = `ll_${randomToken(16)}`;
      const clientSecret = isPublic ? undefined : randomToken(32);
      const metadata: StoredClientMetadata = {
        client_id: clientId,
        client_name: name,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogout,
        ...(backchannel ? { backchannel_logout_uri: backchannel } : {}),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
        application_type: native ? 'native' : 'web',
      };
      await repository.insert(database.db, {
        id: clientId,
        name,
        first_party: input.firstParty ? 1 : 0,
        metadata: JSON.stringify(metadata),
        secret_sealed: clientSecret === undefined ? null : seal(keys, clientSecret, context(clientId)),
        created_at: clock.now(),
        revoked_at: null,
      });
      return { clientId, clientSecret };
    },

    async list() {
      const rows = await repository.list(database.db);
      return rows.map(listing);
    },

    async revoke(clientId) {
      if (!(await repository.revoke(database.db, clientId, clock.now()))) return false;
      // Its tokens and grants go with it: nothing it was given keeps working.
      await repository.deletePayloadsOf(database.db, clientId);
      return true;
    },

    async metadataFor(clientId) {
      const row = await repository.live(database.db, clientId);
      return row ? readMetadata(row) : undefined;
    },

    readOnlyMetadata,

    async backchannelTargets(trx, clientIds) {
      if (clientIds.length === 0) return [];
      const rows = await repository.liveMetadata(trx, clientIds);
      return rows.flatMap((row) => {
        const uri = (JSON.parse(row.metadata) as StoredClientMetadata).backchannel_logout_uri;
        return uri ? [{ clientId: row.id, uri }] : [];
      });
    },
  };
}
