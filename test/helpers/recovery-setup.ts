import { expect } from 'vitest';
import { SECOND } from '../../src/core/clock.js';
import { apiClient, GOOD_PASSWORD, mailsTo, tokenIn, type ApiClient } from './api-client.js';
import { settleOutbox, type TestApp } from './test-app.js';

/** A fresh German mobile number: 0171 and 7 random digits, typed the way people do, and its E.164 form. */
export function germanMobile(): { typed: string; e164: string; digits: string } {
  const digits = String(1_000_000 + Math.floor(Math.random() * 8_999_999));
  return { typed: `0171 ${digits}`, e164: `+49171${digits}`, digits };
}

/**
 * Sets `address` as the recovery email of `client`'s account (a second later, with the good
 * password: 202) and confirms it through the mailed link from another browser (200); then the
 * worker delivers the notices (settleOutbox).
 */
export async function confirmRecoveryEmail(t: TestApp, client: ApiClient, address: string): Promise<void> {
  t.clock.advance(SECOND);
  expect((await client.put('/api/v1/recovery/email', { address, password: GOOD_PASSWORD })).status).toBe(202);
  const mail = (await mailsTo(t, address)).find((m) => m.text.includes('/confirm-recovery-email?token='));
  expect((await apiClient(t.app).post('/api/v1/recovery/email/confirm', { token: tokenIn(mail?.text) })).status).toBe(200);
  await settleOutbox(t);
}

/**
 * Presses "Das war ich nicht" in the new-device notice (subject "… neuen Gerät …") last mailed to
 * `email`, from a browser at `ip`; answers the undo's response for the test to judge.
 */
export async function undoNewDeviceNotice(t: TestApp, email: string, ip: string) {
  const notice = (await mailsTo(t, email)).find((m) => m.subject.includes('neuen Gerät'));
  const token = /\/undo\?token=([A-Za-z0-9_\-.~%]+)/.exec(notice?.text ?? '')?.[1];
  return apiClient(t.app, { ip }).post('/api/v1/security/undo', { token: decodeURIComponent(token ?? '') });
}
