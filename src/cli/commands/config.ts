import { loadConfig } from '../../config/load-config.js';
import { maskUrlCredentials } from '../../db/create-database.js';
import type { CliOutput } from '../context.js';

/** `lifeline config`: checks the environment and prints the effective settings, secrets masked. */
export function configCommand(env: NodeJS.ProcessEnv, io: CliOutput): number {
  const config = loadConfig(env);
  const view = {
    env: config.env,
    appName: config.appName,
    http: config.http,
    database: config.database.dialect === 'sqlite' ? { dialect: 'sqlite', path: config.database.path } : { dialect: 'postgres', url: maskUrlCredentials(config.database.url) },
    keys: { current: config.keys.current.id },
    mail: { smtp: config.mail.smtpUrl ? maskUrlCredentials(config.mail.smtpUrl) : null, from: config.mail.from },
    delivery: config.delivery,
    metrics: { tokenSet: config.metrics.token !== undefined },
    argon2: config.argon2,
    rateLimits: config.rateLimits,
    verification: config.verification,
    i18n: config.i18n,
  };
  io.out(JSON.stringify(view, null, 2));
  return 0;
}
