import { normaliseEmail } from '../contract/email-address.js';
import { accentPalette, HEX_COLOUR } from '../core/accent-colour.js';
import type { BrandingConfig } from './config.js';

/**
 * The branding settings (docs/operations.md "Branding"): BRAND_LOGO_URL, BRAND_ACCENT_COLOR and
 * the footer's links. Each wrong value becomes a problem naming its variable, so the start stops
 * with every one of them. URLs are judged after parsing, so `javascript:`, `data:`, `//host`,
 * user-info tricks, spaces, quotes and control characters never reach a page or a mail; in
 * production every URL must be https (the pages are, and a mail's links should be too).
 */
export interface RawBranding {
  readonly BRAND_LOGO_URL: string | undefined;
  readonly BRAND_ACCENT_COLOR: string | undefined;
  readonly BRAND_SUPPORT_URL: string | undefined;
  readonly BRAND_PRIVACY_URL: string | undefined;
  readonly BRAND_TERMS_URL: string | undefined;
  readonly BRAND_IMPRINT_URL: string | undefined;
}

type UrlKind = 'web' | 'logo' | 'support';

const EXPECTED: Readonly<Record<UrlKind, string>> = {
  web: 'an absolute http:// or https:// URL',
  logo: 'an absolute http:// or https:// URL or a path on PUBLIC_URL such as /brand/logo.svg',
  support: 'an absolute http:// or https:// URL or mailto:address',
};

/** The URL as pages and mails will use it, or undefined after pushing the problem. */
function brandUrl(
  name: string,
  value: string | undefined,
  kind: UrlKind,
  context: { publicUrl: string; isProduction: boolean },
  problems: string[],
): string | undefined {
  if (value === undefined) return undefined;
  const fail = (message: string) => {
    problems.push(`${name}: ${message} (got ${JSON.stringify(value)})`);
    return undefined;
  };
  const expected = `must be ${EXPECTED[kind]}`;
  // eslint-disable-next-line no-control-regex
  if (value.length > 2000 || /[\s\u0000-\u001f\u007f\\<>"']/.test(value)) return fail(`${expected}, without spaces, quotes or angle brackets`);
  let url: URL;
  if (kind === 'logo' && value.startsWith('/') && !value.startsWith('//')) {
    // A path is taken on PUBLIC_URL, as every link in a mail is; `/../x` would climb out of a
    // PUBLIC_URL with a path, and what is left must still be under it.
    url = new URL(`${context.publicUrl}${value}`);
    if (!url.href.startsWith(`${context.publicUrl}/`)) return fail('the path must stay under PUBLIC_URL');
  } else {
    try {
      url = new URL(value);
    } catch {
      return fail(expected);
    }
  }
  if (kind === 'support' && url.protocol === 'mailto:') {
    const ok = normaliseEmail(url.pathname) !== undefined && url.search === '' && url.hash === '';
    return ok ? url.href : fail('must be mailto: with one address and nothing else, e.g. mailto:support@example.com');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.hostname === '') return fail(expected);
  if (url.username !== '' || url.password !== '') return fail(`${expected}, without user name or password`);
  if (context.isProduction && url.protocol === 'http:') return fail('must be https:// in production');
  return url.href;
}

export function parseBranding(raw: RawBranding, context: { publicUrl: string; isProduction: boolean }, problems: string[]): BrandingConfig {
  const accent = raw.BRAND_ACCENT_COLOR;
  const accentOk = accent === undefined || HEX_COLOUR.test(accent);
  if (!accentOk) problems.push(`BRAND_ACCENT_COLOR: must be a colour as #rrggbb, e.g. #0b6e4f (got ${JSON.stringify(accent)})`);
  return {
    logoUrl: brandUrl('BRAND_LOGO_URL', raw.BRAND_LOGO_URL, 'logo', context, problems),
    accent: accent === undefined || !accentOk ? undefined : accentPalette(accent),
    links: {
      support: brandUrl('BRAND_SUPPORT_URL', raw.BRAND_SUPPORT_URL, 'support', context, problems),
      privacy: brandUrl('BRAND_PRIVACY_URL', raw.BRAND_PRIVACY_URL, 'web', context, problems),
      terms: brandUrl('BRAND_TERMS_URL', raw.BRAND_TERMS_URL, 'web', context, problems),
      imprint: brandUrl('BRAND_IMPRINT_URL', raw.BRAND_IMPRINT_URL, 'web', context, problems),
    },
  };
}
