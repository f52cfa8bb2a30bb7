/**
 * The host's branding in the frame of every page (docs/operations.md "Branding"): the logo in
 * the header and the help and legal links in the footer, from GET /api/v1/meta. The accent
 * colour needs no code: /static/brand.css (linked from index.html) sets the CSS custom
 * properties. Every URL was checked by the server at start (http(s), or mailto: for support;
 * never javascript:), and React sets them as attributes, never as markup.
 */
import { useState } from 'react';
import type { Branding } from '../api-types.js';
import { useI18n } from '../i18n.js';

/** A second look at the scheme, in case an answer ever came from elsewhere: only http(s) and mailto: become links or images. */
function safeUrl(url: string | null | undefined, schemes: readonly string[]): string | undefined {
  if (!url) return undefined;
  try {
    return schemes.includes(new URL(url).protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The logo with the product name as its alt text, or the name itself (no logo, or it failed to load). */
export function BrandMark({ appName, logoUrl }: { appName: string; logoUrl: string | null | undefined }) {
  const [failed, setFailed] = useState<string | undefined>();
  const src = safeUrl(logoUrl, ['https:', 'http:']);
  if (!src || failed === src) return <>{appName}</>;
  return <img className="brand-logo" src={src} alt={appName} onError={() => setFailed(src)} />;
}

const links = [
  ['supportUrl', 'support'],
  ['privacyUrl', 'privacy'],
  ['termsUrl', 'terms'],
  ['imprintUrl', 'imprint'],
] as const;

/** "Hilfe & Support", "Datenschutz", "Nutzungsbedingungen", "Impressum": each only when configured; no footer without any. */
export function SiteFooter({ branding }: { branding: Branding | undefined }) {
  const { t } = useI18n();
  const shown = links.flatMap(([field, label]) => {
    const url = safeUrl(branding?.[field], ['https:', 'http:', 'mailto:']);
    return url ? [{ url, label }] : [];
  });
  if (shown.length === 0) return null;
  return (
    <footer className="site-footer">
      <nav aria-label={t('ui.footer.label')}>
        <ul>
          {shown.map((link) => (
            <li key={link.label}>
              <a href={link.url}>{t(`ui.footer.${link.label}`)}</a>
            </li>
          ))}
        </ul>
      </nav>
    </footer>
  );
}
