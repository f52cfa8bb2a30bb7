import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { KEY_FILE_NAME, loadConfig } from './load-config.js';

describe('loadConfig (the embedded default key file)', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('case=generates the key once into DATA_DIR with mode 0600 and reuses it', () => {
    const dataDir = join(tempDir(), 'data');
    const first = loadConfig({ DATA_DIR: dataDir });
    const file = join(dataDir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length).toBe(32);
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.keys.current.key.equals(first.keys.current.key)).toBe(true);
  });

  it('case=processes starting together end up with one key, never a half-written file', async () => {
    const dataDir = join(tempDir(), 'data');
    const built = join(import.meta.dirname, '..', '..', 'dist', 'config', 'load-config.js');
    const script = `import(${JSON.stringify(built)}).then((m) => process.stdout.write(m.ensureKeyFile(${JSON.stringify(dataDir)}).toString('base64')))`;
    const keys = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((resolve, reject) => {
            execFile(process.execPath, ['-e', script], (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout)));
          }),
      ),
    );
    expect(new Set(keys).size).toBe(1);
    expect(Buffer.from(keys[0] ?? '', 'base64')).toHaveLength(32);
    expect(readdirSync(dataDir)).toEqual([KEY_FILE_NAME]); // no candidate files left behind
  });

  it('case=tightens a key file that others can read', () => {
    const dataDir = tempDir();
    const file = join(dataDir, KEY_FILE_NAME);
    writeFileSync(file, Buffer.alloc(32, 3).toString('base64'), { mode: 0o644 });
    loadConfig({ DATA_DIR: dataDir });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('case=SECRET_KEY wins and no file is written', () => {
    const dataDir = tempDir();
    loadConfig({ DATA_DIR: dataDir, SECRET_KEY: Buffer.alloc(32, 5).toString('base64') });
    expect(() => statSync(join(dataDir, KEY_FILE_NAME))).toThrow();
  });

  it('case=a wrong setting is reported before anything is written', () => {
    const dataDir = join(tempDir(), 'data');
    expect(() => loadConfig({ DATA_DIR: dataDir, PORT: 'x' })).toThrow(ConfigError);
    expect(() => statSync(dataDir)).toThrow();
  });

  it('case=production never generates a key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrow(/SECRET_KEY: is required in production/);
  });

  it('case=an unusable DATA_DIR is named', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    expect(() => loadConfig({ DATA_DIR: file })).toThrow(/DATA_DIR: cannot read or create the key file/);
  });
});
