import { loadConfig } from '../../config/load-config.js';
import { maskUrlCredentials } from '../../db/create-database.js';
import { loadMailTemplates } from '../../notifications/mail-templates.js';
import type { CliOutput } from '../context.js';

/**
 * `lifeline config`: checks the environment and prints the effective settings, secrets masked.
 * In production it warns on stderr when TRUST_PROXY is unset (docs/operations.md).
 */
export function configCommand(env: NodeJS.ProcessEnv, io: CliOutput): number {
  const config = loadConfig(env);
  // TEMPLATES_DIR is checked as the start checks it: a broken override is named here too.
  const templates = loadMailTemplates({
    templatesDir: config.mail.templatesDir,
    appName: config.appName,
    publicUrl: config.http.publicUrl,
    branding: config.branding,
  });
  const view = {
    env: config.env,
    appName: config.appName,
    branding: config.branding,
    http: config.http,
    database:
      config.database.dialect === 'sqlite'
        ? { dialect: 'sqlite', path: config.database.path }
        : { dialect: 'postgres', url: maskUrlCredentials(config.database.url) },
    keys: { current: config.keys.current.id },
    mail: {
      smtp: config.mail.smtpUrl ? maskUrlCredentials(config.mail.smtpUrl) : null,
      from: config.mail.from,
      templatesDir: config.mail.templatesDir ?? null,
      overridden: templates.overridden,
    },
    delivery: config.delivery,
    metrics: { tokenSet: config.metrics.token !== undefined },
    argon2: config.argon2,
    rateLimits: config.rateLimits,
    verification: config.verification,
    // ALLOWED_RETURN_ORIGINS as parsed: each entry's name, origin and path prefix (docs/operations.md "Return links").
    returnLinks: config.returnLinks,
    i18n: config.i18n,
  };
  io.out(JSON.stringify(view, null, 2));
  if (config.isProduction && config.http.trustProxy === false) {
    // A warning, not an error: a server that clients reach directly needs no TRUST_PROXY.
    io.err(
      'lifeline config: warning: TRUST_PROXY is not set. Behind a reverse proxy or load balancer every client then has ' +
        "the proxy's address, so the per-client limits (sign-in failures, sign-ups, API requests, forgot password) become " +
        'one limit for all clients together: 100 wrong passwords an hour from anywhere would block every sign-in. ' +
        "Set TRUST_PROXY to the proxies' addresses or ranges (e.g. TRUST_PROXY=10.0.0.0/8 or loopback); ignore this only if clients connect directly.",
    );
  }
  return 0;
}
