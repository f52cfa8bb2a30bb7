import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export const CSP_REPORT_PATH = '/csp-reports';

/**
 * Security headers on every answer (SECURITY.md 8.2–8.4): a strict Content-Security-Policy
 * (only our own scripts, styles and images; no objects, no base, no framing; violations
 * reported), HSTS for a year with subdomains, nosniff and `Referrer-Policy: no-referrer`
 * everywhere: pages that carry a token in their URL must not leak it, and one policy for all
 * pages cannot be forgotten on one. `upgrade-insecure-requests` only when PUBLIC_URL is https,
 * or plain-http deployments other than localhost would break (PITFALLS.md).
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: { secure: boolean }): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
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
