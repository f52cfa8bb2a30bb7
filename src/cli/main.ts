#!/usr/bin/env node
import '../threadpool.js';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { API_KEY_SCOPES } from '../api-keys/api-key-service.js';
import { apiKeyCreateCommand, apiKeyListCommand, apiKeyRevokeCommand } from './commands/api-key.js';
import {
  clientCreateCommand,
  clientListCommand,
  clientRevokeCommand,
  oidcKeysListCommand,
  oidcKeysRetireCommand,
  oidcKeysRotateCommand,
  type ClientCreateOptions,
} from './commands/client.js';
import { configCommand } from './commands/config.js';
import { mailTestCommand } from './commands/mail-test.js';
import { migrateCommand } from './commands/migrate.js';
import { outboxCommand } from './commands/outbox.js';
import { workerCommand } from './commands/worker.js';
import { webhookCreateCommand, webhookListCommand, webhookRevokeCommand, webhookRotateCommand } from './commands/webhook.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-events.js';
import { accountActionCommand, accountFindCommand } from './commands/account.js';
import { terminal } from './context.js';

/**
 * `npx lifeline …`: the operator's commands. Every command reads the same environment as the
 * server; a wrong variable stops it with a message that names the variable (exit 1); wrong
 * arguments exit 2.
 */
const program = new Command()
  .name('lifeline')
  .description('Lifeline: self-hosted account service with account recovery')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

let exitCode = 0;
const run = (work: () => Promise<number> | number) => async () => {
  exitCode = await work();
};

program
  .command('migrate')
  .description('apply pending database migrations (the server also does this at start)')
  .option('--down', 'revert the latest migration instead')
  .action((options: { down?: boolean }) => run(() => migrateCommand(process.env, options, terminal))());

program
  .command('worker')
  .description('deliver queued email and SMS until stopped (for servers run with RUN_WORKER=false)')
  .action(() => run(() => workerCommand(process.env, terminal))());

program
  .command('outbox')
  .description('list queued, in-flight and failed messages (codes and links masked)')
  .option('--status <status>', 'pending (default), queued, processing, failed, sent or all')
  .option('--limit <n>', 'at most this many messages (default 50)')
  .option('--json', 'print JSON')
  .action((options: { status?: string; limit?: string; json?: boolean }) => run(() => outboxCommand(process.env, options, terminal))());

program
  .command('mail-test')
  .description('queue a test email through the outbox, to check the SMTP settings')
  .requiredOption('--to <address>', 'recipient email address')
  .option('--locale <locale>', 'de (default) or en')
  .option('--wait', 'deliver it now from this process and report the result')
  .action((options: { to: string; locale?: string; wait?: boolean }) => run(() => mailTestCommand(process.env, options, terminal))());

program
  .command('config')
  .description('check the configuration and print the effective settings (secrets masked)')
  .action(() => run(() => configCommand(process.env, terminal))());

