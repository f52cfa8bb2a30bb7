import i18next, { type TFunction } from 'i18next';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import de from '../../src/i18n/de.json';
import en from '../../src/i18n/en.json';

export type Locale = 'de' | 'en';
export const locales: readonly Locale[] = ['de', 'en'];
const STORAGE_KEY = 'lifeline.locale';

/** The same catalogues the server renders errors and mails from (src/i18n). */
const instance = i18next.createInstance();
void instance.init({
  resources: { de: { translation: de }, en: { translation: en } },
  lng: 'de',
  fallbackLng: 'de',
  initAsync: false,
  // React escapes what it renders; i18next must not escape a second time.
  interpolation: { escapeValue: false },
});

const isLocale = (value: string | null): value is Locale => value === 'de' || value === 'en';

/** Remembers the page language in the browser, as the language switch does. */
function remember(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered across visits; the account setting still is.
  }
}

/**
 * The language a link asks for: every link in a mail carries `lang=<the mail's language>`
 * (docs/reference/contracts.md "Links and codes in messages"), so the page opened from a German
 * mail is German whatever the browser chose before.
 */
function linkLocale(): Locale | undefined {
  const asked = new URLSearchParams(window.location.search).get('lang');
  return isLocale(asked) ? asked : undefined;
}

/** The link's `lang`, else German unless the visitor chose English before (remembered in the browser). */
export function initialLocale(): Locale {
  const fromLink = linkLocale();
  if (fromLink) return fromLink;
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be switched off; German it is.
  }
  return 'de';
}

/**
 * A link's language is remembered as the language switch would, and `lang` leaves the address
 * bar (a reload or a bookmark then follows a later switch); `token` and the rest stay for the
 * page, which takes its token out itself (ui/src/link-token.ts).
 */
function takeLinkLocale(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has('lang')) return;
  const asked = url.searchParams.get('lang');
  if (isLocale(asked)) remember(asked);
  url.searchParams.delete('lang');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

interface I18n {
  readonly locale: Locale;
  readonly t: TFunction;
  /** A list from the catalogue (e.g. the seed's bullet points). */
  readonly list: (key: string) => string[];
  readonly setLocale: (locale: Locale) => void;
}

const I18nContext = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(takeLinkLocale, []);
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    document.documentElement.lang = next;
    remember(next);
  }, []);
  const value = useMemo<I18n>(() => {
    document.documentElement.lang = locale;
    const t = instance.getFixedT(locale);
    return {
      locale,
      t,
      list: (key: string) => {
        const value: unknown = t(key, { returnObjects: true });
        return Array.isArray(value) ? value.map(String) : [];
      },
      setLocale,
    };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
