import i18next, { type TFunction } from 'i18next';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
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

/** German unless the visitor chose English before (remembered in the browser). */
export function initialLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored === 'de' || stored === 'en') return stored;
  } catch {
    // Storage can be switched off; German it is.
  }
  return 'de';
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
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    document.documentElement.lang = next;
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered across visits; the account setting still is.
    }
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
