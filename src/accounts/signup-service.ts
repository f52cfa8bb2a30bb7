import type { Logger } from 'pino';
import { normaliseEmail } from '../contract/email-address.js';
import type { Clock } from '../core/clock.js';
import { DAY, HOUR } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import { newId } from '../core/random.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { inTransaction } from '../db/transaction.js';
import type { Locale, Translator } from '../i18n/translator.js';
import { describeEvent } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import type { RequestOrigin, SecurityLog } from '../notifications/security-log.js';
import type { DeviceRegistry } from '../sessions/device-registry.js';
import type { RateLimits } from '../security/rate-limits.js';
import type { OneTimeSecretService } from '../one-time-secrets/one-time-secret-service.js';
import type { AccountRepository } from './account-repository.js';
import type { PasswordHasher } from './password-hasher.js';
import { checkNewPassword } from './password-policy.js';
import { isTimeZone } from './time-zone.js';

/** Unconfirmed sign-ups are deleted after this long (docs/reference/product.md §1). */
export const UNVERIFIED_ACCOUNT_LIFETIME_MS = 7 * DAY;

export interface SignupInput {
  readonly email: string;
  readonly password: string;
  readonly locale: Locale;
  readonly timeZone: string;
  readonly origin: RequestOrigin;
}

/**
 * The email as shown and mailed to (the local part as typed, the domain lower-case and in
 * punycode) and as compared (all lower-case); a refusal names the field.
 */
export function parseEmail(input: string, field = 'email'): { email: string; normalized: string } {
  const normalized = normaliseEmail(input);
  if (normalized === undefined) throw new LifelineError('validation-failed', { field });
  const trimmed = input.trim();
  const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
  return { email: `${trimmed.slice(0, trimmed.lastIndexOf('@'))}@${domain}`, normalized };
}

/** A confirmed login email, as the confirm page answers it. */
export interface ConfirmedSignup {
  readonly email: string;
  /** Set only when this confirmation verified the account: that browser is now its first device. */
  readonly deviceToken?: string;
  /** The link had confirmed the address before (opened again): nothing changed now. */
  readonly alreadyConfirmed?: true;
}

/**
 * Sign-up and confirmation of the login email (docs/reference/product.md §1; state diagram in
 * signup-states.mmd). The answer to a sign-up never says whether the address has an account:
 * the same work (argon2 included) is done and the same 202 given either way; only the mail
 * that goes out differs, and it goes to the address's owner.
 */
export interface SignupService {
  /**
   * - new address: an unconfirmed account and a confirmation link;
   * - unconfirmed address: its password and language are replaced and a fresh link sent (the
   *   old one dies), which closes the pre-registration takeover;
   * - confirmed address: nothing changes; its owner is told (at most once an hour).
   */
  signup(input: SignupInput): Promise<void>;

  /**
   * Confirms the login email with the link's token (a POST from the link's page: a GET never
   * confirms, so mail scanners that open links change nothing). The link alone confirms, but
   * the browser that confirmed becomes the account's first device (its device cookie, returned
   * as `deviceToken`): whoever signed up with someone else's address and then signs in from his
   * own browser is on a new device — the owner hears of it with "Das war ich nicht", and his
   * recovery changes wait 72 hours (pre-registration gains him nothing the owner cannot undo).
   */
  confirm(token: string, origin: RequestOrigin, deviceToken: string | undefined): Promise<ConfirmedSignup>;

  /**
   * Sends the confirmation link again ("Link erneut senden"). Neutral: nothing is said about
   * whether the address has an unconfirmed account; only such an account gets a new link.
   */
  resend(email: string): Promise<void>;

  /** Housekeeping: unconfirmed sign-ups older than 7 days are deleted; answers how many. */
  purgeUnverified(): Promise<number>;
}

