import { ApiError } from '../../api.js';
import { api } from '../../api-client.js';
import type { ForgotPasswordStatus, ForgotPasswordVerified } from '../../api-types.js';

/** One account an identifier belongs to, shown by its masked login email ("m***@example.com"). */
export type AccountChoice = NonNullable<ForgotPasswordVerified['accounts']>[number];

export type Channel = NonNullable<ForgotPasswordStatus['channel']>;

/** What was sent to POST /password/forgot: kept for "Code erneut senden" (absent after a reload). */
export interface ForgotRequest {
  readonly identifier: string;
  readonly country?: string;
}

/**
 * The steps of "Passwort vergessen?" and of the link from the email. The two pages share the
 * code, account and password steps; `identify` is the forgot page's first step, `link` the
 * reset page's (one button: opening a link changes nothing).
 */
export type Step =
  | { readonly kind: 'loading' }
  | { readonly kind: 'identify' }
  | { readonly kind: 'link' }
  | { readonly kind: 'code'; readonly channel: Channel; readonly request?: ForgotRequest; readonly resendAt: number }
  | { readonly kind: 'account'; readonly accounts: readonly AccountChoice[]; readonly selected?: string; readonly message?: string }
  | { readonly kind: 'password'; readonly accounts?: readonly AccountChoice[]; readonly account?: AccountChoice }
  | { readonly kind: 'gone'; readonly reason: GoneReason };

/** Why the page can only start again: the verified flow ran out, the link is dead, or the page was opened without its token. */
export type GoneReason = 'reset-expired' | 'link-expired' | 'missing-link';

/** "Code erneut senden" waits this long after each sending (the visible countdown). */
export const RESEND_COOLDOWN_MS = 60_000;

/** An email address has an "@"; everything else is taken for a phone number. */
export const channelOf = (identifier: string): Channel => (identifier.includes('@') ? 'email' : 'sms');

/**
 * The flow's state after a reload; a failed request counts as "no flow" (the page then simply
 * starts at its first step).
 */
export async function loadFlow(): Promise<ForgotPasswordStatus> {
  try {
    return await api.passwordReset.status();
  } catch {
    return { stage: 'none' };
  }
}

/** The step a flow resumes at, or undefined when there is none to resume. No identifier then: the code step offers "Neu beginnen" instead of "Code erneut senden". */
export function resumeStep(status: ForgotPasswordStatus): Step | undefined {
  if (status.stage === 'verified') return stepAfterVerify(status.accounts);
  if (status.stage === 'code-sent' && status.channel) {
    const resendAt = status.resendAvailableAt ? new Date(status.resendAvailableAt).getTime() : 0;
    return { kind: 'code', channel: status.channel, resendAt: Number.isNaN(resendAt) ? 0 : resendAt };
  }
  return undefined;
}

/** After the code or link: a choice of account when the identifier belongs to several, else the new password. */
export function stepAfterVerify(accounts: readonly AccountChoice[] | undefined): Step {
  if (accounts && accounts.length > 1) return { kind: 'account', accounts };
  const only = accounts?.length === 1 ? accounts[0] : undefined;
  return only ? { kind: 'password', account: only } : { kind: 'password' };
}

/**
 * The code of an API problem as a plain string: the forgot-password codes (`link-expired`,
 * `reset-expired`, `account-required`) are compared without depending on when the contract
 * lists them.
 */
export function problemCode(error: unknown): string | undefined {
  return error instanceof ApiError ? error.code : undefined;
}
