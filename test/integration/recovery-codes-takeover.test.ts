import { describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../src/core/clock.js';
import { apiClient, GOOD_PASSWORD, mailsTo, signedInAccount, tokenIn, uniqueEmail, type ApiClient } from '../helpers/api-client.js';
import {
  accountWithEveryChannel,
  answerOf,
  forgotFlow,
  mailedResetCode,
  makeRecoveryCodes,
  messageTo,
  typeRecoveryCode,
  undoTokenIn,
} from '../helpers/recovery-codes.js';
import { ipSequence, settleOutbox, useTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Recovery codes and "the owner wins" (docs/security.md "The owner wins", "Recovery codes"): an
 * intruder who knows the password makes codes, or a thief holds the owner's printed codes; the
 * owner's next reset or "Das war ich nicht" ends them, and a reset through a code ends what the
 * intruder left waiting, as a reset through a settled channel does. On SQLite and PostgreSQL.
 */
const nextIp = ipSequence('198.72');
const OWNER_PASSWORD = 'Wieder-im-eigenen-Konto-2026';
const THIEF_PASSWORD = 'Der-Dieb-setzt-ein-Passwort-5';

type Owner = Awaited<ReturnType<typeof signedInAccount>>;

/** A browser of the intruder, signed in with the owner's password: a new device (its sign-in opens the privileged window). */
async function intruderIn(t: TestApp, owner: Owner): Promise<ApiClient> {
  const intruder = apiClient(t.app, { ip: nextIp() });
  expect((await intruder.post('/api/v1/login', { email: owner.email, password: owner.password })).status).toBe(200);
  return intruder;
}

/** "Passwort vergessen?" through the login email's mailed code, in a browser of its own; answers the reset's status. */
async function resetThroughLoginEmail(t: TestApp, owner: Owner, password: string): Promise<number> {
  const flow = await forgotFlow(t, owner.email, { ip: nextIp() });
  expect((await flow.post('/api/v1/password/forgot/verify', { code: await mailedResetCode(t, owner.email) })).status).toBe(200);
  return (await flow.post('/api/v1/password/reset', { password })).status;
}

/** "Das war ich nicht" from the newest mail to `to` with `subject`. */
async function undoFrom(t: TestApp, to: string, subject: string) {
  await settleOutbox(t);
  const token = undoTokenIn((await messageTo(t, to, subject))?.text);
  expect(token).toBeDefined();
  return apiClient(t.app, { ip: nextIp() }).post('/api/v1/security/undo', { token });
}

const setsOf = async (t: TestApp, accountId: string) =>
  t.database.db.selectFrom('recovery_code_sets').select('id').where('account_id', '=', accountId).execute();

const signIn = async (t: TestApp, email: string, password: string) =>
  (await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email, password })).status;

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: recovery codes — the owner wins`, () => {
    const t = useTestApp(dialect);

    it('an intruder who knows the password makes codes on his new device: every channel of the owner is told; the codes are no way in before they settle; the owner’s reset through the login email ends them, named in its notice', async () => {
      const owner = await accountWithEveryChannel(t, nextIp());
      const intruder = await intruderIn(t, owner);
      const codes = await makeRecoveryCodes(intruder);
      const view = async () => (await intruder.get('/api/v1/recovery')).body.codes;
      expect(await view()).toMatchObject({ status: 'active', remaining: 10, usableFrom: new Date(t.clock.now() + 7 * DAY).toISOString() });
      await settleOutbox(t);
      for (const address of [owner.email, owner.recovery]) expect(await messageTo(t, address, 'Neue Wiederherstellungscodes erstellt')).toBeDefined();
      expect((await messageTo(t, owner.phone, 'neue Wiederherstellungscodes'))?.text).not.toMatch(/https?:/);

      // Not settled: in "Passwort vergessen?" his codes are wrong codes, and nothing is used.
      expect(answerOf(await typeRecoveryCode(await forgotFlow(t, owner.email, { ip: nextIp() }), codes[0] ?? ''))).toBe('400 wrong-code 4');
      expect(await view()).toMatchObject({ remaining: 10 });

      expect(await resetThroughLoginEmail(t, owner, OWNER_PASSWORD)).toBe(200);
      expect(await setsOf(t, owner.accountId)).toEqual([]);
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      await settleOutbox(t);
      expect((await messageTo(t, owner.email, 'Ihr Passwort wurde zurückgesetzt'))?.text).toContain('Ihre Wiederherstellungscodes');
      // Even once they would have settled, his codes lead nowhere.
      t.clock.advance(8 * DAY);
      expect(answerOf(await typeRecoveryCode(await forgotFlow(t, owner.email, { ip: nextIp() }), codes[1] ?? ''))).toBe('400 wrong-code 4');
      expect(await signIn(t, owner.email, OWNER_PASSWORD)).toBe(200);
    });

    it('the owner’s "Das war ich nicht" on the notice of the intruder’s set ends it; the undo and its notice say so', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const intruder = await intruderIn(t, owner);
      const codes = await makeRecoveryCodes(intruder);
      const undone = await undoFrom(t, owner.email, 'Neue Wiederherstellungscodes erstellt');
      expect(undone.status).toBe(200);
      expect(undone.body.done).toEqual(expect.arrayContaining(['recovery-codes-ended', 'signed-out-everywhere']));
      expect(await setsOf(t, owner.accountId)).toEqual([]);
      await settleOutbox(t);
      expect((await messageTo(t, owner.email, 'Ihr Konto wurde gesichert'))?.text).toContain('Ihre Wiederherstellungscodes gelten nicht mehr');
      t.clock.advance(8 * DAY);
      expect(answerOf(await typeRecoveryCode(await forgotFlow(t, owner.email, { ip: nextIp() }), codes[0] ?? ''))).toBe('400 wrong-code 4');
      expect(await resetThroughLoginEmail(t, owner, OWNER_PASSWORD)).toBe(200);
      expect(await signIn(t, owner.email, OWNER_PASSWORD)).toBe(200);
    });

    it('stolen codes: the owner’s "Das war ich nicht" on a code’s use ends the whole set and the thief’s verified flow (410)', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const codes = await makeRecoveryCodes(owner.client);
      const thief = await forgotFlow(t, owner.email, { ip: nextIp() });
      expect(answerOf(await typeRecoveryCode(thief, codes[0] ?? ''))).toBe('200');
      const undone = await undoFrom(t, owner.email, 'Ein Wiederherstellungscode wurde verwendet');
      expect(undone.body.done).toEqual(expect.arrayContaining(['recovery-codes-ended', 'open-flows-ended']));
      expect(answerOf(await thief.post('/api/v1/password/reset', { password: THIEF_PASSWORD }))).toBe('410 reset-expired');
      expect(answerOf(await typeRecoveryCode(await forgotFlow(t, owner.email, { ip: nextIp() }), codes[1] ?? ''))).toBe('400 wrong-code 4');
      expect(await resetThroughLoginEmail(t, owner, OWNER_PASSWORD)).toBe(200);
      expect(await signIn(t, owner.email, OWNER_PASSWORD)).toBe(200);
    });

    it('stolen codes, the reset done: "Das war ich nicht" on the reset notice ends the set the reset came through, and the thief’s password', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const codes = await makeRecoveryCodes(owner.client);
      const thief = await forgotFlow(t, owner.email, { ip: nextIp() });
      expect(answerOf(await typeRecoveryCode(thief, codes[2] ?? ''))).toBe('200');
      expect((await thief.post('/api/v1/password/reset', { password: THIEF_PASSWORD })).status).toBe(200);
      const undone = await undoFrom(t, owner.email, 'Ihr Passwort wurde zurückgesetzt');
      expect(undone.body.done).toEqual(expect.arrayContaining(['recovery-codes-ended', 'sign-in-blocked']));
      expect(await setsOf(t, owner.accountId)).toEqual([]);
      expect(await signIn(t, owner.email, THIEF_PASSWORD)).not.toBe(200);
      expect(await resetThroughLoginEmail(t, owner, OWNER_PASSWORD)).toBe(200);
      expect(await signIn(t, owner.email, OWNER_PASSWORD)).toBe(200);
    });

    it('the owner’s own set survives what secures the account against an intruder: the undo of his sign-in, and the owner’s reset through the login email', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const codes = await makeRecoveryCodes(owner.client);
      // Made from the first device, the set is settled at once: before anything the intruder does later.
      t.clock.advance(MINUTE);
      await intruderIn(t, owner);
      const undone = await undoFrom(t, owner.email, 'neuen Gerät');
      expect(undone.status).toBe(200);
      expect(undone.body.done).not.toContain('recovery-codes-ended');
      expect(await resetThroughLoginEmail(t, owner, OWNER_PASSWORD)).toBe(200);
      await settleOutbox(t);
      expect((await messageTo(t, owner.email, 'Ihr Passwort wurde zurückgesetzt'))?.text).not.toContain('Wiederherstellungscodes');
      const flow = await forgotFlow(t, owner.email, { ip: nextIp() });
      expect(answerOf(await typeRecoveryCode(flow, codes[9] ?? ''))).toBe('200');
      expect((await flow.post('/api/v1/password/reset', { password: `${OWNER_PASSWORD}-2` })).status).toBe(200);
    });

    it('a reset through a code ends what the intruder left waiting, as a reset through a settled channel does; a new set made after the code ends its flow (410)', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const codes = await makeRecoveryCodes(owner.client);
      // The intruder adds a first recovery address from his new device: confirmed, held 72 hours.
      const intruder = await intruderIn(t, owner);
      const theirs = uniqueEmail('intruder');
      expect((await intruder.put('/api/v1/recovery/email', { address: theirs })).status).toBe(202);
      const link = tokenIn((await mailsTo(t, theirs)).find((m) => m.text.includes('/confirm-recovery-email?token='))?.text);
      expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: link })).body).toMatchObject({ status: 'held' });

      // A set made after a flow's code was typed ends that flow: the old codes die at once.
      const early = await forgotFlow(t, owner.email, { ip: nextIp() });
      expect(answerOf(await typeRecoveryCode(early, codes[0] ?? ''))).toBe('200');
      t.clock.advance(MINUTE);
      const fresh = await makeRecoveryCodes(owner.client, GOOD_PASSWORD);
      expect(answerOf(await early.post('/api/v1/password/reset', { password: THIEF_PASSWORD }))).toBe('410 reset-expired');

      const flow = await forgotFlow(t, owner.email, { ip: nextIp() });
      expect(answerOf(await typeRecoveryCode(flow, fresh[0] ?? ''))).toBe('200');
      expect((await flow.post('/api/v1/password/reset', { password: OWNER_PASSWORD })).status).toBe(200);
      expect((await intruder.get('/api/v1/session')).status).toBe(401);
      const back = apiClient(t.app, { ip: nextIp() });
      expect((await back.post('/api/v1/login', { email: owner.email, password: OWNER_PASSWORD })).status).toBe(200);
      const recovery = (await back.get('/api/v1/recovery')).body;
      expect(recovery.email).toEqual({ status: 'none' });
      expect(recovery.codes).toMatchObject({ status: 'active', remaining: 9 });
    });
  });
}
