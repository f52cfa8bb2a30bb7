import { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPES, isApiKeyScope, type ApiKeyScope } from '../../api-keys/api-key-service.js';
import { refusalsByCode, withServices, type CliOutput } from '../context.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/**
 * The scopes of `--scope` (repeatable; a value may also list several, comma-separated), or the
 * message that names the wrong one. None given: the default (`verifications`).
 */
export function parseScopes(values: readonly string[] | undefined): { scopes: ApiKeyScope[] } | { error: string } {
  const words = (values ?? []).flatMap((value) => value.split(',')).map((word) => word.trim());
  if (words.length === 0) return { scopes: [...DEFAULT_API_KEY_SCOPES] };
  const wrong = words.find((word) => !isApiKeyScope(word));
  if (wrong !== undefined) return { error: `--scope: "${wrong}" is not a scope; use one or more of ${API_KEY_SCOPES.join(', ')}` };
  return { scopes: [...new Set(words.filter(isApiKeyScope))] };
}

/**
 * `lifeline api-key create NAME [--scope SCOPE …] [--json]`: prints a new key once (only its
 * keyed hash is stored, so it cannot be shown again); the key goes into the host's secret store.
 * With `--json`, stdout holds exactly `{"name", "key", "scopes"}` and every other word goes to
 * stderr. A wrong scope or name exits 2 before anything is stored.
 */
export async function apiKeyCreateCommand(env: NodeJS.ProcessEnv, name: string, options: { scope?: string[]; json?: boolean }, io: CliOutput): Promise<number> {
  const parsed = parseScopes(options.scope);
  if ('error' in parsed) {
    io.err(`lifeline api-key create: ${parsed.error}`);
    return 2;
  }
  return withServices(
    env,
    io,
    async (services) => {
      const { key, apiKey } = await services.apiKeys.create(name, parsed.scopes);
      if (options.json) {
        io.out(JSON.stringify({ name: apiKey.name, key, scopes: apiKey.scopes }));
        return 0;
      }
      io.out(
        `API key "${apiKey.name}" created with scopes ${apiKey.scopes.join(', ')}. It is shown only now; store it where the host application keeps secrets:`,
      );
      io.out('');
      io.out(key);
      io.out('');
      io.out('Send it as:  Authorization: Bearer <key>');
      return 0;
    },
    refusalsByCode({
      'api-key-name-taken': {
        exitCode: 1,
        message: `lifeline api-key create: a key named "${name}" exists already (names stay taken after a revoke: choose another name)`,
      },
      'validation-failed': {
        exitCode: 2,
        message: 'lifeline api-key create: NAME: 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      },
    }),
  );
}

/** `lifeline api-key list [--json]`: names, creation, last use, revocation, scopes; never a key. */
export async function apiKeyListCommand(env: NodeJS.ProcessEnv, options: { json?: boolean }, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    const keys = await services.apiKeys.list();
    if (options.json) {
      io.out(
        JSON.stringify(
          keys.map((k) => ({
            name: k.name,
            scopes: k.scopes,
            createdAt: iso(k.createdAt),
            lastUsedAt: k.lastUsedAt === null ? null : iso(k.lastUsedAt),
            revokedAt: k.revokedAt === null ? null : iso(k.revokedAt),
          })),
          null,
          2,
        ),
      );
      return 0;
    }
    if (keys.length === 0) io.out('(no API keys; create one with: lifeline api-key create NAME)');
    for (const k of keys) {
      io.out(
        `${k.name}  ${k.revokedAt === null ? 'active' : 'REVOKED'}  created ${iso(k.createdAt)}  last used ${iso(k.lastUsedAt)}${k.revokedAt === null ? '' : `  revoked ${iso(k.revokedAt)}`}  scopes ${k.scopes.join(',')}`,
      );
    }
    return 0;
  });
}

/** `lifeline api-key revoke NAME`: the key stops working at once (401); its records stay attributable. */
export async function apiKeyRevokeCommand(env: NodeJS.ProcessEnv, name: string, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    if (!(await services.apiKeys.revoke(name))) {
      io.err(`lifeline api-key revoke: no active key named "${name}" (see: lifeline api-key list)`);
      return 1;
    }
    io.out(`API key "${name}" revoked.`);
    return 0;
  });
}
