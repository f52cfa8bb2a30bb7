import { WebhookInputError } from '../../webhooks/webhook-registry.js';
import { withServices, type CliOutput } from '../context.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * `lifeline webhook create URL [--events TYPE,TYPE…] [--json]`: registers a receiver (docs/
 * integration.md "Webhooks") and prints its id and, once, its `whsec_` secret (stored sealed
 * with SECRET_KEY). Without `--events` it receives every type. Takes effect in running servers at
 * once. A wrong URL or type exits 2 before anything is stored.
 */
export async function webhookCreateCommand(
  env: NodeJS.ProcessEnv,
  url: string,
  options: { events?: string[]; json?: boolean },
  io: CliOutput,
): Promise<number> {
  return withServices(
    env,
    io,
    async (services) => {
      const made = await services.webhookRegistry.create({ url, events: options.events ?? [] });
      if (options.json) {
        io.out(JSON.stringify({ id: made.id, secret: made.secret, url: made.endpoint.url, events: made.endpoint.events }));
        return 0;
      }
      io.out(`Webhook ${made.id} created for ${made.endpoint.url} (${made.endpoint.events === null ? 'every event type' : made.endpoint.events.join(', ')}).`);
      io.out('Its signing secret is shown only now; store it where the receiver keeps secrets:');
      io.out('');
      io.out(made.secret);
      return 0;
    },
    (error) => (error instanceof WebhookInputError ? { exitCode: 2, message: `lifeline webhook create: ${error.message}` } : undefined),
  );
}

/** `lifeline webhook list [--json]`: ids, URLs, event filters, state; never a secret. */
export async function webhookListCommand(env: NodeJS.ProcessEnv, options: { json?: boolean }, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    const endpoints = await services.webhookRegistry.list();
    if (options.json) {
      io.out(
        JSON.stringify(
          endpoints.map((e) => ({ ...e, createdAt: iso(e.createdAt), revokedAt: iso(e.revokedAt), previousSecretUntil: iso(e.previousSecretUntil) })),
          null,
          2,
        ),
      );
      return 0;
    }
    if (endpoints.length === 0) io.out('(no webhooks; create one with: lifeline webhook create URL)');
    for (const e of endpoints) {
      const state =
        e.revokedAt !== null
          ? `REVOKED ${iso(e.revokedAt)}`
          : e.previousSecretUntil !== null
            ? `active, previous secret signs until ${iso(e.previousSecretUntil)}`
            : 'active';
      io.out(`${e.id}  ${e.url}  ${state}  ${e.events === null ? 'all events' : e.events.join(',')}`);
    }
    return 0;
  });
}

/** `lifeline webhook revoke ID`: no more deliveries, queued ones included. */
export async function webhookRevokeCommand(env: NodeJS.ProcessEnv, id: string, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    if (!(await services.webhookRegistry.revoke(id))) {
      io.err(`lifeline webhook revoke: no active webhook ${id}`);
      return 1;
    }
    io.err(`webhook ${id} revoked: nothing more is delivered to it, queued deliveries included`);
    return 0;
  });
}

/**
 * `lifeline webhook rotate ID [--json]`: a new secret, printed once; for a day both the new and
 * the previous secret sign every delivery, so the receiver can switch without missing one.
 */
export async function webhookRotateCommand(env: NodeJS.ProcessEnv, id: string, options: { json?: boolean }, io: CliOutput): Promise<number> {
  return withServices(env, io, async (services) => {
    const rotated = await services.webhookRegistry.rotate(id);
    if (!rotated) {
      io.err(`lifeline webhook rotate: no active webhook ${id}`);
      return 1;
    }
    if ('overlapUntil' in rotated) {
      io.err(
        `lifeline webhook rotate: the previous rotation's old secret signs until ${iso(rotated.overlapUntil)}; rotating again now would drop a secret the receiver may still use. Rotate after that time (or create a new webhook and revoke this one).`,
      );
      return 1;
    }
    if (options.json) {
      io.out(JSON.stringify({ id, secret: rotated.secret, previousSecretUntil: iso(rotated.previousSecretUntil) }));
      return 0;
    }
    io.out(
      `New secret for ${id} (shown only now). Until ${iso(rotated.previousSecretUntil)} deliveries carry signatures with both secrets; switch the receiver before then:`,
    );
    io.out('');
    io.out(rotated.secret);
    return 0;
  });
}
