import { ClientInputError } from '../../oidc/client-registry.js';
import { withServices, type CliOutput } from '../context.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface ClientCreateOptions {
  readonly redirectUri?: string[];
  readonly postLogoutRedirectUri?: string[];
  readonly backchannelLogoutUri?: string;
  readonly firstParty?: boolean;
  readonly public?: boolean;
  readonly json?: boolean;
}

/**
 * `lifeline client create NAME --redirect-uri URI … [--post-logout-redirect-uri URI …]
 * [--backchannel-logout-uri URI] [--first-party] [--public] [--json]`: registers a host
 * application with the OpenID Connect provider (docs/oidc.md "Clients"). The secret is printed
 * once (stored sealed with SECRET_KEY); public clients (SPAs, native apps) get none and use PKCE
 * alone. Takes effect in running servers at once. Wrong input exits 2 before anything is stored.
 */
export async function clientCreateCommand(env: NodeJS.ProcessEnv, name: string, options: ClientCreateOptions, io: CliOutput): Promise<number> {
  return withServices(
    env,
    io,
    async (services) => {
      const created = await services.oidc.clients.create({
        name,
        redirectUris: options.redirectUri ?? [],
        postLogoutRedirectUris: options.postLogoutRedirectUri ?? [],
        backchannelLogoutUri: options.backchannelLogoutUri,
        firstParty: options.firstParty === true,
        public: options.public === true,
      });
      if (options.json) {
        io.out(JSON.stringify({ clientId: created.clientId, ...(created.clientSecret === undefined ? {} : { clientSecret: created.clientSecret }) }));
        return 0;
      }
      io.out(`Client "${name}" registered${options.firstParty ? ' (first party: no consent page)' : ' (third party: the user is asked for consent)'}.`);
      io.out('');
      io.out(`  OIDC_ISSUER=${services.oidc.issuer}`);
      io.out(`  OIDC_CLIENT_ID=${created.clientId}`);
      if (created.clientSecret !== undefined) io.out(`  OIDC_CLIENT_SECRET=${created.clientSecret}`);
      io.out('');
      io.out(
        created.clientSecret === undefined
          ? 'A public client: no secret; it must use PKCE (S256).'
          : 'The secret is shown only now; store it where the host application keeps secrets.',
      );
      return 0;
    },
    (error) => (error instanceof ClientInputError ? { exitCode: 2, message: `lifeline client create: ${error.message}` } : undefined),
  );
}

/** `lifeline client list [--json]`: the registered clients, never a secret. */
export async function clientListCommand(env: NodeJS.ProcessEnv, options: { json?: boolean }, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    const clients = await services.oidc.clients.list();
    if (options.json) {
      io.out(
        JSON.stringify(
          clients.map((c) => ({ ...c, createdAt: iso(c.createdAt), revokedAt: iso(c.revokedAt) })),
          null,
          2,
        ),
      );
      return 0;
    }
    if (clients.length === 0) io.out('(no clients; register one with: lifeline client create NAME --redirect-uri URI)');
    for (const c of clients) {
      io.out(
        `${c.clientId}  ${c.name}  ${c.revokedAt === null ? 'active' : `REVOKED ${iso(c.revokedAt)}`}  ${c.firstParty ? 'first-party' : 'third-party'}${c.public ? ' public' : ''}`,
      );
      io.out(`    redirect: ${c.redirectUris.join(' ')}${c.backchannelLogoutUri ? `\n    back-channel logout: ${c.backchannelLogoutUri}` : ''}`);
    }
    return 0;
  });
}

/** `lifeline client revoke CLIENT_ID`: the client can do nothing more; its tokens and grants end. */
export async function clientRevokeCommand(env: NodeJS.ProcessEnv, clientId: string, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    if (!(await services.oidc.clients.revoke(clientId))) {
      io.err(`lifeline client revoke: no active client ${clientId}`);
      return 1;
    }
    io.err(`client ${clientId} revoked: its tokens no longer work and it cannot sign anyone in`);
    return 0;
  });
}

/** `lifeline oidc-keys list [--json]`: the signing keys, which signs, which are retired. */
export async function oidcKeysListCommand(env: NodeJS.ProcessEnv, options: { json?: boolean }, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    await services.oidc.signingKeys.ensure();
    const keys = await services.oidc.signingKeys.list();
    if (options.json) {
      io.out(
        JSON.stringify(
          keys.map((k) => ({ ...k, createdAt: iso(k.createdAt), retiredAt: iso(k.retiredAt) })),
          null,
          2,
        ),
      );
      return 0;
    }
    for (const k of keys)
      io.out(`${k.kid}  ${k.alg}  created ${iso(k.createdAt)}  ${k.retiredAt !== null ? `retired ${iso(k.retiredAt)}` : k.signing ? 'SIGNING' : 'published'}`);
    return 0;
  });
}

/**
 * `lifeline oidc-keys rotate`: a new signing key, published at once by every instance (within a
 * minute) and signing after ten minutes, so hosts that cache the key set have seen it first.
 */
export async function oidcKeysRotateCommand(env: NodeJS.ProcessEnv, options: { json?: boolean }, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    const made = await services.oidc.signingKeys.rotate();
    if (options.json) io.out(JSON.stringify({ kid: made.kid, alg: made.alg, createdAt: iso(made.createdAt) }));
    else
      io.out(
        `new signing key ${made.kid} published; it signs from ten minutes on. Retire the old one (lifeline oidc-keys retire KID) once its tokens have expired.`,
      );
    return 0;
  });
}

/** `lifeline oidc-keys retire KID`: stops publishing an old key (never the signing one). */
export async function oidcKeysRetireCommand(env: NodeJS.ProcessEnv, kid: string, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    const outcome = await services.oidc.signingKeys.retire(kid);
    if (outcome === 'unknown') {
      io.err(`lifeline oidc-keys retire: no published key ${kid}`);
      return 1;
    }
    if (outcome === 'too-soon') {
      io.err(`lifeline oidc-keys retire: the new signing key has signed for less than an hour; tokens signed with ${kid} may still be in use — retry later`);
      return 1;
    }
    if (outcome === 'signing') {
      io.err(`lifeline oidc-keys retire: ${kid} signs now; rotate first, then retire it once the new key signs`);
      return 1;
    }
    io.err(`key ${kid} retired: no longer published; tokens it signed no longer verify`);
    return 0;
  });
}
