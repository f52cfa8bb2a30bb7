import type { ErrorCode } from '../contract/error-codes.js';
import { isLifelineError } from '../core/errors.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { Database } from '../db/database.js';
import { createDatabase } from '../db/create-database.js';
import { migrateToLatest } from '../db/migrate.js';
import { closeChannels } from '../delivery/channels/create-channels.js';
import { createServices, type Services } from '../services.js';

/** What a CLI command writes to: the terminal in real use, a buffer in tests. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export const terminal: CliOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/**
 * Opens what a command needs: configuration (a wrong variable stops here, named), the
 * database (migrated, so a command never runs against an old schema) and the services.
 * Logs go to stderr at `warn` unless LOG_LEVEL says otherwise, keeping stdout for results.
 */
export async function openServices(env: NodeJS.ProcessEnv, options: { logLevel?: string } = {}): Promise<{ services: Services; close: () => Promise<void> }> {
  const config: Config = loadConfig(env);
  const logger: Logger = createLogger({
    level: env.LOG_LEVEL ? config.log.level : (options.logLevel ?? 'warn'),
    destination: process.stderr,
    name: 'lifeline-cli',
  });
  const database: Database = await createDatabase(config.database, { poolSize: 2 });
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.destroy();
    throw error;
  }
  const services = createServices({ config, database, logger });
  return {
    services,
    close: async () => {
      await closeChannels(services.channels);
      await database.destroy();
    },
  };
}

/** How a command ends on an error it expects: the line for stderr and the exit code. */
export interface Refusal {
  readonly exitCode: number;
  readonly message: string;
}

/** The refusals of a command by the code of the `LifelineError` its service throws. */
export function refusalsByCode(refusals: Partial<Record<ErrorCode, Refusal>>): (error: unknown) => Refusal | undefined {
  return (error) => (isLifelineError(error) ? refusals[error.code] : undefined);
}

/**
 * Runs a command with the services open (openServices) and closes them however it ends. An
 * error `refuse` knows ends the command with its line on stderr and its exit code; any other is
 * thrown on.
 */
export async function withServices(
  env: NodeJS.ProcessEnv,
  io: CliOutput,
  work: (services: Services) => Promise<number>,
  refuse: (error: unknown) => Refusal | undefined = () => undefined,
): Promise<number> {
  const { services, close } = await openServices(env);
  try {
    return await work(services);
  } catch (error) {
    const refusal = refuse(error);
    if (refusal === undefined) throw error;
    io.err(refusal.message);
    return refusal.exitCode;
  } finally {
    await close();
  }
}
