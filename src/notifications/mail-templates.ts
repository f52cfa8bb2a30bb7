import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BrandingConfig } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { catalogues, createTranslator, isLocale, locales, type CatalogueOverrides, type Locale } from '../i18n/translator.js';
import { messageCatalogue, type MessageCatalogue } from './catalogue.js';
import { renderMessage, type MessageParams } from './render-message.js';

/**
 * The operator's own mail texts (TEMPLATES_DIR, docs/operations.md "Branding"): `de.json` and
 * `en.json`, each a subset of the `mail` tree of src/i18n/<locale>.json, laid over the built-in
 * texts. Checked once at start, before anything else runs: a file that is not JSON, a key the
 * catalogue does not have, a wrong shape, a placeholder the template is not given, i18next
 * syntax that is not a plain placeholder or text that looks like HTML stops the start with a
 * message naming the file and the key. Then every mail is rendered once with its example
 * params in each overridden language, to prove the texts work before the first real message.
 */
export interface MailTemplates {
  /** What createTranslator lays over the built-in catalogues. */
  readonly overrides: CatalogueOverrides;
  /** The overridden texts, as `<file>: <key>` (for the start log and `lifeline config`). */
  readonly overridden: readonly string[];
}

export const noMailTemplates: MailTemplates = { overrides: {}, overridden: [] };

/** A file larger than this is not a set of mail texts (and is not read into memory). */
const MAX_FILE_BYTES = 256 * 1024;
const MAX_TEXT_LENGTH = 2000;
const MAX_PARAGRAPHS = 20;

/** `{{name}}` or `{{ name }}`: the one interpolation an override may use. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PLACEHOLDER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Markup or an entity: mails escape every text, so it would show as written. */
const LOOKS_LIKE_HTML = /<\/?[A-Za-z][^<>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);/;

/** Values every mail text gets from renderMessage, whatever the template. */
const LAYOUT_VALUES = ['appName', 'undoDays', 'profileAddress'];

type Tree = Readonly<Record<string, unknown>>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

function placeholdersIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const match of value.matchAll(PLACEHOLDER)) into.add((match[1] ?? '').trim());
  else if (Array.isArray(value)) for (const item of value) placeholdersIn(item, into);
  else if (isTree(value)) for (const child of Object.values(value)) placeholdersIn(child, into);
  return into;
}

function at(tree: unknown, keys: readonly string[]): unknown {
  let node = tree;
  for (const key of keys) node = isTree(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  return node;
}

/**
 * The placeholders a text under `mail.<keys>` may use. A template's texts get the params of
 * every message kind that uses it (their example params say which; a param only some kinds
 * give is not safe), the layout's values and whatever the built-in texts of that template use.
 * Other texts (the layout, button labels, device names) get what their built-in text uses.
 */
function allowedPlaceholders(keys: readonly string[], catalogue: MessageCatalogue): Set<string> {
  const [group = ''] = keys;
  const builtIn = (subtree: readonly string[]) => new Set(locales.flatMap((locale) => [...placeholdersIn(at(catalogues[locale], ['mail', ...subtree]))]));
  const kinds = Object.values(catalogue).filter((definition) => definition.channel === 'email' && definition.template === group);
  if (kinds.length > 0) {
    const given = kinds.map((definition) => new Set(Object.keys(definition.exampleParams))).reduce((a, b) => new Set([...a].filter((name) => b.has(name))));
    return new Set([...given, ...LAYOUT_VALUES, ...builtIn([group])]);
  }
  return new Set([...(group === 'layout' || group === 'actions' ? LAYOUT_VALUES : []), ...builtIn(keys)]);
}

function checkText(value: string, keys: readonly string[], catalogue: MessageCatalogue, problem: (message: string) => void): void {
  if (value.trim() === '') return problem('must not be empty');
  if (value.length > MAX_TEXT_LENGTH) return problem(`must be at most ${MAX_TEXT_LENGTH} characters`);
  if (keys.at(-1) === 'subject' && /[\r\n]/.test(value)) return problem('a subject must be one line');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) return problem('must not contain control characters');
  if (LOOKS_LIKE_HTML.test(value)) return problem('is text, not HTML: tags and entities are not interpreted and would show as written');
  if (value.includes('$t(')) return problem('must not nest other texts ($t(…)); write the words out');
  const allowed = allowedPlaceholders(keys, catalogue);
  for (const match of value.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    if (!PLACEHOLDER_NAME.test(name)) return problem(`${match[0]} is not a placeholder; write {{name}} (no formats, no unescaped values)`);
    if (!allowed.has(name)) return problem(`uses {{${name}}}, which this text is not given (it is given: ${[...allowed].sort().join(', ') || 'nothing'})`);
  }
  if (/\{\{|\}\}/.test(value.replace(PLACEHOLDER, ''))) return problem('has an unmatched {{ or }}');
}

