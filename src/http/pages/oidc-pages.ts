import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml } from '../../core/html.js';
import { renderBrandFooter, renderPage } from './page-layout.js';
import type { BrandingConfig } from '../../config/config.js';
import { isLocale, type Locale, type Translator } from '../../i18n/translator.js';
import type { OidcPages } from '../../oidc/oidc-provider.js';

/**
 * The provider's own pages (error, consent, password confirmation, logout) in Lifeline's look and
 * language, German first (docs/oidc.md "Pages"). Server-rendered: no script, the stylesheet of
 * the other server pages, forms that work without JavaScript.
 */
export interface PageText {
  readonly translator: Translator;
  readonly locale: Locale;
  readonly appName: string;
  /** The host's logo (instead of the name) and its help and legal links (docs/operations.md "Branding"). */
  readonly branding?: Pick<BrandingConfig, 'logoUrl' | 'links'> | undefined;
}

/** The page language: ui_locales of the request, else the browser's Accept-Language, else the default. */
export function localeOf(ctx: Pick<KoaContextWithOIDC, 'acceptsLanguages'> & { oidc?: { params?: { ui_locales?: unknown } } }, fallback: Locale): Locale {
  const asked =
    typeof ctx.oidc?.params?.ui_locales === 'string'
      ? ctx.oidc.params.ui_locales
          .split(' ')
          .map((l) => l.slice(0, 2))
          .find(isLocale)
      : undefined;
  if (asked) return asked;
  const accepted = ctx.acceptsLanguages('de', 'en');
  return typeof accepted === 'string' && isLocale(accepted) ? accepted : fallback;
}

function t(page: PageText, key: string, params: Record<string, string> = {}): string {
  return escapeHtml(page.translator.text(page.locale, `oidc.${key}`, { appName: page.appName, ...params }));
}

/**
 * A provider page: whose page it is (the service's name, as the web UI's header shows it: the
 * user comes from the UI's sign-in and must see that this is still Lifeline, not the host
 * application), the heading inside one narrow card as on the UI's pages, then `content`.
 */
function providerPage(page: PageText, titleKey: string, content: readonly string[]): string {
  // The logo stands for the name: its alt text is the name (docs/operations.md "Branding").
  const logo = page.branding?.logoUrl;
  const brand = logo ? `<img class="brand-logo" src="${escapeHtml(logo)}" alt="${escapeHtml(page.appName)}">` : escapeHtml(page.appName);
  const footer = renderBrandFooter(page.translator, page.locale, page.branding?.links);
  const body = [
    `<p class="oidc-brand">${brand}</p>`,
    '<div class="card oidc-card">',
    `<h1>${t(page, titleKey)}</h1>`,
    ...content,
    '</div>',
    ...(footer ? [footer] : []),
  ].join('\n');
  return renderPage({ locale: page.locale, title: page.translator.text(page.locale, `oidc.${titleKey}`), body });
}

/** The provider's error page: never a redirect to an unverified redirect_uri, never a stack trace. */
export function renderOidcError(page: PageText, error: string, description: string | undefined): string {
  const expired = error === 'invalid_request' && /interaction|session|cookie/i.test(description ?? '');
  return providerPage(page, 'errorTitle', [
    `<div role="alert"><p>${expired ? t(page, 'errorExpired') : t(page, 'errorIntro')}</p>${expired ? '' : `<p>${t(page, 'errorWhat')}</p>`}</div>`,
    `<p class="muted">${t(page, 'errorDetail')}: <code>${escapeHtml(error)}</code>${description ? ` – ${escapeHtml(description.slice(0, 300))}` : ''}</p>`,
    `<p><a href="/profile">${t(page, 'toProfile')}</a></p>`,
  ]);
}