const apiKey = program.command('api-key').description('API keys of host applications (Authorization: Bearer)');
apiKey
  .command('create')
  .description('create a key and print it once (only its keyed hash is stored)')
  .argument('<name>', 'a name for the host application, e.g. billing')
  .option(
    '--scope <scope>',
    `what the key may do, repeatable: ${API_KEY_SCOPES.join(', ')} (default: verifications)`,
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option('--json', 'print {"name", "key", "scopes"} as JSON')
  .action((name: string, options: { scope?: string[]; json?: boolean }) => run(() => apiKeyCreateCommand(process.env, name, options, terminal))());
apiKey
  .command('list')
  .description('list the keys: name, created, last used, revoked, scopes (never a key)')
  .option('--json', 'print JSON')
  .action((options: { json?: boolean }) => run(() => apiKeyListCommand(process.env, options, terminal))());
apiKey
  .command('revoke')
  .description('revoke the key of this name at once')
  .argument('<name>')
  .action((name: string) => run(() => apiKeyRevokeCommand(process.env, name, terminal))());

const repeatable = (value: string, previous: string[]) => [...previous, value];
const client = program.command('client').description('host applications that sign their users in with Lifeline (OpenID Connect, docs/oidc.md)');
client
  .command('create')
  .description('register a client and print its id and (once) its secret')
  .argument('<name>', "the application's name, shown on the consent page")
  .option('--redirect-uri <uri>', 'where the code goes back to (repeatable; at least one)', repeatable, [] as string[])
  .option('--post-logout-redirect-uri <uri>', 'where RP-initiated logout may return to (repeatable)', repeatable, [] as string[])
  .option('--backchannel-logout-uri <uri>', "where logout tokens are POSTed when the user's sessions end")
  .option('--first-party', "the host's own application: no consent page")
  .option('--public', 'a SPA or native app: no secret, PKCE alone')
  .option('--json', 'print {"clientId", "clientSecret"} as JSON')
  .action((name: string, options: ClientCreateOptions) => run(() => clientCreateCommand(process.env, name, options, terminal))());
client
  .command('list')
  .description('list the clients (never a secret)')
  .option('--json', 'print JSON')
  .action((options: { json?: boolean }) => run(() => clientListCommand(process.env, options, terminal))());
client
  .command('revoke')
  .description('revoke a client at once: no sign-in, its tokens end')
  .argument('<client-id>')
  .action((clientId: string) => run(() => clientRevokeCommand(process.env, clientId, terminal))());

const webhook = program.command('webhook').description('webhook endpoints of host applications (Standard Webhooks, docs/integration.md)');
webhook
  .command('create')
  .description('register a receiver and print its id and (once) its whsec_ secret')
  .argument('<url>', 'where events are POSTed (https; http and loopback outside production)')
  .option(
    '--events <types>',
    `only these event types, comma-separated (repeatable; default: every type): ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    repeatable,
    [] as string[],
  )
  .option('--json', 'print {"id", "secret", "url", "events"} as JSON')
  .action((url: string, options: { events?: string[]; json?: boolean }) => run(() => webhookCreateCommand(process.env, url, options, terminal))());
webhook
  .command('list')
  .description('list the receivers (never a secret)')
  .option('--json', 'print JSON')
  .action((options: { json?: boolean }) => run(() => webhookListCommand(process.env, options, terminal))());
webhook
  .command('rotate')
  .description('a new secret, printed once; the previous one keeps signing for a day')
  .argument('<id>')
  .option('--json', 'print {"id", "secret", "previousSecretUntil"} as JSON')
  .action((id: string, options: { json?: boolean }) => run(() => webhookRotateCommand(process.env, id, options, terminal))());
webhook
  .command('revoke')
  .description('stop delivering to a receiver at once')
  .argument('<id>')
  .action((id: string) => run(() => webhookRevokeCommand(process.env, id, terminal))());

const account = program.command('account').description("the back office for operators: the admin API's actions (docs/integration.md)");
account
  .command('find')
  .description('the account of a login email: id, state, recovery set up (never a secret)')
  .argument('<email>')
  .option('--json', 'print {"items": […]} as JSON')
  .action((email: string, options: { json?: boolean }) => run(() => accountFindCommand(process.env, email, options, terminal))());
for (const [action, description] of [
  ['disable', 'disable: sessions and host grants end, sign-in is refused, the owner is told'],
  ['enable', 'enable a disabled account again (the owner is told)'],
  ['revoke-sessions', 'sign the account out everywhere, host sessions included'],
  ['send-reset', 'send the owner a password-reset link to the login email'],
] as const) {
  account
    .command(action)
    .description(description)
    .argument('<account-id>')
    .action((accountId: string) => run(() => accountActionCommand(process.env, action, accountId, {}, terminal))());
}
account
  .command('delete')
  .description('delete the account at once (no grace period; its addresses are told)')
  .argument('<account-id>')
  .option('--yes', 'yes, delete it now')
  .action((accountId: string, options: { yes?: boolean }) => run(() => accountActionCommand(process.env, 'delete', accountId, options, terminal))());

const oidcKeys = program.command('oidc-keys').description('signing keys of the OpenID Connect provider (docs/operations.md "Signing keys")');
oidcKeys
  .command('list')
  .option('--json', 'print JSON')
  .action((options: { json?: boolean }) => run(() => oidcKeysListCommand(process.env, options, terminal))());
oidcKeys
  .command('rotate')
  .description('add a new signing key (published at once, signing after ten minutes)')
  .option('--json', 'print JSON')
  .action((options: { json?: boolean }) => run(() => oidcKeysRotateCommand(process.env, options, terminal))());
oidcKeys
  .command('retire')
  .description('stop publishing an old key')
  .argument('<kid>')
  .action((kid: string) => run(() => oidcKeysRetireCommand(process.env, kid, terminal))());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof ConfigError) {
    terminal.err(`lifeline: ${error.message}`);
    exitCode = 1;
  } else {
    terminal.err(`lifeline: ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 1;
  }
}
process.exit(exitCode);
