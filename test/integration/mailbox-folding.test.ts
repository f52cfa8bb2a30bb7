import { describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, apiClient, mailsTo, signedInAccount } from '../helpers/api-client.js';
import { ipSequence, useTestApp } from '../helpers/test-app.js';
import { dialectsUnderTest } from '../helpers/test-database.js';

/**
 * Spellings of one mailbox (docs/security.md "Addresses of one mailbox"): Gmail ignores dots and
 * `+tags` and googlemail.com is gmail.com, so `Max.Mustermann+x@googlemail.com` is the login
 * mailbox `maxmustermann@gmail.com` itself; other listed providers cut `+tags`; unknown domains
 * are compared as they are. docs/reference/security-requirements.md 3.17 (the recovery email must differ from the login
 * email) and 5.2 (limits per address).
 */
const nextIp = ipSequence('198.41');
let nameCounter = 0;
/** A Gmail local part of its own per test (dots and tags are added by the tests). */
const freshName = () => `maxmustermann${process.pid}x${++nameCounter}`;

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: addresses of one mailbox`, () => {
    const t = useTestApp(dialect);

    const recoveryStatus = async (client: ReturnType<typeof apiClient>) => ((await client.get('/api/v1/recovery')).body.email as { status: string }).status;

    it('Max.Mustermann+x@googlemail.com is refused as recovery address for the login maxmustermann@gmail.com (422 same-as-login-email), nothing sent', async () => {
      const name = freshName();
      const owner = await signedInAccount(t, { ip: nextIp(), email: `${name}@gmail.com` });
      const spelling = `Max.Mustermann${name.slice('maxmustermann'.length)}+x@googlemail.com`;
      for (const address of [spelling, `${name.slice(0, 3)}.${name.slice(3)}@gmail.com`, `${name}+backup@gmail.com`, `${name.toUpperCase()}@GoogleMail.com`]) {
        const r = await owner.client.put('/api/v1/recovery/email', { address, password: GOOD_PASSWORD });
        expect(r.status, address).toBe(422);
        expect(r.body.code).toBe('same-as-login-email');
        expect(await mailsTo(t, address)).toEqual([]);
      }
      expect(await recoveryStatus(owner.client)).toBe('none');
      // Another provider's mailbox of the same name is another mailbox.
      expect((await owner.client.put('/api/v1/recovery/email', { address: `${name}@outlook.com`, password: GOOD_PASSWORD })).status).toBe(202);
    });

    it('the other way round: a googlemail login refuses its gmail spelling', async () => {
      const name = freshName();
      const owner = await signedInAccount(t, { ip: nextIp(), email: `${name.slice(0, 3)}.${name.slice(3)}@googlemail.com` });
      const r = await owner.client.put('/api/v1/recovery/email', { address: `${name}+x@gmail.com`, password: GOOD_PASSWORD });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('same-as-login-email');
    });

    it('Outlook.com: a +tag of the login is refused, a different dotting is another mailbox; an unknown domain is not folded', async () => {
      const name = freshName();
      const outlook = await signedInAccount(t, { ip: nextIp(), email: `max.${name}@outlook.com` });
      expect((await outlook.client.put('/api/v1/recovery/email', { address: `Max.${name}+backup@Outlook.com`, password: GOOD_PASSWORD })).body.code).toBe(
        'same-as-login-email',
      );
      expect((await outlook.client.put('/api/v1/recovery/email', { address: `max${name}@outlook.com`, password: GOOD_PASSWORD })).status).toBe(202);

      const plain = await signedInAccount(t, { ip: nextIp(), email: `${name}@example.org` });
      expect((await plain.client.put('/api/v1/recovery/email', { address: `${name}+backup@example.org`, password: GOOD_PASSWORD })).status).toBe(202);
      expect((await plain.client.put('/api/v1/recovery/email', { address: `${name}@example.org`, password: GOOD_PASSWORD })).body.code).toBe(
        'same-as-login-email',
      );
    });

    it('sign-up: five confirmation mails an hour per mailbox, however it is spelt; the sixth spelling gets the same 202 and no mail', async () => {
      const name = freshName();
      const spellings = [
        `${name}@gmail.com`,
        `${name.slice(0, 3)}.${name.slice(3)}@gmail.com`,
        `${name}+a@googlemail.com`,
        `${name.slice(0, 1)}.${name.slice(1)}+b@gmail.com`,
        `${name}+c@gmail.com`,
        `${name}+d@googlemail.com`,
      ];
      const client = apiClient(t.app, { ip: nextIp() });
      const answers: string[] = [];
      for (const email of spellings) {
        const r = await client.post('/api/v1/signup', { email, password: GOOD_PASSWORD });
        expect(r.status).toBe(202);
        answers.push(r.text);
      }
      expect(new Set(answers).size).toBe(1);
      for (const email of spellings.slice(0, 5)) expect((await mailsTo(t, email)).length, email).toBe(1);
      expect(await mailsTo(t, spellings[5] ?? '')).toEqual([]);
      expect(t.logs().some((l) => l.event === 'signup.mail_suppressed')).toBe(true);
      // Another mailbox is not affected.
      expect((await client.post('/api/v1/signup', { email: `${name}zz@gmail.com`, password: GOOD_PASSWORD })).status).toBe(202);
      expect((await mailsTo(t, `${name}zz@gmail.com`)).length).toBe(1);
    });

    it('recovery email: five confirmation links an hour per recipient mailbox across accounts, however it is spelt; then 429', async () => {
      const name = freshName();
      const spellings = [
        `${name}@gmail.com`,
        `${name}+1@gmail.com`,
        `${name.slice(0, 2)}.${name.slice(2)}@googlemail.com`,
        `${name}+3@googlemail.com`,
        `${name.slice(0, 4)}.${name.slice(4)}+4@gmail.com`,
      ];
      for (const address of spellings) {
        const owner = await signedInAccount(t, { ip: nextIp() });
        expect((await owner.client.put('/api/v1/recovery/email', { address, password: GOOD_PASSWORD })).status, address).toBe(202);
      }
      const sixth = await signedInAccount(t, { ip: nextIp() });
      const refused = await sixth.client.put('/api/v1/recovery/email', { address: `${name}+6@googlemail.com`, password: GOOD_PASSWORD });
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('rate-limited');
      expect(await mailsTo(t, `${name}+6@googlemail.com`)).toEqual([]);
      // A different mailbox still gets its link.
      expect((await sixth.client.put('/api/v1/recovery/email', { address: `${name}x@gmail.com`, password: GOOD_PASSWORD })).status).toBe(202);
    });
  });
}
