import type { FastifyInstance } from 'fastify';
import type { Locale, Translator } from '../../i18n/translator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language of this request's answers: German unless Accept-Language prefers English. */
    locale: Locale;
  }
}

/**
 * Sets `request.locale` from `Accept-Language` (German by default). Once sessions exist, the
 * signed-in account's language takes precedence.
 */
export function registerLocale(app: FastifyInstance, deps: { translator: Translator; defaultLocale: Locale }): void {
  app.decorateRequest('locale', deps.defaultLocale);
  app.addHook('onRequest', async (request) => {
    request.locale = deps.translator.negotiate(request.headers['accept-language'], deps.defaultLocale);
  });
}
