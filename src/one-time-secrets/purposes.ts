import { DAY, HOUR, MINUTE } from '../core/clock.js';

/**
 * What a one-time secret looks like: a link token (256 bits), a 6-digit code (for SMS) or an
 * 8-character Crockford base32 code (for email, where people copy by hand).
 */
export type SecretKind = 'link' | 'digits6' | 'crockford8';

export interface PurposePolicy {
  readonly kind: SecretKind;
  /** Lifetime; docs/reference/security-requirements.md 3.5: SMS codes ≤ 10 minutes, email ≤ 24 hours. */
  readonly ttlMs: number;
}

/**
 * Every purpose a secret can be issued for, with its form and lifetime, in one table (the
 * issues that build each flow refer to it). A secret is only ever redeemed for the purpose it
 * was issued for: the purpose is part of its keyed hash and of every lookup (docs/reference/security-requirements.md 4.6).
 */
export const purposePolicies = {
  /** Sign-up: confirms the login email; read later, hence 24 h. */
  'login-email-verification': { kind: 'link', ttlMs: 24 * HOUR },
  /** A changed login email, confirmed at the new address. */
  'login-email-change': { kind: 'link', ttlMs: 24 * HOUR },
  /** Setting up a recovery email: people set it up and read the mail later (docs/reference/product.md §2). */
  'recovery-email-confirmation': { kind: 'link', ttlMs: 24 * HOUR },
  /** Setting up a recovery phone: SMS code, 10 minutes (docs/reference/product.md §3). */
  'recovery-phone-confirmation': { kind: 'digits6', ttlMs: 10 * MINUTE },
  /** Forgot password by SMS. */
  'password-reset-sms': { kind: 'digits6', ttlMs: 10 * MINUTE },
  /** Forgot password by email: a code to type in this browser… */
  'password-reset-email-code': { kind: 'crockford8', ttlMs: 15 * MINUTE },
  /** …and a link that works in any browser. */
  'password-reset-email-link': { kind: 'link', ttlMs: 15 * MINUTE },
  /**
   * "Das war ich nicht" in a security notice: 7 days as a rule (the notifier asks for that), up
   * to 30 for the old address of a login-email change; this is the cap.
   */
  'security-undo': { kind: 'link', ttlMs: 30 * DAY },
  /**
   * The old address cancels a login-email change that waits out its 7 days (no settled channel
   * verified it): the whole wait plus a day for the mail.
   */
  'login-email-change-cancel': { kind: 'link', ttlMs: 8 * DAY },
  /**
   * Lifeline's own sensitive actions (deleting the account, changing the login email)
   * by SMS or email code: purposes of their own, so that wrong codes typed into a host's page
   * (whose hourly lock counts per account and purpose) never lock the owner out of these.
   */
  'account-action-sms': { kind: 'digits6', ttlMs: 10 * MINUTE },
  'account-action-email-code': { kind: 'crockford8', ttlMs: 15 * MINUTE },
  /** Cancels a change held for 72 hours, from any channel's notice: the hold and a day. */
  'held-change-cancel': { kind: 'link', ttlMs: 4 * DAY },
  /** Verification of a host's sensitive action by SMS. */
  'action-verification-sms': { kind: 'digits6', ttlMs: 10 * MINUTE },
  /** Verification of a sensitive action by email code… */
  'action-verification-email-code': { kind: 'crockford8', ttlMs: 15 * MINUTE },
  /** …or link. */
  'action-verification-email-link': { kind: 'link', ttlMs: 15 * MINUTE },
} as const satisfies Record<string, PurposePolicy>;

export type SecretPurpose = keyof typeof purposePolicies;

export const secretPurposes = Object.keys(purposePolicies) as SecretPurpose[];
