import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

export const CSP_REPORT_PATH = '/csp-reports';

/**
 * The headers helmet sets for these options, computed once. (@fastify/helmet would rebuild
 * helmet's middleware, and re-parse the policy, on every request: a measurable share of a
 * cheap request's time.) Our headers do not vary per request: no CSP nonces are used.
 */
export function computeSecurityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
}

/**
 * Security headers on every answer (docs/reference/security-requirements.md 8.2–8.4): a strict Content-Security-Policy
 * (only our own scripts, styles and images; no objects, no base, no framing; violations
 * reported), HSTS for a year with subdomains, nosniff and `Referrer-Policy: no-referrer`
 * everywhere: pages that carry a token in their URL must not leak it, and one policy for all
 * pages cannot be forgotten on one. `upgrade-insecure-requests` only when PUBLIC_URL is https,
 * or plain-http deployments other than localhost would break (docs/reference/pitfalls.md). A route may
 * replace a header (the development mailbox's sandboxed HTML view does, for its CSP).
 * `logoOrigin`: the origin of BRAND_LOGO_URL when it is not ours; img-src, and nothing else,
 * allows it (docs/operations.md "Branding").
 */
export function securityHeadersFor(options: { secure: boolean; logoOrigin?: string | undefined }): Readonly<Record<string, string>> {
  return computeSecurityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', ...(options.logoOrigin ? [options.logoOrigin] : [])],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
        'report-uri': [CSP_REPORT_PATH],
        ...(options.secure ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
}

/** Sets the headers on every answer; a route may still replace one. */
export function registerSecurityHeaders(app: FastifyInstance, headers: Readonly<Record<string, string>>): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