/** Builds the sign-up service (see {@link SignupService}). */
export function createSignupService(deps: {
  database: Database;
  clock: Clock;
  hasher: PasswordHasher;
  accounts: AccountRepository;
  verification: OneTimeSecretService;
  notifier: Notifier;
  securityLog: SecurityLog;
  translator: Translator;
  rateLimits: RateLimits;
  /** The browser that confirms the sign-up becomes the account's first device (docs/security.md "The owner wins"). */
  devices: Pick<DeviceRegistry, 'remember'>;
  logger: Logger;
  config: { readonly appName: string };
}): SignupService {
  const { database, clock, accounts } = deps;

  /** Whether another confirmation mail may go to this address this hour (neutral limit). */
  async function mayMail(normalized: string): Promise<boolean> {
    const decision = await deps.rateLimits.consume('signup-address', normalized);
    if (!decision.allowed)
      deps.logger.warn({ event: 'signup.mail_suppressed', reason: 'address-limit' }, 'confirmation mail not sent: hourly limit for the address');
    return decision.allowed;
  }

  /** Issues a confirmation link bound to the address and to the password it confirms, and mails it. */
  async function sendLink(
    trx: Executor,
    account: { id: string; email: string; normalized: string; locale: Locale; passwordChangedAt: number | null },
  ): Promise<void> {
    const link = await deps.verification.issue(trx, {
      purpose: 'login-email-verification',
      accountId: account.id,
      target: account.normalized,
      data: { passwordChangedAt: account.passwordChangedAt },
    });
    await deps.notifier.notify(trx, {
      kind: 'account.signup-confirmation',
      locale: account.locale,
      to: account.email,
      accountId: account.id,
      params: { token: link.secret },
    });
  }

  /** One attempt at a sign-up, in one transaction (see `signup`). */
  async function register(email: string, normalized: string, passwordHash: string, input: SignupInput): Promise<void> {
    await inTransaction(database, async (trx) => {
      const now = clock.now();
      const existing = await accounts.findByEmail(trx, normalized);
      if (existing?.email_verified_at != null) {
        if (await accounts.claimNotice(trx, existing.id, 'signup_notice_at', now - HOUR, now)) {
          const locale = existing.locale === 'en' ? 'en' : 'de';
          const { when } = describeEvent(deps.translator, { at: now, locale, timeZone: existing.time_zone });
          await deps.notifier.notify(trx, {
            kind: 'account.signup-attempt',
            locale,
            to: existing.email,
            accountId: existing.id,
            params: { when },
            origin: input.origin,
          });
        } else {
          deps.logger.info({ event: 'signup.notice_suppressed', accountId: existing.id }, 'sign-up notice already sent this hour');
        }
        return;
      }
      let accountId: string;
      if (existing) {
        accountId = existing.id;
        // Restart the 7 days too: the newest sign-up is the one that counts. Its links die now,
        // whether or not a new one may be mailed: a link must never confirm a password other
        // than the one it was sent for (the pre-registration takeover).
        await accounts.update(
          trx,
          accountId,
          { email, password_hash: passwordHash, password_changed_at: now, locale: input.locale, time_zone: input.timeZone, created_at: now },
          now,
        );
        await deps.verification.invalidate(trx, accountId, ['login-email-verification']);
      } else {
        accountId = newId();
        await accounts.insert(trx, { id: accountId, email, emailNormalized: normalized, passwordHash, locale: input.locale, timeZone: input.timeZone, now });
        await deps.securityLog.record(trx, { accountId, type: 'account.created', origin: input.origin });
      }
      if (!(await mayMail(normalized))) return;
      await sendLink(trx, { id: accountId, email, normalized, locale: input.locale, passwordChangedAt: now });
    });
  }

  /**
   * A confirmation link opened again after it worked: the address is confirmed, so the page says
   * so and offers the sign-in, rather than "expired, ask for a new one" (there is nothing to ask
   * for). Only the whole link tells, and only while the account's address is still the one it
   * confirmed; any other failure stays what it was.
   */
  async function alreadyConfirmed(token: string, error: unknown): Promise<ConfirmedSignup> {
    const used = await deps.verification.usedLink({ purpose: 'login-email-verification', token });
    const account = used ? await accounts.findById(database.db, used.accountId) : undefined;
    if (!used || !account || account.email_verified_at === null || account.email_normalized !== used.target) throw error;
    return { email: account.email, alreadyConfirmed: true };
  }

  return {
    async signup(input) {
      const { email, normalized } = parseEmail(input.email);
      // Stored with the account and used for every notice: refused like in the preferences.
      if (!isTimeZone(input.timeZone)) throw new LifelineError('invalid-time-zone');
      const refusal = checkNewPassword(input.password, { email: normalized, appName: deps.config.appName });
      if (refusal) throw new LifelineError(refusal);
      // Hashed in every branch: the answer must take as long for a taken address as for a new one.
      const passwordHash = await deps.hasher.hash(input.password);
      // Two sign-ups of one new address at once: the second insert meets the unique address and
      // its transaction rolls back; run once more, and it takes the "existing address" branch.
      for (let attempt = 1; ; attempt++) {
        try {
          return await register(email, normalized, passwordHash, input);
        } catch (error) {
          if (attempt >= 2 || !isUniqueViolation(error)) throw error;
        }
      }
    },

    async confirm(token, origin, deviceToken) {
      return deps.verification
        .redeemLink<ConfirmedSignup>({ purpose: 'login-email-verification', token }, async (trx, secret) => {
          const now = clock.now();
          const account = await accounts.findById(trx, secret.accountId);
          // The address the link was sent to must still be the account's (a later sign-up replaced it otherwise).
          if (!account || account.email_normalized !== secret.target) throw new LifelineError('invalid-or-expired');
          // …and the password it was sent for must still be the account's.
          if (secret.data.passwordChangedAt !== account.password_changed_at) throw new LifelineError('invalid-or-expired');
          if (account.email_verified_at === null) {
            await accounts.update(trx, account.id, { email_verified_at: now }, now);
            await deps.securityLog.record(trx, { accountId: account.id, type: 'account.email_verified', origin });
            const device = await deps.devices.remember(trx, account.id, deviceToken);
            return { email: account.email, deviceToken: device.token };
          }
          return { email: account.email };
        })
        .catch((error: unknown) => alreadyConfirmed(token, error));
    },

    async resend(emailInput) {
      const { normalized } = parseEmail(emailInput);
      await inTransaction(database, async (trx) => {
        const account = await accounts.findByEmail(trx, normalized);
        if (!account || account.email_verified_at !== null) return;
        if (!(await mayMail(normalized))) return;
        const locale = account.locale === 'en' ? 'en' : 'de';
        await sendLink(trx, { id: account.id, email: account.email, normalized, locale, passwordChangedAt: account.password_changed_at });
      });
    },

    purgeUnverified() {
      return accounts.deleteUnverifiedBefore(database.db, clock.now() - UNVERIFIED_ACCOUNT_LIFETIME_MS);
    },
  };
}
