import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import type { Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { createDatabase } from './db/create-database.js';
import { migrateToLatest } from './db/migrate.js';
import { closeChannels } from './delivery/channels/create-channels.js';
import { createHousekeeping } from './housekeeping.js';
import { buildApp } from './http/build-app.js';
import { isLoopbackUrl } from './security/client-address.js';
import { createServices, type Services } from './services.js';
import { loadMailTemplates } from './notifications/mail-templates.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly services: Services;
  /** The address it listens on, e.g. http://127.0.0.1:3000. */
  readonly address: string;
  /** Stops accepting, finishes the worker's round, closes the database. */
  close(): Promise<void>;
}

/** The HTTP app over a set of services: each part of the app gets only what it uses. */
export function buildAppFor(services: Services): Promise<FastifyInstance> {
  return buildApp({
    config: services.config,
    logger: services.logger,
    metrics: services.metrics,
    translator: services.translator,
    rateLimits: services.rateLimits,
    checkReadiness: services.checkReadiness,
    devMailbox: services.devMailbox,
    clock: services.clock,
    sessions: services.sessions,
    signup: services.signup,
    signIn: services.signIn,
    accountSettings: services.accountSettings,
    recoveryEmail: services.recoveryEmail,
    recoveryPhone: services.recoveryPhone,
    passwordReset: services.passwordReset,
    recoveryCodes: services.recoveryCodes,
    securityLog: services.securityLog,
    accountAdmin: services.accountAdmin,
    hostEvents: services.hostEvents,
    securityUndo: services.securityUndo,
    apiKeys: services.apiKeys,
    actionVerification: services.actionVerification,
    accountDeletion: services.accountDeletion,
    loginEmailChange: services.loginEmailChange,
    channelHold: services.channelHold,
    geoIp: services.geoIp,
    database: services.database,
    oidc: services.oidc,
  });
}

/**
 * The server's composition root: config → database (migrated) → services → HTTP app, plus the
 * delivery worker in the same process unless RUN_WORKER=false.
 */
export async function startServer(config: Config, options: { logger?: Logger; clock?: Clock; listen?: boolean } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.log.level });
  // TEMPLATES_DIR is checked before the database is touched: a broken override stops the start
  // naming its file, as a wrong variable does (docs/operations.md "Branding").
  const mailTemplates = loadMailTemplates({
    templatesDir: config.mail.templatesDir,
    appName: config.appName,
    publicUrl: config.http.publicUrl,
    branding: config.branding,
  });
  if (mailTemplates.overridden.length > 0)
    logger.info({ event: 'mail.templates_loaded', dir: config.mail.templatesDir, overridden: mailTemplates.overridden }, 'mail texts from TEMPLATES_DIR');
  const database = await createDatabase(config.database);
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) logger.info({ event: 'db.migrated', applied }, 'database migrated');
  } catch (error) {
    await database.destroy();
    throw error;
  }
  const services = createServices({
    config,
    database,
    logger,
    collectProcessMetrics: true,
    mailTemplates,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildAppFor(services);
  const housekeeping = createHousekeeping(services);
  // The dummy password hash (unknown accounts take as long as wrong passwords) is made before
  // the first request can come: the first unknown address must not pay for it (docs/reference/security-requirements.md 7.3).
  await services.hasher.ready();

  let address = '';
  if (options.listen !== false) {
    address = await app.listen({ host: config.http.host, port: config.http.port });
  } else {
    await app.ready();
  }
  if (config.delivery.runWorkerInProcess) {
    services.worker.start();
    housekeeping.start();
  }
  logger.info(
    {
      event: 'server.started',
      url: config.http.publicUrl,
      database: config.database.dialect,
      delivery: config.delivery.devMailbox ? 'dev-mailbox' : 'transports',
      worker: config.delivery.runWorkerInProcess ? 'in-process' : 'separate',
    },
    `${config.appName} ${config.version} listening on ${config.http.publicUrl}` +
      (config.delivery.devMailbox && isLoopbackUrl(config.http.publicUrl) ? ` (development mailbox: ${config.http.publicUrl}/dev/mailbox)` : ''),
  );

  return {
    app,
    services,
    address,
    async close() {
      housekeeping.stop();
      await app.close();
      // Forgot-password requests answered just now are processed before the database closes.
      await services.passwordReset.drain();
      await services.worker.stop();
      await closeChannels(services.channels);
      await database.destroy();
    },
  };
}
