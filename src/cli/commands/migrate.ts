import { loadConfig } from '../../config/load-config.js';
import { createDatabase, maskUrlCredentials } from '../../db/create-database.js';
import { migrateDown, migrateToLatest } from '../../db/migrate.js';
import type { CliOutput } from '../context.js';

/** `lifeline migrate [--down]`: applies pending migrations (or reverts the latest one). */
export async function migrateCommand(env: NodeJS.ProcessEnv, options: { down?: boolean }, io: CliOutput): Promise<number> {
  const config = loadConfig(env);
  const database = await createDatabase(config.database, { poolSize: 2 });
  try {
    const names = options.down ? await migrateDown(database) : await migrateToLatest(database);
    const where = config.database.dialect === 'sqlite' ? `sqlite:${config.database.path}` : maskUrlCredentials(config.database.url);
    if (names.length === 0) io.out(`${where}: schema is up to date`);
    for (const name of names) io.out(`${where}: ${options.down ? 'reverted' : 'applied'} ${name}`);
    return 0;
  } finally {
    await database.destroy();
  }
}
