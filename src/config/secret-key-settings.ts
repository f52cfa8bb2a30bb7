import { deriveKeyId, MIN_KEY_BYTES, type SecretKey } from '../core/keyring.js';
import type { Environment } from './environment-schema.js';

/** Parses a key given as `base64` or `id:base64`. */
function parseKey(name: string, entry: string, problems: string[]): SecretKey | undefined {
  const colon = entry.indexOf(':');
  const id = colon === -1 ? undefined : entry.slice(0, colon).trim();
  const encoded = (colon === -1 ? entry : entry.slice(colon + 1)).trim();
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
    problems.push(`${name}: a key id may only contain letters, digits, _ and - (at most 32)`);
    return undefined;
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
    problems.push(`${name}: must be base64 (generate one with: openssl rand -base64 32)`);
    return undefined;
  }
  const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  if (key.length < MIN_KEY_BYTES) {
    problems.push(`${name}: must be at least ${MIN_KEY_BYTES} random bytes, base64-encoded (generate one with: openssl rand -base64 32)`);
    return undefined;
  }
  return { id: id ?? deriveKeyId(key), key };
}

/**
 * SECRET_KEY and PREVIOUS_SECRET_KEYS (docs/operations.md "Keys and rotation"), read from the raw
 * environment: they are checked even when other variables are wrong, so one run reports every
 * problem. Without SECRET_KEY outside production the embedded default's key file is used
 * (`fallbackSecretKey`, see `loadConfig`).
 */
export function parseSecretKeys(
  env: Environment,
  isProduction: boolean,
  fallbackSecretKey: Buffer | undefined,
  problems: string[],
): { readonly current: SecretKey | undefined; readonly previous: SecretKey[] } {
  const secretKey = env.SECRET_KEY?.trim();

  let current: SecretKey | undefined;
  if (secretKey !== undefined) current = parseKey('SECRET_KEY', secretKey, problems);
  else if (isProduction) problems.push('SECRET_KEY: is required in production (generate one with: openssl rand -base64 32)');
  else if (fallbackSecretKey) current = { id: deriveKeyId(fallbackSecretKey), key: fallbackSecretKey };
  else problems.push('SECRET_KEY: is not set and no key file was loaded');

  const previous: SecretKey[] = [];
  for (const entry of (env.PREVIOUS_SECRET_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const key = parseKey('PREVIOUS_SECRET_KEYS', entry, problems);
    if (key) previous.push(key);
  }
  if (current && previous.some((p) => p.id === current.id)) {
    problems.push('PREVIOUS_SECRET_KEYS: contains a key with the same id as SECRET_KEY');
  }
  return { current, previous };
}