/** Compares an override with the built-in tree at the same place: same keys, same shapes. */
function checkTree(override: unknown, builtIn: unknown, keys: readonly string[], catalogue: MessageCatalogue, problems: string[], file: string): void {
  const where = keys.length > 0 ? `mail.${keys.join('.')}` : 'mail';
  const problem = (message: string) => {
    problems.push(`TEMPLATES_DIR: ${file}: ${where}: ${message}`);
  };
  if (typeof builtIn === 'string') {
    if (typeof override !== 'string') return problem('must be a text (a JSON string), as in the built-in catalogue');
    return checkText(override, keys, catalogue, problem);
  }
  if (Array.isArray(builtIn)) {
    if (!Array.isArray(override) || override.length === 0 || override.length > MAX_PARAGRAPHS) return problem(`must be a list of 1 to ${MAX_PARAGRAPHS} texts`);
    override.forEach((item, index) => {
      if (typeof item !== 'string') problems.push(`TEMPLATES_DIR: ${file}: ${where}.${index}: must be a text (a JSON string)`);
      else checkText(item, keys, catalogue, (message) => problems.push(`TEMPLATES_DIR: ${file}: ${where}.${index}: ${message}`));
    });
    return;
  }
  if (!isTree(override)) return problem('must be an object of texts, as in the built-in catalogue');
  for (const [key, value] of Object.entries(override)) {
    if (!isTree(builtIn) || !Object.hasOwn(builtIn, key)) {
      problems.push(`TEMPLATES_DIR: ${file}: ${where}.${key}: unknown key (only the keys of the built-in mail texts can be overridden)`);
      continue;
    }
    checkTree(value, builtIn[key], [...keys, key], catalogue, problems, file);
  }
}

function overriddenKeys(tree: unknown, prefix: string): string[] {
  if (!isTree(tree)) return [prefix];
  return Object.entries(tree).flatMap(([key, child]) => overriddenKeys(child, `${prefix}.${key}`));
}

function readOverride(file: string, locale: Locale, catalogue: MessageCatalogue, problems: string[]): Tree | undefined {
  let raw: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) {
      problems.push(`TEMPLATES_DIR: ${file}: larger than ${MAX_FILE_BYTES / 1024} KiB`);
      return undefined;
    }
    raw = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    problems.push(`TEMPLATES_DIR: ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    problems.push(`TEMPLATES_DIR: ${file}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
  if (!isTree(parsed)) {
    problems.push(`TEMPLATES_DIR: ${file}: must be a JSON object such as {"mail": {"password-changed": {"subject": "…"}}}`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(parsed)) {
    if (key !== 'mail') problems.push(`TEMPLATES_DIR: ${file}: ${key}: only the mail texts ("mail") can be overridden`);
  }
  if (parsed.mail !== undefined) checkTree(parsed.mail, catalogues[locale].mail, [], catalogue, problems, file);
  if (problems.length > before) return undefined;
  return parsed.mail === undefined ? {} : { mail: parsed.mail };
}

export interface LoadMailTemplatesInput {
  readonly templatesDir: string | undefined;
  readonly appName: string;
  readonly publicUrl: string;
  readonly branding?: BrandingConfig;
  /** The message kinds to check against; the real catalogue unless a test passes its own. */
  readonly catalogue?: MessageCatalogue;
}

/**
 * Reads and checks TEMPLATES_DIR (nothing when it is not set), or throws a ConfigError that
 * names every broken file and key at once.
 */
export function loadMailTemplates(input: LoadMailTemplatesInput): MailTemplates {
  const dir = input.templatesDir;
  if (dir === undefined) return noMailTemplates;
  const catalogue: MessageCatalogue = input.catalogue ?? messageCatalogue;
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError([`TEMPLATES_DIR: ${dir} is not a directory`]);
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([`TEMPLATES_DIR: cannot read the directory ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }

  const problems: string[] = [];
  const overrides: Partial<Record<Locale, Tree>> = {};
  const overridden: string[] = [];
  // Other files (a README, .gitkeep) are left alone; a JSON file for no known language is a
  // mistake (DE.json, de-DE.json, fr.json) that would otherwise be ignored in silence.
  for (const name of names.filter((n) => n.toLowerCase().endsWith('.json')).sort()) {
    const file = path.join(dir, name);
    const locale = name.slice(0, -'.json'.length);
    if (!isLocale(locale)) {
      problems.push(`TEMPLATES_DIR: ${file}: unknown language; the files are named ${locales.map((l) => `${l}.json`).join(' and ')}`);
      continue;
    }
    const override = readOverride(file, locale, catalogue, problems);
    if (override?.mail !== undefined) {
      overrides[locale] = override;
      overridden.push(...overriddenKeys(override.mail, 'mail').map((key) => `${name}: ${key}`));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  // Each mail in each overridden language, with its example params (and, for a notice that can
  // be undone, once more with an undo link: the undo hint replaces its `ifNot` then): a text that
  // still fails here fails now, not at 3 a.m.
  const translator = createTranslator(overrides);
  for (const locale of locales.filter((l) => overrides[l] !== undefined)) {
    const file = path.join(dir, `${locale}.json`);
    for (const [kind, definition] of Object.entries(catalogue)) {
      if (definition.channel !== 'email') continue;
      const variants: MessageParams[] = definition.undo ? [{}, { undoToken: 'example-undo-token' }] : [{}];
      for (const undo of variants) {
        try {
          const rendered = renderMessage(
            definition,
            { ...definition.exampleParams, ...undo },
            {
              translator,
              locale,
              appName: input.appName,
              publicUrl: input.publicUrl,
              branding: input.branding,
            },
          );
          const left = /\{\{[^}]*\}\}/.exec(`${rendered.subject}\n${rendered.text}`)?.[0];
          if (left !== undefined) problems.push(`TEMPLATES_DIR: ${file}: mail.${definition.template}: ${left} is left in the rendered mail ${kind}`);
        } catch (error) {
          problems.push(`TEMPLATES_DIR: ${file}: mail.${definition.template}: the mail ${kind} does not render (${(error as Error).message})`);
        }
      }
    }
  }
  // A text that fails both renderings is named once.
  problems.splice(0, problems.length, ...new Set(problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return { overrides, overridden };
}
