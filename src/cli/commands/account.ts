import type { SupportActor } from '../../admin/account-admin-service.js';
import { refusalsByCode, withServices, type CliOutput, type Refusal } from '../context.js';

/** An operator at the server's console: named so in the security log and the log lines. */
const operator: SupportActor = { name: 'cli', client: { ip: '127.0.0.1', userAgent: 'lifeline CLI' } };

/**
 * `lifeline account find EMAIL [--json]`: the admin API's read, for operators (docs/integration.md
 * "Admin API"): id, login email, confirmed, disabled, whether recovery channels are set up.
 */
export async function accountFindCommand(env: NodeJS.ProcessEnv, email: string, options: { json?: boolean }, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    const items = await services.accountAdmin.findByEmail(email, operator);
    if (options.json) {
      io.out(JSON.stringify({ items }));
      return items.length > 0 ? 0 : 1;
    }
    if (items.length === 0) {
      io.err(`lifeline account find: no account with the login email ${email}`);
      return 1;
    }
    for (const a of items) {
      io.out(
        `${a.id}  ${a.email}  ${a.emailVerified ? 'confirmed' : 'UNCONFIRMED'}  ${a.disabled ? 'DISABLED' : 'active'}  created ${a.createdAt}  recovery email: ${a.recovery.email}, phone: ${a.recovery.phone}`,
      );
    }
    return 0;
  });
}

type AccountAction = 'disable' | 'enable' | 'revoke-sessions' | 'send-reset' | 'delete';

const done: Record<AccountAction, string> = {
  disable: 'disabled: its sessions ended, sign-in is refused, the owner was told',
  enable: 'enabled: the owner can sign in again and was told',
  'revoke-sessions': 'signed out everywhere (host sessions too)',
  'send-reset': 'sent a password-reset link to its login email (the password works until the owner resets it)',
  delete: 'deleted, with all its data; its addresses were told',
};

/**
 * `lifeline account disable | enable | revoke-sessions | send-reset | delete ID`: the admin API's
 * actions for operators, with the same effects, notices and security-log rows. `delete` needs
 * `--yes` (no grace period). An unknown id exits 1.
 */
export async function accountActionCommand(
  env: NodeJS.ProcessEnv,
  action: AccountAction,
  accountId: string,
  options: { yes?: boolean },
  io: CliOutput,
): Promise<number> {
  if (action === 'delete' && !options.yes) {
    io.err(`lifeline account delete: this deletes ${accountId} at once, without the 7-day grace period; repeat with --yes`);
    return 2;
  }
  const refusal = (message: string): Refusal => ({ exitCode: 1, message: `lifeline account ${action}: ${message}` });
  return withServices(
    env,
    io,
    async (services) => {
      const admin = services.accountAdmin;
      if (action === 'disable') {
        if (!(await admin.disable(accountId, operator))) io.err(`account ${accountId} was disabled already; nothing changed`);
        else io.err(`account ${accountId} ${done.disable}`);
      } else if (action === 'enable') {
        if (!(await admin.enable(accountId, operator))) io.err(`account ${accountId} was not disabled; nothing changed`);
        else io.err(`account ${accountId} ${done.enable}`);
      } else {
        if (action === 'revoke-sessions') await admin.revokeSessions(accountId, operator);
        else if (action === 'send-reset') await admin.sendPasswordReset(accountId, operator);
        else await admin.delete(accountId, operator);
        io.err(`account ${accountId} ${done[action]}`);
      }
      return 0;
    },
    refusalsByCode({
      'not-found': refusal(`no account ${accountId}`),
      'email-not-verified': refusal(`${accountId} has not confirmed its login email; it cannot receive a reset link`),
    }),
  );
}
