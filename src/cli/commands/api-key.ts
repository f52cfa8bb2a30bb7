import { isLifelineError } from '../../core/errors.js';
import { openServices, type CliOutput } from '../context.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/**
 * `lifeline api-key create NAME`: prints a new key once (only its keyed hash is stored, so it
 * cannot be shown again); the key goes into the host's secret store.
 */
export async function apiKeyCreateCommand(env: NodeJS.ProcessEnv, name: string, io: CliOutput): Promise<number> {
  const { services, close } = await openServices(env);
  try {
    const { key, apiKey } = await services.apiKeys.create(name);
    io.out(`API key "${apiKey.name}" created. It is shown only now; store it where the host application keeps secrets:`);
    io.out('');
    io.out(key);
    io.out('');
    io.out('Send it as:  Authorization: Bearer <key>');
    return 0;
  } catch (error) {
    if (isLifelineError(error) && error.code === 'api-key-name-taken') {
      io.err(`lifeline api-key create: a key named "${name}" exists already (names stay taken after a revoke: choose another name)`);
      return 1;
    }
    if (isLifelineError(error) && error.code === 'validation-failed') {
      io.err('lifeline api-key create: NAME: 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');
      return 2;
    }
    throw error;
  } finally {
    await close();
  }
}

/** `lifeline api-key list [--json]`: names, creation, last use, revocation; never a key. */
export async function apiKeyListCommand(env: NodeJS.ProcessEnv, options: { json?: boolean }, io: CliOutput): Promise<number> {
  const { services, close } = await openServices(env);
  try {
    const keys = await services.apiKeys.list();
    if (options.json) {
      io.out(JSON.stringify(keys.map((k) => ({ name: k.name, createdAt: iso(k.createdAt), lastUsedAt: k.lastUsedAt === null ? null : iso(k.lastUsedAt), revokedAt: k.revokedAt === null ? null : iso(k.revokedAt) })), null, 2));
      return 0;
    }
    if (keys.length === 0) io.out('(no API keys; create one with: lifeline api-key create NAME)');
    for (const k of keys) io.out(`${k.name}  ${k.revokedAt === null ? 'active' : 'REVOKED'}  created ${iso(k.createdAt)}  last used ${iso(k.lastUsedAt)}${k.revokedAt === null ? '' : `  revoked ${iso(k.revokedAt)}`}`);
    return 0;
  } finally {
    await close();
  }
}

/** `lifeline api-key revoke NAME`: the key stops working at once (401); its records stay attributable. */
export async function apiKeyRevokeCommand(env: NodeJS.ProcessEnv, name: string, io: CliOutput): Promise<number> {
  const { services, close } = await openServices(env);
  try {
    if (!(await services.apiKeys.revoke(name))) {
      io.err(`lifeline api-key revoke: no active key named "${name}" (see: lifeline api-key list)`);
      return 1;
    }
    io.out(`API key "${name}" revoked.`);
    return 0;
  } finally {
    await close();
  }
}
