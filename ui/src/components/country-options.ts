import { useEffect, useMemo, useState } from 'react';
import { useI18n, type Locale } from '../i18n.js';

/** The calling codes ("+49") come from libphonenumber's metadata, loaded once, after the page itself. */
let callingCodes: Promise<(country: string) => string | undefined> | undefined;
export function loadCallingCodes(): Promise<(country: string) => string | undefined> {
  callingCodes ??= import('libphonenumber-js/min').then(
    ({ getCountryCallingCode, isSupportedCountry }) =>
      (country: string) =>
        isSupportedCountry(country) ? getCountryCallingCode(country) : undefined,
  );
  return callingCodes;
}

/**
 * A country selector's options (recovery phone dialog, "Passwort vergessen?"): the allowed
 * countries by their localised names, sorted by name, each with its calling code.
 */
export function useCountryOptions(allowed: readonly string[], locale: Locale): { code: string; label: string }[] {
  const { t } = useI18n();
  const [codeOf, setCodeOf] = useState<((country: string) => string | undefined) | undefined>();
  useEffect(() => {
    let current = true;
    loadCallingCodes().then(
      (lookup) => current && setCodeOf(() => lookup),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, []);
  return useMemo(() => {
    const tag = locale === 'de' ? 'de-DE' : 'en-GB';
    let names: Intl.DisplayNames | undefined;
    try {
      names = new Intl.DisplayNames([tag], { type: 'region' });
    } catch {
      names = undefined;
    }
    const collator = new Intl.Collator(tag);
    return allowed
      .map((code) => {
        const name = names?.of(code) ?? code;
        const calling = codeOf?.(code);
        return { code, name, label: calling ? t('ui.common.countryOption', { name, code: calling }) : name };
      })
      .sort((a, b) => collator.compare(a.name, b.name))
      .map(({ code, label }) => ({ code, label }));
  }, [allowed, locale, codeOf, t]);
}
