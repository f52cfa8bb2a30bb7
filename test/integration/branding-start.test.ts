import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SECRET_KEY } from '../helpers/test-config.js';

/**
 * The built server and CLI (npm test builds first) with a broken branding: the start stops
 * before it opens the database, exit 1, with a message naming the variable, the file and the
 * key, never a stack trace; `lifeline config` shows the branding and the overridden texts
 * (docs/operations.md "Branding").
 */
const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const mainPath = join(root, 'dist', 'main.js');
const cliPath = join(root, 'dist', 'cli', 'main.js');
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)|node:internal/);

async function exec(path: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('a broken branding stops the start, named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-branding-start-'));
  // A database that does not exist: the start must stop at the templates, before it tries to connect.
  const env = { SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: join(dir, 'data'), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['not JSON', '{"mail": {"password-changed": {"subject": "Passwort geändert",}}}', 'de.json: not valid JSON'],
    ['an unknown key', { mail: { 'password-changed': { subjekt: 'Passwort geändert' } } }, 'de.json: mail.password-changed.subjekt: unknown key'],
    [
      'a placeholder the mail is not given',
      { mail: { 'password-changed': { subject: '{{appName}}: {{passwort}}' } } },
      'de.json: mail.password-changed.subject: uses {{passwort}}, which this text is not given',
    ],
    ['HTML', { mail: { layout: { footer: '<a href="https://evil.example">Hilfe</a>' } } }, 'de.json: mail.layout.footer: is text, not HTML'],
  ])('npm start with %s in TEMPLATES_DIR/de.json: exit 1, the file and the key named', async (_what, content, message) => {
    const templates = mkdtempSync(join(dir, 'templates-'));
    writeFileSync(join(templates, 'de.json'), typeof content === 'string' ? content : JSON.stringify(content));
    const r = await exec(mainPath, [], { ...env, TEMPLATES_DIR: templates });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lifeline: Invalid configuration:');
    expect(r.stderr).toContain(`TEMPLATES_DIR: ${join(templates, message)}`);
    expect(r.stderr).not.toContain('DATABASE_URL');
    noStackTrace(r.stderr);
  });

  it('npm start with a TEMPLATES_DIR that does not exist, or a javascript: link: exit 1, named', async () => {
    const missing = await exec(mainPath, [], { ...env, TEMPLATES_DIR: join(dir, 'nowhere') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`TEMPLATES_DIR: cannot read the directory ${join(dir, 'nowhere')} (ENOENT)`);
    const script = await exec(mainPath, [], { ...env, BRAND_PRIVACY_URL: 'javascript:alert(1)', BRAND_ACCENT_COLOR: 'red' });
    expect(script.code).toBe(1);
    expect(script.stderr).toContain('BRAND_PRIVACY_URL: must be an absolute http:// or https:// URL (got "javascript:alert(1)")');
    expect(script.stderr).toContain('BRAND_ACCENT_COLOR: must be a colour as #rrggbb');
    noStackTrace(script.stderr);
  });

  it('lifeline config shows the branding and what TEMPLATES_DIR overrides; a broken file is named there too', async () => {
    const templates = mkdtempSync(join(dir, 'templates-'));
    writeFileSync(join(templates, 'en.json'), JSON.stringify({ mail: { 'operator-test': { subject: '{{appName}} mail test' } } }));
    const r = await exec(cliPath, ['config'], {
      ...env,
      TEMPLATES_DIR: templates,
      BRAND_ACCENT_COLOR: '#ffd400',
      BRAND_IMPRINT_URL: 'https://www.example.com/impressum',
    });
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout) as {
      branding: { accent: { color: string; ink: string }; links: { imprint: string } };
      mail: { templatesDir: string; overridden: string[] };
    };
    expect(view.branding.accent).toMatchObject({ color: '#ffd400', ink: '#000000' });
    expect(view.branding.links.imprint).toBe('https://www.example.com/impressum');
    expect(view.mail).toMatchObject({ templatesDir: templates, overridden: ['en.json: mail.operator-test.subject'] });
    writeFileSync(join(templates, 'en.json'), '{');
    const broken = await exec(cliPath, ['config'], { ...env, TEMPLATES_DIR: templates });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`TEMPLATES_DIR: ${join(templates, 'en.json')}: not valid JSON`);
    noStackTrace(broken.stderr);
  });
});
