import i18next, { type TFunction } from 'i18next';
import de from './de.json' with { type: 'json' };
import en from './en.json' with { type: 'json' };

export type Locale = 'de' | 'en';
export const locales: readonly Locale[] = ['de', 'en'];

/** The catalogues, shared by the server (errors, mails, pages) and the UI. */
export const catalogues = { de, en } as const;

export type TranslationParams = Readonly<Record<string, unknown>>;

/**
 * Looks up user-facing text. One i18next instance per translator (never the default
 * singleton: docs/reference/pitfalls.md); escaping is chosen per call, because the same texts feed HTML
 * (escaped), plain-text mails and JSON `detail` (not escaped).
 */
export interface Translator {
  /** Plain text: nothing escaped (JSON, plain-text mail, CLI). */
  text(locale: Locale, key: string, params?: TranslationParams): string;
  /** HTML: interpolated values are escaped; the catalogue text itself is trusted. */
  html(locale: Locale, key: string, params?: TranslationParams): string;
  /** A list of texts (e.g. a mail's paragraphs), plain. */
  list(locale: Locale, key: string, params?: TranslationParams): string[];
  has(locale: Locale, key: string): boolean;
  /** The best supported locale for an `Accept-Language` header, or the fallback. */
  negotiate(acceptLanguage: string | undefined, fallback: Locale): Locale;
}

export function isLocale(value: unknown): value is Locale {
  return value === 'de' || value === 'en';
}

/** The language an account's messages are written in (German when the stored value is unknown). */
export function localeOf(account: { readonly locale: string }): Locale {
  return isLocale(account.locale) ? account.locale : 'de';
}

/** Picks the first supported language by quality; `de-AT` matches `de`. */
export function negotiateLocale(header: string | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLocale) ?? fallback;
}

/**
 * Texts that replace the built-in ones, per language: a subset of a catalogue's tree (the mail
 * templates of TEMPLATES_DIR, checked by notifications/mail-templates.ts before they get here).
 */
export type CatalogueOverrides = Partial<Record<Locale, Readonly<Record<string, unknown>>>>;

/**
 * A copy of `base` with `override` laid over it: objects are merged key by key, a string or a
 * list replaces the built-in one whole (i18next's own deep merge would keep the built-in list's
 * extra paragraphs behind a shorter override). The imported catalogues stay untouched.
 */
function mergeCatalogue(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  const isTree = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isTree(base) || !isTree(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key !== '__proto__' && key !== 'constructor' && key !== 'prototype') merged[key] = mergeCatalogue(base[key], value);
  }
  return merged;
}

export function createTranslator(overrides: CatalogueOverrides = {}): Translator {
  const instance = i18next.createInstance();
  void instance.init({
    resources: { de: { translation: mergeCatalogue(de, overrides.de) as typeof de }, en: { translation: mergeCatalogue(en, overrides.en) as typeof en } },
    lng: 'de',
    fallbackLng: 'de',
    supportedLngs: ['de', 'en'],
    initAsync: false,
    returnObjects: false,
    interpolation: { escapeValue: false },
  });
  const fixed = new Map<Locale, TFunction>(locales.map((l) => [l, instance.getFixedT(l)]));
  const t = (locale: Locale) => fixed.get(locale) ?? instance.getFixedT('de');
  // Texts without parameters (most problem titles and details) are looked up once: i18next's
  // lookup is the largest cost of a cheap error answer. The catalogues never change at run time.
  const plainTexts = new Map<string, string>();

  return {
    text: (locale, key, params) => {
      if (params === undefined || Object.keys(params).length === 0) {
        const cacheKey = `${locale}\u0000${key}`;
        let cached = plainTexts.get(cacheKey);
        if (cached === undefined) {
          cached = t(locale)(key, { interpolation: { escapeValue: false } });
          plainTexts.set(cacheKey, cached);
        }
        return cached;
      }
      return t(locale)(key, { ...params, interpolation: { escapeValue: false } });
    },
    html: (locale, key, params = {}) => t(locale)(key, { ...params, interpolation: { escapeValue: true } }),
    list: (locale, key, params = {}) => {
      const value: unknown = t(locale)(key, { ...params, returnObjects: true, interpolation: { escapeValue: false } });
      return Array.isArray(value) ? value.map(String) : [String(value)];
    },
    has: (locale, key) => instance.exists(key, { lng: locale, fallbackLng: false }),
    negotiate: negotiateLocale,
  };
}