/** The consent page of a third-party client: what it receives, "Erlauben" / "Ablehnen". */
export function renderConsentPage(page: PageText, input: { client: string; email: string; scopes: readonly string[]; action: string; csrf: string }): string {
  const items = input.scopes.filter((s) => ['openid', 'email', 'offline_access'].includes(s)).map((s) => `<li>${t(page, `scope_${s}`)}</li>`);
  return providerPage(page, 'consentTitle', [
    `<p>${t(page, 'consentIntro', { client: input.client, email: input.email })}</p>`,
    `<ul class="scopes">${items.join('')}</ul>`,
    `<p class="muted">${t(page, 'consentNote')}</p>`,
    `<form method="post" action="${escapeHtml(input.action)}" class="actions">`,
    `<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">`,
    `<button type="submit" name="decision" value="allow" class="primary">${t(page, 'allow')}</button>`,
    `<button type="submit" name="decision" value="deny">${t(page, 'deny')}</button>`,
    '</form>',
  ]);
}

/** prompt=login or max_age: the password again before the client gets its code. */
export function renderPasswordPage(
  page: PageText,
  input: {
    client: string;
    email: string;
    action: string;
    csrf: string;
    abort: string;
    forgot: string;
    error?: 'passwordWrong' | 'passwordMissing' | undefined;
  },
): string {
  return providerPage(page, 'passwordTitle', [
    `<p>${t(page, 'passwordIntro', { client: input.client, email: input.email })}</p>`,
    `<form method="post" action="${escapeHtml(input.action)}">`,
    `<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">`,
    // The email for password managers, which fill a password only beside its user name.
    `<input type="email" name="username" value="${escapeHtml(input.email)}" autocomplete="username" readonly hidden>`,
    `<label for="password">${t(page, 'passwordLabel')}</label>`,
    `<input id="password" name="password" type="password" autocomplete="current-password" required autofocus${input.error ? ' aria-invalid="true" aria-describedby="password-error"' : ''}>`,
    // The error at its field, as on the web UI's forms (and named by the field, so focus on it reads it).
    input.error ? `<p class="field-error" role="alert" id="password-error">${t(page, input.error)}</p>` : '',
    `<p class="actions"><button type="submit" class="primary">${t(page, 'passwordSubmit')}</button>`,
    // "Abbrechen": back to the application with access_denied (a form of its own, same CSRF token).
    `<button type="submit" form="abort-form" formnovalidate>${t(page, 'cancel')}</button></p>`,
    '</form>',
    `<form id="abort-form" method="post" action="${escapeHtml(input.abort)}"><input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}"></form>`,
    `<p><a href="${escapeHtml(input.forgot)}">${t(page, 'forgot')}</a></p>`,
  ]);
}

/** RP-initiated logout: the provider's form (hidden xsrf) and our two buttons. */
export function renderLogoutPage(page: PageText, form: string, client: string | undefined): string {
  return providerPage(page, 'logoutTitle', [
    `<p>${client ? t(page, 'logoutIntroClient', { client }) : t(page, 'logoutIntro')}</p>`,
    // oidc-provider's form: <form id="op.logoutForm" method="post" action="…"><input type="hidden" name="xsrf" …></form>
    form,
    '<p class="actions">',
    `<button type="submit" form="op.logoutForm" name="logout" value="yes" class="primary" autofocus>${t(page, 'logoutYes')}</button>`,
    `<button type="submit" form="op.logoutForm">${t(page, 'logoutNo')}</button>`,
    '</p>',
  ]);
}

export function renderLoggedOutPage(page: PageText): string {
  return providerPage(page, 'loggedOutTitle', [`<p>${t(page, 'loggedOutText')}</p>`, `<p><a href="/login">${t(page, 'signInAgain')}</a></p>`]);
}

/** The provider's pages as oidc-provider.ts takes them (the composition root passes them in). */
export function createOidcPages(deps: { translator: Translator; appName: string; branding?: BrandingConfig; defaultLocale: Locale }): OidcPages {
  const page = (ctx: Parameters<typeof localeOf>[0]): PageText => ({
    translator: deps.translator,
    appName: deps.appName,
    branding: deps.branding,
    locale: localeOf(ctx, deps.defaultLocale),
  });
  return {
    error: (ctx, error, description) => renderOidcError(page(ctx), error, description),
    logout: (ctx, form, client) => renderLogoutPage(page(ctx), form, client),
    loggedOut: (ctx) => renderLoggedOutPage(page(ctx)),
  };
}
