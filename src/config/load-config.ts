import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config-error.js';
import type { Config } from './config.js';
import { defaultDataDir, parseConfig, type Environment } from './parse-config.js';

export const KEY_FILE_NAME = 'secret-key';

/**
 * Reads (or, the first time, creates) the embedded default's server key in DATA_DIR with
 * mode 0600. The key is written to a file of its own first and then hard-linked into place,
 * which fails if the name exists: so a server and a CLI starting at the same moment end up
 * with the same key, and neither can ever read a half-written file.
 */
export function ensureKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE_NAME);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!existsSync(file)) {
      const candidate = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(candidate, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
      try {
        linkSync(candidate, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(candidate);
      }
    }
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length < 32) throw new Error('the file holds fewer than 32 bytes');
    return key;
  } catch (error) {
    throw new ConfigError([`DATA_DIR: cannot read or create the key file ${file}: ${(error as Error).message}`]);
  }
}

/**
 * The composition roots' entry: parses the environment and, in the embedded default
 * (no SECRET_KEY outside production), loads the generated key file from DATA_DIR.
 */
export function loadConfig(env: Environment = process.env): Config {
  const wantsKeyFile = !env.SECRET_KEY && env.NODE_ENV !== 'production';
  if (!wantsKeyFile) return parseConfig(env);
  // Parse once without the key first, so a wrong DATA_DIR or any other mistake is reported
  // before anything is written to disk.
  parseConfig(env, { fallbackSecretKey: Buffer.alloc(32) });
  const dataDir = path.resolve(env.DATA_DIR?.trim() || defaultDataDir);
  return parseConfig(env, { fallbackSecretKey: ensureKeyFile(dataDir) });
}
