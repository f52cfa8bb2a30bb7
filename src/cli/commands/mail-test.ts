import { normaliseEmail } from '../../contract/email-address.js';
import { maskUrlCredentials } from '../../db/create-database.js';
import { isLocale } from '../../i18n/translator.js';
import { queueTestMail } from '../../notifications/test-mail.js';
import { openServices, type CliOutput } from '../context.js';

/**
 * `lifeline mail-test --to ADDRESS [--locale de|en]`: queues a test email through the outbox.
 * A running server's (or `lifeline worker`'s) worker delivers it; with `--wait` this command
 * delivers it itself and reports the outcome, so an operator sees an SMTP error right here.
 */
export async function mailTestCommand(env: NodeJS.ProcessEnv, options: { to: string; locale?: string; wait?: boolean }, io: CliOutput): Promise<number> {
  const to = normaliseEmail(options.to);
  if (to === undefined) {
    io.err(`lifeline mail-test: --to: ${JSON.stringify(options.to)} is not a valid email address`);
    return 2;
  }
  const locale = options.locale ?? 'de';
  if (!isLocale(locale)) {
    io.err('lifeline mail-test: --locale: must be de or en');
    return 2;
  }
  const { services, close } = await openServices(env);
  try {
    const id = await queueTestMail(services, { to, locale });
    const database = services.config.database;
    io.out(`queued test mail ${id} to ${to} in ${database.dialect === 'sqlite' ? `sqlite:${database.path}` : maskUrlCredentials(database.url)}`);
    if (!options.wait) {
      io.out(
        services.config.delivery.devMailbox
          ? `the worker delivers it to the development mailbox: ${services.config.http.publicUrl}/dev/mailbox`
          : 'the worker delivers it through SMTP; see `lifeline outbox` for its state',
      );
      return 0;
    }
    await services.worker.runOnce();
    const [row] = (await services.outbox.list({ statuses: ['queued', 'processing', 'sent', 'failed'], limit: 50 })).filter((r) => r.id === id);
    if (row?.status === 'sent') {
      io.out('delivered');
      return 0;
    }
    io.err(`not delivered (${row?.status ?? 'unknown'}): ${row?.lastError ?? 'no error recorded'}`);
    return 1;
  } finally {
    await close();
  }
}
