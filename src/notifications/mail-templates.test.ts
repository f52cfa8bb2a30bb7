import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { createTranslator } from '../i18n/translator.js';
import { messageCatalogue } from './catalogue.js';
import { loadMailTemplates } from './mail-templates.js';
import { renderMessage } from './render-message.js';

/** TEMPLATES_DIR (docs/operations.md "Branding"): what is laid over the built-in texts, and what stops the start. */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function templatesDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-templates-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

const load = (dir: string | undefined) => loadMailTemplates({ templatesDir: dir, appName: 'Acme', publicUrl: 'https://id.example.com' });

function problemsOf(dir: string): string[] {
  try {
    load(dir);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const passwordChanged = messageCatalogue['account.password-changed'];

describe('loadMailTemplates', () => {
  it('case=no TEMPLATES_DIR: the built-in texts', () => {
    expect(load(undefined)).toEqual({ overrides: {}, overridden: [] });
  });

  it('case=an override replaces exactly its texts in its language; a shorter list replaces the whole list', () => {
    const dir = templatesDir({
      'de.json': {
        mail: {
          'password-changed': { subject: '{{appName}}: Passwort geändert', paragraphs: ['Ihr Passwort wurde am {{when}} geändert (Gerät: {{device}}).'] },
          layout: { signature: 'Ihr Team von {{appName}}' },
        },
      },
      'README.md': 'not a template; left alone',
    });
    const templates = load(dir);
    expect(templates.overridden).toEqual([
      'de.json: mail.password-changed.subject',
      'de.json: mail.password-changed.paragraphs',
      'de.json: mail.layout.signature',
    ]);
    const translator = createTranslator(templates.overrides);
    const de = renderMessage(passwordChanged, passwordChanged.exampleParams, {
      translator,
      locale: 'de',
      appName: 'Acme',
      publicUrl: 'https://id.example.com',
    });
    expect(de.subject).toBe('Acme: Passwort geändert');
    expect(de.text).toContain('Ihr Passwort wurde am 25. November 2026, 16:05 MEZ geändert (Gerät: Firefox 133 auf Windows 10).');
    expect(de.text).toContain('Ihr Team von Acme');
    // The built-in list had two paragraphs; the override's one is all there is.
    expect(de.text).not.toContain('Passwort vergessen');
    // English keeps the built-in texts; the imported catalogue itself is untouched.
    const en = renderMessage(passwordChanged, passwordChanged.exampleParams, {
      translator,
      locale: 'en',
      appName: 'Acme',
      publicUrl: 'https://id.example.com',
    });
    expect(en.subject).toBe('Acme: Your password was changed');
    expect(createTranslator().text('de', 'mail.layout.signature', { appName: 'Acme' })).toBe('Ihr Acme-Team');
  });

  it('case=override text is text: markup in a param or in the text never reaches the HTML part unescaped', () => {
    const dir = templatesDir({ 'en.json': { mail: { 'password-changed': { paragraphs: ['Changed "{{when}}" on {{device}} – R&D’s notice.'] } } } });
    const translator = createTranslator(load(dir).overrides);
    const rendered = renderMessage(
      passwordChanged,
      { ...passwordChanged.exampleParams, device: '<img src=x onerror=alert(1)>' },
      { translator, locale: 'en', appName: '<b>Acme</b>', publicUrl: 'https://id.example.com' },
    );
    expect(rendered.html).not.toMatch(/<img src=x|<b>Acme/);
    expect(rendered.html).toContain('Changed &quot;25. November 2026, 16:05 MEZ&quot; on &lt;img src=x onerror=alert(1)&gt; – R&amp;D’s notice.');
    expect(rendered.text).toContain('on <img src=x onerror=alert(1)> – R&D’s notice.');
  });

  it.each([
    ['not JSON', '{"mail": {"password-changed": {"subject": "x",}}}', /de\.json: not valid JSON \(/],
    ['not an object', '["mail"]', /de\.json: must be a JSON object/],
    ['another part of the catalogue', { ui: { skipToContent: 'x' } }, /de\.json: ui: only the mail texts \("mail"\) can be overridden/],
    ['an unknown template', { mail: { 'pasword-changed': { subject: 'x' } } }, /de\.json: mail\.pasword-changed: unknown key/],
    ['an unknown key of a template', { mail: { 'password-changed': { subjekt: 'x' } } }, /de\.json: mail\.password-changed\.subjekt: unknown key/],
    ['a list where a text belongs', { mail: { 'password-changed': { subject: ['x'] } } }, /de\.json: mail\.password-changed\.subject: must be a text/],
    [
      'a text where a list belongs',
      { mail: { 'password-changed': { paragraphs: 'x' } } },
      /de\.json: mail\.password-changed\.paragraphs: must be a list of 1 to 20 texts/,
    ],
    ['an empty list', { mail: { 'password-changed': { paragraphs: [] } } }, /mail\.password-changed\.paragraphs: must be a list of 1 to 20 texts/],
    ['a number in a list', { mail: { 'password-changed': { paragraphs: ['ok', 7] } } }, /mail\.password-changed\.paragraphs\.1: must be a text/],
    [
      'a placeholder the template is not given',
      { mail: { 'password-changed': { subject: '{{appName}}: {{password}}' } } },
      /mail\.password-changed\.subject: uses \{\{password\}\}, which this text is not given \(it is given: account, appName, device, ip, profileAddress, undoDays, when\)/,
    ],
    [
      'a placeholder of another template',
      { mail: { 'password-changed': { paragraphs: ['{{token}}'] } } },
      /mail\.password-changed\.paragraphs\.0: uses \{\{token\}\}/,
    ],
    ['an unescaped value', { mail: { 'password-changed': { paragraphs: ['am {{- when}}'] } } }, /\{\{- when\}\} is not a placeholder; write \{\{name\}\}/],
    ['a format', { mail: { 'password-changed': { paragraphs: ['am {{when, datetime}}'] } } }, /\{\{when, datetime\}\} is not a placeholder/],
    ['nesting', { mail: { 'password-changed': { paragraphs: ['$t(mail.layout.footer)'] } } }, /must not nest other texts/],
    ['an unmatched brace', { mail: { 'password-changed': { paragraphs: ['am {{when} geändert'] } } }, /has an unmatched \{\{ or \}\}/],
    ['HTML', { mail: { 'password-changed': { paragraphs: ['<b>Achtung</b>: geändert'] } } }, /is text, not HTML/],
    ['an HTML entity', { mail: { 'password-changed': { paragraphs: ['Gr&uuml;&szlig;e'] } } }, /is text, not HTML/],
    ['a link tag', { mail: { layout: { footer: '<a href="https://evil.example">Hilfe</a>' } } }, /mail\.layout\.footer: is text, not HTML/],
    [
      'a subject over two lines',
      { mail: { 'password-changed': { subject: 'Passwort\nBcc: x@example.com' } } },
      /mail\.password-changed\.subject: a subject must be one line/,
    ],
    ['an empty text', { mail: { 'password-changed': { subject: '  ' } } }, /mail\.password-changed\.subject: must not be empty/],
    ['a huge text', { mail: { 'password-changed': { subject: 'x'.repeat(2001) } } }, /must be at most 2000 characters/],
    ['a layout text with a template param', { mail: { layout: { footer: 'Gesendet an {{email}}' } } }, /mail\.layout\.footer: uses \{\{email\}\}/],
    ['__proto__', '{"mail": {"__proto__": {"subject": "x"}}}', /mail\.__proto__: unknown key/],
  ])('case=%s stops the start, naming the file and the key', (_what, content, message) => {
    const dir = templatesDir({ 'de.json': content });
    const problems = problemsOf(dir);
    expect(problems.join('\n')).toMatch(message);
    expect(problems.every((p) => p.startsWith(`TEMPLATES_DIR: ${join(dir, 'de.json')}: `))).toBe(true);
  });

  it('case=every problem of every file at once; a file for no known language is named', () => {
    const dir = templatesDir({ 'de.json': { mail: { x: {} } }, 'en.json': '{', 'DE.json': {}, 'fr.json': {} });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toContain(`${join(dir, 'fr.json')}: unknown language; the files are named de.json and en.json`);
    expect(problems.join('\n')).toContain(`${join(dir, 'en.json')}: not valid JSON`);
  });

  it('case=the answer lines and the account line are texts like the others (docs/architecture.md "Messages: one answer each")', () => {
    const dir = templatesDir({
      'de.json': {
        mail: {
          'password-reset-code': { ignore: 'Nicht Sie? Dann ignorieren Sie das; Ihr Passwort bleibt.' },
          'deletion-cancelled': { ifNot: 'Wenn Sie das nicht waren, schreiben Sie an sicherheit@example.com ({{profileAddress}}).' },
          layout: { account: 'Ihr Konto {{account}} bei {{appName}}' },
        },
      },
    });
    const translator = createTranslator(load(dir).overrides);
    const render = (kind: 'account.password-reset-code' | 'account.deletion-cancelled') => {
      const definition = messageCatalogue[kind];
      return renderMessage(definition, definition.exampleParams, { translator, locale: 'de', appName: 'Acme', publicUrl: 'https://id.example.com' }).text;
    };
    expect(render('account.password-reset-code')).toContain('Nicht Sie? Dann ignorieren Sie das; Ihr Passwort bleibt.');
    expect(render('account.password-reset-code').split('\n')[0]).toBe('Ihr Konto m***@example.com bei Acme');
    expect(render('account.deletion-cancelled')).toContain('schreiben Sie an sicherheit@example.com (id.example.com/profile).');
    // A placeholder the line is not given stops the start like anywhere else.
    const wrong = templatesDir({ 'de.json': { mail: { 'password-reset-code': { ignore: '{{when}} ignorieren' } } } });
    expect(problemsOf(wrong).join('\n')).toMatch(/mail\.password-reset-code\.ignore: uses \{\{when\}\}/);
  });

  it('case=a directory that is missing or a file is named', () => {
    expect(problemsOf('/nonexistent/lifeline-templates')).toEqual(['TEMPLATES_DIR: cannot read the directory /nonexistent/lifeline-templates (ENOENT)']);
    const dir = templatesDir({ 'de.json': {} });
    expect(problemsOf(join(dir, 'de.json'))).toEqual([`TEMPLATES_DIR: ${join(dir, 'de.json')} is not a directory`]);
    mkdirSync(join(dir, 'sub'));
    expect(load(dir).overridden).toEqual([]);
  });

  it('case=every mail of an overridden language is rendered once at start: one that cannot render stops it, named', () => {
    const dir = templatesDir({ 'en.json': { mail: { 'operator-test': { subject: '{{appName}} test' } } } });
    const broken = {
      'operator.test-mail': { ...messageCatalogue['operator.test-mail'], action: { page: 'x', labelKey: 'mail.actions.confirmEmail', tokenParam: 'token' } },
    };
    expect(() => loadMailTemplates({ templatesDir: dir, appName: 'Acme', publicUrl: 'https://id.example.com', catalogue: broken })).toThrow(
      /en\.json: mail\.operator-test: the mail operator\.test-mail does not render \(message operator-test needs the param token\)/,
    );
  });
});
