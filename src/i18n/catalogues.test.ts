import { describe, expect, it } from 'vitest';
import { errorCodes } from '../contract/error-codes.js';
import { catalogues, createTranslator, negotiateLocale } from './translator.js';

/** Every key path of a catalogue ("errors.not-found.title", "mail.operator-test.paragraphs"). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [`${prefix}[${value.length}]`];
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => keyPaths(child, prefix ? `${prefix}.${key}` : key));
  }
  return [prefix];
}

describe('i18n catalogues', () => {
  it('German and English have exactly the same keys (and list lengths)', () => {
    expect(keyPaths(catalogues.en).sort()).toEqual(keyPaths(catalogues.de).sort());
  });

  it('every error code has a title and a detail in every language', () => {
    const translator = createTranslator();
    for (const locale of ['de', 'en'] as const) {
      for (const code of errorCodes) {
        expect(translator.has(locale, `errors.${code}.title`), `${locale} errors.${code}.title`).toBe(true);
        const detail = translator.text(locale, `errors.${code}.detail`, { count: 2, attemptsLeft: 2, retryAfter: 5, limit: 1, method: 'GET', allowed: 'GET' });
        expect(detail, `${locale} errors.${code}.detail`).not.toMatch(/^errors\./);
        expect(detail).not.toMatch(/\{\{|\}\}/);
      }
    }
  });

  it('plural forms: 1 try, 2 tries, and the last wrong guess', () => {
    const translator = createTranslator();
    expect(translator.text('de', 'errors.code-incorrect.detail', { count: 1 })).toBe('Der Code ist falsch. Sie haben noch 1 Versuch.');
    expect(translator.text('de', 'errors.code-incorrect.detail', { count: 3 })).toBe('Der Code ist falsch. Sie haben noch 3 Versuche.');
    expect(translator.text('en', 'errors.code-incorrect.detail', { count: 0 })).toMatch(/no longer valid/);
  });

  it('escapes interpolated values for HTML only', () => {
    const translator = createTranslator();
    const params = { appName: '<b>A&B</b>' };
    expect(translator.html('de', 'mail.layout.signature', params)).toBe('Ihr &lt;b&gt;A&amp;B&lt;&#x2F;b&gt;-Team');
    expect(translator.text('de', 'mail.layout.signature', params)).toBe('Ihr <b>A&B</b>-Team');
  });
});

describe('negotiateLocale', () => {
  it.each([
    [undefined, 'de'],
    ['', 'de'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['de-AT', 'de'],
    ['fr-FR, fr;q=0.9, en;q=0.8, de;q=0.7', 'en'],
    ['fr, it', 'de'],
    ['en;q=0, de;q=0.5', 'de'],
    ['*', 'de'],
    ['en;q=abc', 'de'],
  ])('%s → %s', (header, expected) => {
    expect(negotiateLocale(header, 'de')).toBe(expected);
  });
});
