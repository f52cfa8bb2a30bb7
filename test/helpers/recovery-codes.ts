import { expect } from 'vitest';
import { SECOND } from '../../src/core/clock.js';
import { apiClient, codeTo, mailsTo, signedInAccount, uniqueEmail, type ApiClient, type ApiResponse } from './api-client.js';
import { confirmRecoveryEmail, germanMobile } from './recovery-setup.js';
import { settleOutbox, type TestApp } from './test-app.js';

/** How a recovery code is shown: 7K3M-Q9WD-2HXA of Crockford base32. */
export const RECOVERY_CODE_FORM = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** A code of the right form that no set holds (its letters are all the same). */
export const NO_SUCH_CODE = 'ZZZZ-ZZZZ-ZZZZ';

/** A new set made by `client` (within the privileged window unless `password` is given); answers the ten codes. */
export async function makeRecoveryCodes(client: ApiClient, password?: string): Promise<string[]> {
  const made = await client.post('/api/v1/recovery/codes', password === undefined ? {} : { password });
  expect(made.status, made.text).toBe(201);
  return made.body.codes as string[];
}

/** The profile's view of the codes (GET /api/v1/recovery). */
export async function codesView(client: ApiClient): Promise<Record<string, unknown>> {
  return (await client.get('/api/v1/recovery')).body.codes as Record<string, unknown>;
}

/**
 * A browser at `ip` that asked "Passwort vergessen?" for `identifier` (the processing after the
 * answer has run); `deviceToken` makes it a browser the account knows (it passes the limits of
 * all clients together).
 */
export async function forgotFlow(t: TestApp, identifier: string, options: { ip: string; deviceToken?: string }): Promise<ApiClient> {
  const browser = apiClient(t.app, { ip: options.ip });
  if (options.deviceToken !== undefined) browser.jar.set('lifeline_device', options.deviceToken);
  t.clock.advance(SECOND);
  expect((await browser.post('/api/v1/password/forgot', { identifier })).status).toBe(202);
  await t.services.passwordReset.drain();
  // Delivered now, a second after the flow before: "the newest reset mail" is this flow's.
  await t.services.worker.runOnce();
  return browser;
}

/** A recovery code typed into the flow's browser. */
export function typeRecoveryCode(browser: ApiClient, recoveryCode: string): Promise<ApiResponse> {
  return browser.post('/api/v1/password/forgot/verify', { recoveryCode });
}

/** "400 wrong-code 4", "410 code-expired", "200": an answer in one line, to compare sequences. */
export const answerOf = (response: ApiResponse): string =>
  [String(response.status), response.body.code, response.body.triesLeft]
    .filter((part): part is string | number => typeof part === 'string' || typeof part === 'number')
    .join(' ');

/** A recovery phone set up and confirmed by the signed-in `client` (in its privileged window). */
export async function confirmRecoveryPhone(t: TestApp, client: ApiClient): Promise<string> {
  const phone = germanMobile();
  expect((await client.put('/api/v1/recovery/phone', { number: phone.typed })).status).toBe(202);
  expect((await client.post('/api/v1/recovery/phone/confirm', { code: await codeTo(t, phone.e164) })).status).toBe(200);
  return phone.e164;
}

/** The newest message to `to` whose subject (mail) or text (SMS) contains `words`. */
export async function messageTo(t: TestApp, to: string, words: string): Promise<{ subject: string; text: string } | undefined> {
  return (await mailsTo(t, to)).find((message) => message.subject.includes(words) || message.text.includes(words));
}

/** The "Das war ich nicht" token in a message, if it has one. */
export function undoTokenIn(text: string | undefined): string | undefined {
  const raw = /\/undo\?token=([A-Za-z0-9_\-.~%]+)/.exec(text ?? '')?.[1];
  return raw === undefined ? undefined : decodeURIComponent(raw);
}

/** An account signed up and signed in at `ip`, with a recovery email and phone set up from its first device (settled at once). */
export async function accountWithEveryChannel(t: TestApp, ip: string) {
  const account = await signedInAccount(t, { ip });
  const recovery = uniqueEmail('rec');
  await confirmRecoveryEmail(t, account.client, recovery);
  const phone = await confirmRecoveryPhone(t, account.client);
  await settleOutbox(t);
  return { ...account, recovery, phone };
}

/** The code of the newest reset mail to `address` (8 Crockford characters alone on a line). */
export async function mailedResetCode(t: TestApp, address: string): Promise<string | undefined> {
  const mail = (await mailsTo(t, address)).find((m) => m.text.includes('/reset-password?token='));
  return mail?.text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => /^[0-9A-Z]{8}$/.test(line));
}
