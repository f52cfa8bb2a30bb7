import './threadpool.js';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { startServer } from './server.js';

const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * `npm start`: the service on PORT (default 3000) with the embedded default unless the
 * environment says otherwise. Exits non-zero with a message naming the variable when the
 * configuration is wrong; shuts down cleanly on SIGTERM and SIGINT.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const server = await startServer(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    const logger = server.services.logger;
    logger.info({ event: 'server.stopping', signal }, 'shutting down');
    // Requests in flight and the worker's round get this long; then the process goes anyway.
    const deadline = setTimeout(() => {
      logger.error({ event: 'server.stop_timeout', afterMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    server
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ event: 'server.stop_failed', err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`lifeline: ${error.message}\n`);
  } else {
    // A message, not a stack trace: the operator needs to know what to fix (e.g. a port in use).
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`lifeline: could not start: ${reason}\n`);
  }
  process.exit(1);
});
