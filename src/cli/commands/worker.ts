import { createHousekeeping } from '../../housekeeping.js';
import { openServices, type CliOutput } from '../context.js';

/**
 * `lifeline worker`: delivers the outbox (and runs housekeeping) until SIGTERM/SIGINT. In
 * production run it beside servers started with RUN_WORKER=false, as many as you like: on
 * PostgreSQL they share the work through `FOR UPDATE SKIP LOCKED`.
 */
export async function workerCommand(env: NodeJS.ProcessEnv, io: CliOutput): Promise<number> {
  const { services, close } = await openServices(env, { logLevel: 'info' });
  const housekeeping = createHousekeeping(services);
  services.worker.start();
  housekeeping.start();
  io.err(
    `lifeline worker ${services.worker.workerId} delivering (${services.config.delivery.devMailbox ? 'development mailbox' : 'configured transports'}); stop with Ctrl-C`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  housekeeping.stop();
  await services.worker.stop();
  await close();
  return 0;
}
