import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/core/clock.js';
import { apiClient, GOOD_PASSWORD, mailsTo, signedInAccount, uniqueEmail } from '../helpers/api-client.js';
import {
  accountWithEveryChannel,
  answerOf,
  codesView,
  forgotFlow,
  mailedResetCode,
  makeRecoveryCodes,
  messageTo,
  NO_SUCH_CODE,
  RECOVERY_CODE_FORM,
  typeRecoveryCode,
} from '../helpers/recovery-codes.js';
import { ipSequence, securityEventTypes, settleOutbox, useTestApp, type TestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Recovery codes over the API (docs/api.md "Recovery codes", docs/security.md "Recovery codes"):
 * made in the profile, used once each in "Passwort vergessen?" with the login email, every use
 * told. On SQLite and PostgreSQL.
 */
const nextIp = ipSequence('198.71');
const NEW_PASSWORD = 'Ein-neuer-Satz-fuer-das-Konto-9';

const withEveryChannel = (t: TestApp) => accountWithEveryChannel(t, nextIp());

/** Every stored row that could hold a code: the sets, the codes, the outbox, the mailbox, the log. */
async function everythingStored(t: TestApp): Promise<string> {
  const db = t.database.db;
  const tables = await Promise.all([
    db.selectFrom('recovery_code_sets').selectAll().execute(),
    db.selectFrom('recovery_codes').selectAll().execute(),
    db.selectFrom('outbox_messages').selectAll().execute(),
    db.selectFrom('security_events').selectAll().execute(),
    db.selectFrom('password_reset_flows').selectAll().execute(),
  ]);
  return JSON.stringify(tables) + JSON.stringify(await t.services.devMailbox?.list());
}

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: recovery codes`, () => {
    const t = useTestApp(dialect);

    it('making a set needs a session, CSRF and the password or the privileged window; bad input is a 400 that stores nothing; ten codes, shown once, stored only hashed', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      expect(await codesView(a.client)).toEqual({ status: 'none' });
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/recovery/codes', {})).status).toBe(401);
      expect(answerOf(await a.client.post('/api/v1/recovery/codes', {}, { 'x-csrf-token': 'forged' }))).toBe('403 csrf-token-invalid');
      for (const body of [{ password: 42 }, { count: 10 }, '[]', 'not json']) {
        expect((await a.client.post('/api/v1/recovery/codes', body)).status, JSON.stringify(body)).toBe(400);
      }
      // The privileged window closes after 10 minutes: then the password, and only the right one.
      t.clock.advance(11 * MINUTE);
      expect(answerOf(await a.client.post('/api/v1/recovery/codes', {}))).toBe('403 privilege-required');
      expect(answerOf(await a.client.post('/api/v1/recovery/codes', { password: 'Falsches-Passwort-123' }))).toBe('403 wrong-password');
      expect(await t.database.db.selectFrom('recovery_code_sets').selectAll().where('account_id', '=', a.accountId).execute()).toEqual([]);

      const codes = await makeRecoveryCodes(a.client, GOOD_PASSWORD);
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(RECOVERY_CODE_FORM);
      // The first device's set counts at once (no usableFrom).
      const view = await codesView(a.client);
      expect(view).toEqual({ status: 'active', remaining: 10, createdAt: new Date(t.clock.now()).toISOString() });
      // Only keyed hashes are stored, and no code reaches a message, the log or the server's log lines.
      await settleOutbox(t);
      const stored = await everythingStored(t);
      for (const code of codes) {
        for (const form of [code, code.replaceAll('-', '')]) {
          expect(stored).not.toContain(form);
          expect(t.logLines().some((line) => line.includes(form))).toBe(false);
        }
      }
      // The password opened the window again: another set without it.
      expect((await makeRecoveryCodes(a.client)).length).toBe(10);
    });

    it('at most 5 sets an hour per account (each one mails and texts every channel): the 6th is 429 and changes nothing', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      for (let i = 0; i < 5; i++) await makeRecoveryCodes(a.client);
      const before = await codesView(a.client);
      const sixth = await a.client.post('/api/v1/recovery/codes', {});
      expect(answerOf(sixth)).toBe('429 rate-limited');
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
      expect(await codesView(a.client)).toEqual(before);
      expect((await securityEventTypes(t, a.accountId)).filter((type) => type === 'recovery_codes.created')).toHaveLength(5);
    });

    it('every channel hears of a new set (each mail with its own "Das war ich nicht", the SMS without a link); a new set replaces the old one at once', async () => {
      const a = await withEveryChannel(t);
      const first = await makeRecoveryCodes(a.client);
      await settleOutbox(t);
      for (const address of [a.email, a.recovery]) {
        const notice = await messageTo(t, address, 'Neue Wiederherstellungscodes erstellt');
        expect(notice?.text).toContain('IP-Adresse');
        expect(notice?.text).not.toContain('Die bisherigen Codes gelten nicht mehr.');
      }
      expect((await messageTo(t, a.email, 'Neue Wiederherstellungscodes erstellt'))?.text).toContain('/undo?token=');
      const sms = await messageTo(t, a.phone, 'neue Wiederherstellungscodes');
      expect(sms?.text).not.toMatch(/https?:|token=/);

      const second = await makeRecoveryCodes(a.client);
      await settleOutbox(t);
      expect((await mailsTo(t, a.email)).filter((m) => m.subject.includes('Neue Wiederherstellungscodes erstellt'))[0]?.text).toContain(
        'Die bisherigen Codes gelten nicht mehr.',
      );
      expect((await securityEventTypes(t, a.accountId)).filter((type) => type === 'recovery_codes.created')).toHaveLength(2);
      // The old set died with the new one: its codes are wrong codes; the new set's work.
      const flow = await forgotFlow(t, a.email, { ip: nextIp() });
      expect(answerOf(await typeRecoveryCode(flow, first[0] ?? ''))).toBe('400 wrong-code 4');
      expect(answerOf(await typeRecoveryCode(flow, second[0] ?? ''))).toBe('200');
    });

    it('with the login email, a code in any case, with spaces for dashes, verifies like a mailed code; the reset follows as usual; the code is used up and every channel told how many are left', async () => {
      const a = await withEveryChannel(t);
      const elsewhere = apiClient(t.app, { ip: nextIp() });
      expect((await elsewhere.post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(200);
      const codes = await makeRecoveryCodes(a.client);
      const used = codes[3] ?? '';
      const flow = await forgotFlow(t, a.email.toUpperCase(), { ip: nextIp() });
      const verified = await typeRecoveryCode(flow, ` ${used.toLowerCase().replaceAll('-', ' ')} `);
      expect([verified.status, verified.body]).toEqual([200, {}]);
      expect((await flow.get('/api/v1/password/forgot')).body).toMatchObject({ stage: 'verified' });
      // The flow's mailed code died with it.
      expect((await flow.post('/api/v1/password/forgot/verify', { code: 'ABCDEFGH' })).status).toBe(410);

      const done = await flow.post('/api/v1/password/reset', { password: NEW_PASSWORD });
      expect([done.status, done.body]).toEqual([200, { status: 'reset', email: a.email }]);
      for (const client of [a.client, elsewhere]) expect((await client.get('/api/v1/session')).status).toBe(401);
      expect((await apiClient(t.app, { ip: nextIp() }).post('/api/v1/login', { email: a.email, password: a.password })).status).toBe(401);
      const back = apiClient(t.app, { ip: nextIp() });
      expect((await back.post('/api/v1/login', { email: a.email, password: NEW_PASSWORD })).status).toBe(200);
      expect(await codesView(back)).toMatchObject({ status: 'active', remaining: 9 });

      await settleOutbox(t);
      for (const address of [a.email, a.recovery]) {
        const notice = await messageTo(t, address, 'Ein Wiederherstellungscode wurde verwendet');
        expect(notice?.text).toContain('Es sind noch 9 Codes übrig.');
        expect(notice?.text).toContain('IP-Adresse');
        expect((await messageTo(t, address, 'Ihr Passwort wurde zurückgesetzt'))?.text).toContain('mit einem Ihrer Wiederherstellungscodes');
      }
      const sms = await messageTo(t, a.phone, 'Wiederherstellungscode Ihres');
      expect(sms?.text).toContain('Es sind noch 9 Codes übrig.');
      expect(sms?.text).not.toMatch(/https?:|token=/);
      expect(await securityEventTypes(t, a.accountId)).toEqual(expect.arrayContaining(['recovery_code.used', 'password.reset']));
      expect(t.logs().some((line) => line.event === 'password_reset.completed' && line.channel === 'recovery-code')).toBe(true);

      // Used once: the same code in a new flow is a wrong code.
      expect(answerOf(await typeRecoveryCode(await forgotFlow(t, a.email, { ip: nextIp() }), used))).toBe('400 wrong-code 4');
    });

    it("another account's code, and any code in a flow of a recovery address or phone or of no account, answers as a wrong code and uses nothing", async () => {
      const a = await withEveryChannel(t);
      const codes = await makeRecoveryCodes(a.client);
      const b = await signedInAccount(t, { ip: nextIp() });
      const theirs = await makeRecoveryCodes(b.client);
      expect(answerOf(await typeRecoveryCode(await forgotFlow(t, a.email, { ip: nextIp() }), theirs[0] ?? ''))).toBe('400 wrong-code 4');

      // The same five guesses and the end, whether the flow is a recovery channel's or no account's.
      const sequences: string[][] = [];
      for (const identifier of [a.recovery, a.phone, uniqueEmail('nobody')]) {
        const flow = await forgotFlow(t, identifier, { ip: nextIp() });
        const answers = [];
        for (let i = 0; i < 6; i++) answers.push(answerOf(await typeRecoveryCode(flow, codes[i] ?? '')));
        sequences.push(answers);
      }
      expect(sequences[0]).toEqual(['400 wrong-code 4', '400 wrong-code 3', '400 wrong-code 2', '400 wrong-code 1', '400 wrong-code 0', '410 code-expired']);
      expect(sequences[1]).toEqual(sequences[0]);
      expect(sequences[2]).toEqual(sequences[0]);

      // A typing slip is no guess: 400 validation-failed, and the flow's tries stay.
      const flow = await forgotFlow(t, a.email, { ip: nextIp() });
      expect(answerOf(await typeRecoveryCode(flow, 'K7M2-Q9XD'))).toBe('400 validation-failed');
      expect(answerOf(await typeRecoveryCode(flow, NO_SUCH_CODE))).toBe('400 wrong-code 4');
      // None of the codes typed above was used: each still verifies.
      expect(answerOf(await typeRecoveryCode(flow, codes[5] ?? ''))).toBe('200');
      expect(await codesView(a.client)).toMatchObject({ remaining: 9 });
    });

    it('wrong recovery codes share the tries and the hourly lock of the mailed code: five burn it, ten lock the guessing client (429), never the owner elsewhere', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const codes = await makeRecoveryCodes(a.client);
      const guesser = nextIp();
      const first = await forgotFlow(t, a.email, { ip: guesser });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(answerOf(await typeRecoveryCode(first, NO_SUCH_CODE)));
      expect(answers).toEqual(['400 wrong-code 4', '400 wrong-code 3', '400 wrong-code 2', '400 wrong-code 1', '400 wrong-code 0']);
      // The mailed code is burnt by them, and so is any recovery code in this flow.
      const mailed = await mailedResetCode(t, a.email);
      expect(answerOf(await first.post('/api/v1/password/forgot/verify', { code: mailed }))).toBe('410 code-expired');
      expect(answerOf(await typeRecoveryCode(first, codes[0] ?? ''))).toBe('410 code-expired');

      // Five more, mailed and recovery codes mixed, from the same client: ten failures within the hour.
      const second = await forgotFlow(t, a.email, { ip: guesser });
      for (let i = 0; i < 5; i++) {
        const wrong = i % 2 === 0 ? typeRecoveryCode(second, NO_SUCH_CODE) : second.post('/api/v1/password/forgot/verify', { code: 'ZZZZZZZZ' });
        expect((await wrong).status).toBe(400);
      }
      const locked = await typeRecoveryCode(await forgotFlow(t, a.email, { ip: guesser }), codes[0] ?? '');
      expect(answerOf(locked)).toBe('429 too-many-attempts');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      // The owner, from another client, is not locked; nothing was used meanwhile.
      expect(await codesView(a.client)).toMatchObject({ remaining: 10 });
      expect(answerOf(await typeRecoveryCode(await forgotFlow(t, a.email, { ip: nextIp() }), codes[0] ?? ''))).toBe('200');
    });

    it('100 parallel redemptions of one code in 100 flows: exactly one wins, the others are wrong codes (one conditional UPDATE)', async () => {
      const a = await signedInAccount(t, { ip: nextIp() });
      const [code = ''] = await makeRecoveryCodes(a.client);
      // The account's own browser passes the cap of all clients together (20 codes an hour per identifier).
      const deviceToken = a.client.jar.get('lifeline_device');
      const flows = [];
      for (let i = 0; i < 100; i++) flows.push(await forgotFlow(t, a.email, { ip: nextIp(), deviceToken }));
      const answers = (await Promise.all(flows.map((flow) => typeRecoveryCode(flow, code)))).map(answerOf);
      expect(answers.filter((answer) => answer === '200')).toHaveLength(1);
      expect(answers.filter((answer) => answer === '400 wrong-code 4')).toHaveLength(99);
      expect(await codesView(a.client)).toMatchObject({ remaining: 9 });
      expect((await securityEventTypes(t, a.accountId)).filter((type) => type === 'recovery_code.used')).toHaveLength(1);
    });
  });
}
