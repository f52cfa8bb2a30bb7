import type { OutboxStatus } from '../../db/tables.js';
import { openServices, type CliOutput } from '../context.js';

const statusSets: Readonly<Record<string, readonly OutboxStatus[]>> = {
  pending: ['queued', 'processing', 'failed'],
  queued: ['queued'],
  processing: ['processing'],
  failed: ['failed'],
  sent: ['sent'],
  all: ['queued', 'processing', 'sent', 'failed'],
};

/**
 * `lifeline outbox [--status pending|queued|processing|failed|sent|all] [--limit N] [--json]`:
 * lists messages that wait or failed (by default), codes and links masked.
 */
export async function outboxCommand(env: NodeJS.ProcessEnv, options: { status?: string; limit?: string; json?: boolean }, io: CliOutput): Promise<number> {
  const statuses = statusSets[options.status ?? 'pending'];
  if (!statuses) {
    io.err(`lifeline outbox: --status: must be one of ${Object.keys(statusSets).join(', ')}`);
    return 2;
  }
  const limit = Number(options.limit ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    io.err('lifeline outbox: --limit: must be a whole number from 1 to 10000');
    return 2;
  }
  const { services, close } = await openServices(env);
  try {
    const rows = await services.outbox.list({ statuses, limit });
    const stats = await services.outbox.stats();
    if (options.json) {
      io.out(
        JSON.stringify(
          {
            counts: stats.byStatus,
            messages: rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString(), nextAttemptAt: new Date(r.nextAttemptAt).toISOString() })),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const c = stats.byStatus;
    io.out(`outbox: ${c.queued} queued, ${c.processing} processing, ${c.failed} failed, ${c.sent} sent`);
    if (rows.length === 0) io.out('(no messages in this selection)');
    for (const row of rows) {
      io.out('');
      io.out(`${row.id}  ${row.status.toUpperCase()}  ${row.channel} → ${row.to}  [${row.kind}]  attempts: ${row.attempts}`);
      io.out(
        `  created ${new Date(row.createdAt).toISOString()}` + (row.status === 'queued' ? `, next attempt ${new Date(row.nextAttemptAt).toISOString()}` : ''),
      );
      io.out(`  subject: ${row.subject}`);
      if (row.lastError) io.out(`  last error: ${row.lastError}`);
      if (row.maskedText) io.out(`  text: ${row.maskedText.split('\n').filter(Boolean).slice(0, 6).join(' / ')}`);
    }
    return 0;
  } finally {
    await close();
  }
}
