import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { PasswordThrottled, type PasswordThrottle, type ThrottleBucket } from '../security/password-throttle.js';
import { createPasswordVerifier } from './password-verifier.js';

describe('password verifier: the "sign-in blocked" notice', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    await t.database.db
      .insertInto('accounts')
      .values({
        id: 'acc-n',
        email: 'owner@example.com',
        email_normalized: 'owner@example.com',
        locale: 'de',
        created_at: 0,
        password_hash: null,
        email_verified_at: 1,
        password_changed_at: 0,
        signup_notice_at: null,
        throttle_notice_at: null,
      })
      .execute();
  });
  afterAll(async () => t.close());

  const refusing = (bucket: ThrottleBucket): PasswordThrottle => ({
    begin: () => Promise.reject(new PasswordThrottled(bucket, 30)),
    succeeded: () => Promise.resolve(),
  });

  const attempt = async (bucket: ThrottleBucket) => {
    const s = t.services;
    const verifier = createPasswordVerifier({
      database: t.database,
      clock: t.clock,
      hasher: s.hasher,
      throttle: refusing(bucket),
      devices: s.devices,
      accounts: (await import('./account-repository.js')).createAccountRepository(),
      notifier: s.notifier,
      translator: s.translator,
      logger: s.logger,
    });
    const account = await t.database.db.selectFrom('accounts').selectAll().where('id', '=', 'acc-n').executeTakeFirstOrThrow();
    await expect(
      verifier.verify({
        account,
        identifier: account.email_normalized,
        password: 'x',
        client: { ip: '198.51.100.1', userAgent: null },
        deviceToken: undefined,
        purpose: 'sign-in',
      }),
    ).rejects.toBeInstanceOf(PasswordThrottled);
    return t.database.db.selectFrom('outbox_messages').select('kind').where('account_id', '=', 'acc-n').execute();
  };

  it('is not sent when a client bucket refuses: it would be false, and tell a prober the address exists', async () => {
    expect(await attempt('password-client')).toEqual([]);
    expect(await attempt('password-account-client')).toEqual([]);
  });

  it('is sent, once an hour, when the account’s own bucket refuses', async () => {
    expect(await attempt('password-account')).toEqual([{ kind: 'account.signin-throttled' }]);
    expect(await attempt('password-account')).toHaveLength(1);
  });
});
