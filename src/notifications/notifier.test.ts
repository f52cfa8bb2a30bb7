import { createOutboxRepository } from '../delivery/outbox/outbox-repository.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../core/clock.js';
import type { Database } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { createOutbox, parsePayload } from '../delivery/outbox/outbox.js';
import { createTranslator } from '../i18n/translator.js';
import { createTestDatabase, openMigrated, type TestDatabase } from '../../test/helpers/test-database.js';
import type { MessageCatalogue } from './catalogue.js';
import { createNotifier } from './notifier.js';
import { createRecipientRepository } from './recipient-repository.js';
import { createSecurityLog } from './security-log.js';
import { createSecurityLogRepository } from './security-log-repository.js';

const catalogue: MessageCatalogue = {
  'test.security-notice': {
    channel: 'email',
    template: 'operator-test',
    recipients: 'given-address',
    category: 'info',
    noAccount: true,
    securityEvent: 'test.something_changed',
    secretParams: [],
    exampleParams: {},
  },
  'test.account-mail': {
    channel: 'email',
    template: 'account-deleted',
    recipients: 'given-address',
    category: 'info',
    securityEvent: null,
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', email: 'max@example.com' },
  },
};

describe('notifier: messages and the security-log row in the caller’s transaction', () => {
  let testDb: TestDatabase;
  let database: Database;
  const clock = createManualClock();
  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    database = await openMigrated(testDb);
    await database.db
      .insertInto('accounts')
      .values({ id: 'acc-1', email: 'Ada@Example.com', email_normalized: 'ada@example.com', locale: 'de', created_at: clock.now() })
      .execute();
  });
  afterAll(async () => {
    await database.destroy();
    await testDb.drop();
  });

  const notifier = () =>
    createNotifier({
      outbox: createOutbox({ database, clock, repository: createOutboxRepository(database) }),
      translator: createTranslator(),
      securityLog: createSecurityLog({ clock, repository: createSecurityLogRepository() }),
      recipients: createRecipientRepository(),
      config: { appName: 'Lifeline', http: { publicUrl: 'http://127.0.0.1:3000' } },
      catalogue,
      clock,
    });

  it('writes the message and the event together', async () => {
    const result = await inTransaction(database, (trx) =>
      notifier().notify(trx, {
        kind: 'test.security-notice',
        locale: 'en',
        to: 'ada@example.com',
        accountId: 'acc-1',
        origin: { ip: '203.0.113.5', userAgent: `Mozilla/5.0 ${'x'.repeat(2000)}` },
      }),
    );
    expect(result.messageIds).toHaveLength(1);
    const event = await database.db
      .selectFrom('security_events')
      .selectAll()
      .where('id', '=', result.securityEventId ?? '')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ account_id: 'acc-1', type: 'test.something_changed', ip: '203.0.113.5', created_at: clock.now() });
    expect(event.user_agent?.length).toBe(512); // a huge header is not stored whole
    const message = await database.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('id', '=', result.messageIds[0] ?? '')
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({ kind: 'test.security-notice', recipient: 'ada@example.com', account_id: 'acc-1', locale: 'en', status: 'queued' });
  });

  it('writes neither when the transaction rolls back', async () => {
    const before = await database.db
      .selectFrom('security_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await expect(
      inTransaction(database, async (trx) => {
        await notifier().notify(trx, { kind: 'test.security-notice', locale: 'de', to: 'ada@example.com', accountId: 'acc-1' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await database.db
      .selectFrom('security_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const messages = await database.db
      .selectFrom('outbox_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(messages.n)).toBe(1);
  });

  it('names the account a mail is about by its masked login email, or by the addresses the caller passes (docs/architecture.md "Messages: one answer each")', async () => {
    const textOf = async (extra: { accountEmails?: readonly string[] }) => {
      const { messageIds } = await inTransaction(database, (trx) =>
        notifier().notify(trx, {
          kind: 'test.account-mail',
          locale: 'de',
          to: 'ada@example.com',
          accountId: 'acc-1',
          params: { when: 'heute', email: 'x' },
          ...extra,
        }),
      );
      const row = await database.db
        .selectFrom('outbox_messages')
        .select('payload')
        .where('id', '=', messageIds[0] ?? '')
        .executeTakeFirstOrThrow();
      return parsePayload(row)?.text ?? '';
    };
    expect((await textOf({})).split('\n')[0]).toBe('Konto: A***@Example.com bei Lifeline');
    expect((await textOf({ accountEmails: ['old@example.org', 'bo@example.net'] })).split('\n')[0]).toBe(
      'Konto: o***@example.org, b***@example.net bei Lifeline',
    );
  });

  it('refuses an unknown kind', async () => {
    await expect(inTransaction(database, (trx) => notifier().notify(trx, { kind: 'no.such-kind', locale: 'de', to: 'a@example.com' }))).rejects.toThrow(
      /unknown message kind/,
    );
  });
});
