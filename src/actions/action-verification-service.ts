import { maskEmail } from '../contract/email-address.js';
import { matchReturnLink, type ReturnLink } from '../contract/return-links.js';
import { MINUTE, type Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import { sha256Hex } from '../core/hashing.js';
import { randomToken } from '../core/random.js';
import type { Database, Executor } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import type { AccountRow, ActionVerificationRow, VerificationRequesterKind } from '../db/tables.js';
import type { Notifier } from '../notifications/notifier.js';
import type { RequestOrigin, SecurityLog } from '../notifications/security-log.js';
import { localeOf, type Translator } from '../i18n/translator.js';
import { describeEvent } from '../notifications/event-details.js';
import { maskNumber } from '../recovery/phone/phone-number.js';
import type { RateLimits } from '../security/rate-limits.js';
import type { SmsSendGuard } from '../security/sms-send-guard.js';
import { purposePolicies, type SecretPurpose } from '../one-time-secrets/purposes.js';
import { asDeadLink, type OneTimeSecretService } from '../one-time-secrets/one-time-secret-service.js';
import { codeBurnt } from '../one-time-secrets/secret-refusals.js';
import { createAccountRepository } from '../accounts/account-repository.js';
import { verificationStatus, type VerificationStatus } from './verification-state.js';
import { HOST_ACTION_PATTERN, LIFELINE_ACTION_PREFIX, isLifelineAction, policyOf, verificationChannels, type VerificationChannel } from './action-policy.js';
import { createRecoveryEmailRepository } from '../recovery/email/recovery-email-repository.js';
import { createRecoveryPhoneRepository } from '../recovery/phone/recovery-phone-repository.js';

/** Time to pick a channel and enter its code, from the start. */
export const VERIFICATION_WINDOW_MS = 30 * MINUTE;
/** Once verified, the record can be consumed this long, and only once (single use). */
export const VERIFIED_VALIDITY_MS = 10 * MINUTE;
/** One code a minute per channel target, whoever asks. */
export const SEND_COOLDOWN_MS = 60 * 1000;

/** A host's codes, and Lifeline's own (purposes apart: their hourly failure locks stay apart too). */
const CODE_PURPOSE: Record<VerificationRequesterKind, Record<VerificationChannel, SecretPurpose>> = {
  'api-key': {
    'login-email': 'action-verification-email-code',
    'recovery-email': 'action-verification-email-code',
    'recovery-phone': 'action-verification-sms',
  },
  session: { 'login-email': 'account-action-email-code', 'recovery-email': 'account-action-email-code', 'recovery-phone': 'account-action-sms' },
};
const LINK_PURPOSE: SecretPurpose = 'action-verification-email-link';
const ACTION_PURPOSES: readonly SecretPurpose[] = [
  'action-verification-email-code',
  'action-verification-sms',
  'account-action-email-code',
  'account-action-sms',
  LINK_PURPOSE,
];

/** Who asked for a verification: a host's API key (by id, named in messages) or a Lifeline session. */
/**
 * Every open verification of the account ends (failed), pending or verified but not yet
 * consumed, with its codes and links: "Das war ich nicht" (docs/security.md "The owner wins")
 * must not leave an intruder a verified record to consume for a host's sensitive action.
 * Runs in the caller's transaction, after the account's lock. Answers how many ended.
 */
async function failOpenVerifications(trx: Executor, verification: Pick<OneTimeSecretService, 'invalidate'>, accountId: string, now: number): Promise<number> {
  // The records before their secrets: the lock order of send, code and link (record, then secret).
  const result = await trx
    .updateTable('action_verifications')
    .set({ failed_at: now })
    .where('account_id', '=', accountId)
    .where('consumed_at', 'is', null)
    .where('failed_at', 'is', null)
    .executeTakeFirst();
  await verification.invalidate(trx, accountId, ACTION_PURPOSES);
  return Number(result.numUpdatedRows);
}

export interface Requester {
  readonly kind: VerificationRequesterKind;
  readonly id: string;
  /** Shown to the user ("angefragt von billing"): the key's name, or the service's own name. */
  readonly name: string;
}

export interface VerificationView {
  readonly id: string;
  readonly status: VerificationStatus;
  readonly action: string;
  readonly accountId: string;
  readonly channel: VerificationChannel | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly verifiedAt: number | null;
  readonly consumedAt: number | null;
}

/** A channel as the page offers it: masked, and whether this action accepts it. */
export interface ChannelChoice {
  readonly channel: VerificationChannel;
  readonly masked: string;
  readonly allowed: boolean;
}

interface ChannelTarget {
  readonly channel: VerificationChannel;
  readonly to: string;
  readonly country: string | null;
  /** Since when it has been confirmed (the policy's minimum age reads it). */
  readonly since: number;
  /**
   * It counted as the owner's from its confirmation on (recovery/channel-trust.ts): set up and
   * confirmed from the account's first device, or the login e-mail (confirmed by the mailbox's
   * owner at sign-up; a change of it needs a settled channel or a 7-day wait).
   */
  readonly settledAtOnce: boolean;
}

export interface StartInput {
  readonly accountId: string;
  readonly action: string;
  readonly requester: Requester;
  readonly returnTo?: string | undefined;
  readonly channel?: VerificationChannel | undefined;
  readonly origin: RequestOrigin;
}

export interface ActionVerificationDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly verification: OneTimeSecretService;
  readonly notifier: Notifier;
  readonly securityLog: SecurityLog;
  readonly rateLimits: RateLimits;
  readonly smsGuard: SmsSendGuard | undefined;
  readonly translator: Translator;
  readonly config: {
    readonly appName: string;
    readonly http: { readonly publicUrl: string };
    readonly actionVerification: { readonly hostMinChannelAgeMs: number };
    readonly returnLinks: readonly ReturnLink[];
  };
}

/**
 * Verification of sensitive actions (docs/reference/product.md §5): before an action, the user proves
 * access to a confirmed channel. A record is bound to the account, the action name and the
 * requester (API key or session); its code is a one-time secret bound to the record (flow id);
 * once verified it can be consumed once within 10 minutes, so a host cannot be tricked into
 * accepting one verification twice. The user reaches it through the host (which drives it by
 * API) or through Lifeline's page (`url`, a capability of its own).
 */
export function createActionVerificationService(deps: ActionVerificationDeps) {
  const { database, clock } = deps;
  const { hostMinChannelAgeMs } = deps.config.actionVerification;
  const { returnLinks } = deps.config;
  const accounts = createAccountRepository();
  const recoveryEmails = createRecoveryEmailRepository();
  const recoveryPhones = createRecoveryPhoneRepository();

  const statusOf = verificationStatus;

  function view(row: ActionVerificationRow): VerificationView {
    return {
      id: row.id,
      status: statusOf(row, clock.now()),
      action: row.action,
      accountId: row.account_id,
      channel: row.channel as VerificationChannel | null,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      verifiedAt: row.verified_at,
      consumedAt: row.consumed_at,
    };
  }

  /** The account's confirmed channels, with since when. */
  async function targetsOf(db: Executor, account: AccountRow): Promise<ChannelTarget[]> {
    const targets: ChannelTarget[] = [];
    if (account.email_verified_at !== null) {
      // The login e-mail counts from its confirmation, or from its last change, whichever is later.
      const changed = await db
        .selectFrom('security_events')
        .select('created_at')
        .where('account_id', '=', account.id)
        .where('type', '=', 'login_email.changed')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      targets.push({
        channel: 'login-email',
        to: account.email,
        country: null,
        since: Math.max(account.email_verified_at, changed?.created_at ?? 0),
        settledAtOnce: true,
      });
    }
    const email = await recoveryEmails.active(db, account.id);
    if (email?.confirmed_at != null)
      targets.push({
        channel: 'recovery-email',
        to: email.address,
        country: null,
        since: email.confirmed_at,
        settledAtOnce: email.settled_at === email.confirmed_at,
      });
    const phone = await recoveryPhones.active(db, account.id);
    if (phone?.confirmed_at != null && deps.smsGuard) {
      targets.push({
        channel: 'recovery-phone',
        to: phone.number_e164,
        country: phone.country,
        since: phone.confirmed_at,
        settledAtOnce: phone.settled_at === phone.confirmed_at,
      });
    }
    return targets;
  }

  /**
   * Whether the action's policy lets this channel verify it now: old enough, or — for a host's
   * action — settled from its confirmation on (the owner's first device, the login e-mail), so
   * that a new account can verify at once while a channel an intruder added a minute ago cannot
   * (VERIFICATION_HOST_MIN_CHANNEL_AGE_DAYS, default 7; docs/security.md).
   */
  function allows(action: string, target: ChannelTarget, now: number): boolean {
    const policy = policyOf(action, hostMinChannelAgeMs);
    if (!policy.channels.includes(target.channel)) return false;
    return now - target.since >= policy.minChannelAgeMs || (!isLifelineAction(action) && target.settledAtOnce);
  }

  /**
   * A returnTo is an absolute http(s) URL that ALLOWED_RETURN_ORIGINS allows, judged as the web
   * UI judges `return_to` (docs/integration.md "Return links"; no open redirect).
   */
  function checkReturnTo(returnTo: string | undefined): string | null {
    if (returnTo === undefined) return null;
    const match = matchReturnLink(returnTo, returnLinks);
    if (!match) throw new LifelineError('return-to-not-allowed');
    return match.url;
  }

  /** The requester's own record, or 404 (another key's or session's record does not exist for it). */
  async function ownRecord(db: Executor, id: string, requester: Requester, forUpdate = false): Promise<ActionVerificationRow> {
    const query = db
      .selectFrom('action_verifications')
      .selectAll()
      .where('id', '=', id)
      .where('requester_kind', '=', requester.kind)
      .where('requester_id', '=', requester.id);
    const row = await (forUpdate && database.dialect === 'postgres' ? query.forNoKeyUpdate() : query).executeTakeFirst();
    if (!row) throw new LifelineError('not-found');
    return row;
  }

  /**
   * Lock order on PostgreSQL for a record: the record's row, then its secrets. Every path that
   * touches both (send, the code, the link) takes the record first.
   */
  async function lockRecord(trx: Executor, id: string): Promise<void> {
    if (database.dialect === 'postgres') await trx.selectFrom('action_verifications').select('id').where('id', '=', id).forNoKeyUpdate().execute();
  }

  async function recordByPageToken(db: Executor, token: string): Promise<ActionVerificationRow> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new LifelineError('link-expired');
    const row = await db.selectFrom('action_verifications').selectAll().where('page_token_hash', '=', sha256Hex(token)).executeTakeFirst();
    if (!row) throw new LifelineError('link-expired');
    return row;
  }

  function requesterOf(row: ActionVerificationRow, name: string): Requester {
    return { kind: row.requester_kind, id: row.requester_id, name };
  }

  /** Sends the code (and for e-mail the link) of `row` to `channel`; the row must be pending. */
  async function send(
    row: ActionVerificationRow,
    channel: VerificationChannel,
    requester: Requester,
    origin: RequestOrigin,
  ): Promise<{ channel: VerificationChannel; masked: string; expiresAt: number }> {
    const now = clock.now();
    const status = statusOf(row, now);
    if (status === 'expired') throw new LifelineError('verification-expired');
    if (status !== 'pending') throw new LifelineError('verification-not-redeemable');
    const account = await accounts.findById(database.db, row.account_id);
    if (!account) throw new LifelineError('not-found');
    const target = (await targetsOf(database.db, account)).find((candidate) => candidate.channel === channel);
    if (!target || !allows(row.action, target, now)) throw new LifelineError('channel-not-available', { channel });
    const purpose = CODE_PURPOSE[row.requester_kind][channel];
    // Guessing locked for this account: a new code would only cost a message.
    const locked = await deps.verification.lockedFor(row.account_id, purpose);
    if (locked !== undefined) throw new LifelineError('too-many-attempts', {}, { retryAfterSeconds: locked });
    const last = await deps.verification.lastIssuedTo(database.db, purpose, target.to);
    if (last !== undefined && now - last < SEND_COOLDOWN_MS) {
      throw new LifelineError('rate-limited', {}, { retryAfterSeconds: Math.max(1, Math.ceil((last + SEND_COOLDOWN_MS - now) / 1000)) });
    }
    // The channel's limit first: a refusal there must not use up the account's sends. Per
    // requester kind too: a host's sends (or a stranger's clicks on a host's page) never use up
    // the owner's own sends to the channel, nor the other way round.
    await deps.rateLimits.enforce('verification-send-channel', `${row.requester_kind}:${channel}:${target.to.toLowerCase()}`);
    // Per account and requester kind: a host's sends never use up the owner's own (and the other way round).
    await deps.rateLimits.enforce('verification-send-account', `${row.requester_kind}:${row.account_id}`);
    if (channel === 'recovery-phone' && !(await deps.smsGuard?.allowConfirmedSend({ country: target.country ?? 'ZZ', accountId: row.account_id }))) {
      throw new LifelineError('service-unavailable', {}, { retryAfterSeconds: 600 });
    }
    return inTransaction(database, async (trx) => {
      const current = await ownRecord(trx, row.id, requesterOf(row, requester.name), true);
      if (statusOf(current, clock.now()) !== 'pending') throw new LifelineError('verification-not-redeemable');
      // A new code replaces this record's earlier code and link (other records keep theirs).
      await retireSecretsOf(trx, row);
      const code = await deps.verification.issue(trx, { purpose, accountId: row.account_id, target: target.to, flowId: row.id, coexist: true });
      const locale = localeOf(account);
      // Lifeline's own actions by their words ("Konto löschen"), a host's by the name it gave.
      const action = isLifelineAction(row.action)
        ? deps.translator.text(locale, `mail.actionNames.${row.action.slice(LIFELINE_ACTION_PREFIX.length)}`, {})
        : row.action;
      if (channel === 'recovery-phone') {
        await deps.notifier.notify(trx, {
          kind: 'verification.sms-code',
          locale,
          to: target.to,
          accountId: row.account_id,
          params: { code: code.secret, action },
          origin,
          expiresAt: code.expiresAt,
        });
      } else if (isLifelineAction(row.action)) {
        // Lifeline's own actions: the code only (see the catalogue entry), with where the request came from.
        const details = describeEvent(deps.translator, { at: clock.now(), locale, timeZone: account.time_zone, ip: origin.ip, userAgent: origin.userAgent });
        await deps.notifier.notify(trx, {
          kind: 'verification.email-code-only',
          locale,
          to: target.to,
          accountId: row.account_id,
          params: { ...details, code: code.secret, action, minutes: purposePolicies[purpose].ttlMs / MINUTE },
          origin,
          expiresAt: code.expiresAt,
        });
      } else {
        const link = await deps.verification.issue(trx, { purpose: LINK_PURPOSE, accountId: row.account_id, target: target.to, flowId: row.id, coexist: true });
        await deps.notifier.notify(trx, {
          kind: 'verification.email-code',
          locale,
          to: target.to,
          accountId: row.account_id,
          params: { code: code.secret, token: link.secret, action, requester: requester.name, minutes: purposePolicies[purpose].ttlMs / MINUTE },
          origin,
          expiresAt: code.expiresAt,
        });
      }
      await trx.updateTable('action_verifications').set({ channel, secret_purpose: purpose, sent_at: clock.now() }).where('id', '=', row.id).execute();
      await deps.securityLog.record(trx, {
        accountId: row.account_id,
        type: 'action_verification.code_sent',
        origin,
        details: { action: row.action, channel, requester: requester.name },
      });
      return { channel, masked: maskTarget(target), expiresAt: code.expiresAt };
    });
  }

  /** Kills the record's live code and link (its flow id is the record's), and no other record's. */
  async function retireSecretsOf(trx: Executor, row: ActionVerificationRow): Promise<void> {
    const live = (await Promise.all(ACTION_PURPOSES.map((purpose) => deps.verification.live(trx, row.account_id, purpose)))).flat();
    await deps.verification.retire(
      trx,
      live.filter((secret) => secret.flowId === row.id).map((secret) => secret.id),
    );
  }

  /** Marks the record verified inside the transaction that used its secret. */
  async function markVerified(trx: Executor, row: ActionVerificationRow, requester: Requester, origin: RequestOrigin): Promise<void> {
    const now = clock.now();
    const updated = await trx
      .updateTable('action_verifications')
      .set({ verified_at: now, expires_at: now + VERIFIED_VALIDITY_MS })
      .where('id', '=', row.id)
      .where('verified_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new LifelineError('verification-not-redeemable');
    // The record's other secret (the link beside the code, or the code beside the link) dies with it.
    await retireSecretsOf(trx, row);
    await deps.securityLog.record(trx, {
      accountId: row.account_id,
      type: 'action_verification.verified',
      origin,
      details: { action: row.action, channel: row.channel, requester: requester.name },
    });
  }

  /** Checks a typed code for `row`: 400 wrong-code with triesLeft; a burnt code fails the record. */
  async function enterCode(row: ActionVerificationRow, code: string, requester: Requester, origin: RequestOrigin): Promise<VerificationView> {
    const status = statusOf(row, clock.now());
    if (status === 'expired') throw new LifelineError('verification-expired');
    if (status !== 'pending') throw new LifelineError('verification-not-redeemable');
    if (row.secret_purpose === null) throw new LifelineError('code-expired');
    try {
      await deps.verification.redeemCode(
        { purpose: row.secret_purpose as SecretPurpose, accountId: row.account_id, code, flowId: row.id, lockFirst: (trx) => lockRecord(trx, row.id) },
        (trx) => markVerified(trx, row, requester, origin),
      );
    } catch (error) {
      // The secret service answers in the API's words (wrong-code, code-expired); a burnt code fails the record.
      if (codeBurnt(error)) await fail(row, requester, origin, 'tries-used-up');
      throw error;
    }
    return view(await database.db.selectFrom('action_verifications').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow());
  }

  async function fail(row: ActionVerificationRow, requester: Requester, origin: RequestOrigin, reason: string): Promise<void> {
    await inTransaction(database, async (trx) => {
      const updated = await trx
        .updateTable('action_verifications')
        .set({ failed_at: clock.now() })
        .where('id', '=', row.id)
        .where('failed_at', 'is', null)
        .where('verified_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) {
        await deps.securityLog.record(trx, {
          accountId: row.account_id,
          type: 'action_verification.failed',
          origin,
          details: { action: row.action, channel: row.channel, requester: requester.name, reason },
        });
      }
    });
  }

  function maskTarget(target: ChannelTarget): string {
    return target.channel === 'recovery-phone' ? maskNumber(target.to) : maskEmail(target.to);
  }

  return {
    /**
     * Every open verification of the account ends (failed), with its codes and links: the owner
     * regained control (recovery/owner-regains-control.ts: a password reset, "Das war ich nicht").
     */
    failOpen(trx: Executor, accountId: string, now: number): Promise<number> {
      return failOpenVerifications(trx, deps.verification, accountId, now);
    },

    /**
     * Starts a verification: 201 `{id, url, expiresAt}`. A host may not name Lifeline's own
     * actions; the account must exist and have a confirmed login e-mail.
     */
    async start(input: StartInput): Promise<{ id: string; url: string; expiresAt: number }> {
      if (input.requester.kind === 'api-key') {
        if (input.action.toLowerCase().startsWith(LIFELINE_ACTION_PREFIX)) throw new LifelineError('action-reserved');
        if (!HOST_ACTION_PATTERN.test(input.action)) throw new LifelineError('validation-failed', { field: 'action' });
      } else if (!isLifelineAction(input.action)) {
        throw new LifelineError('validation-failed', { field: 'action' });
      }
      const returnTo = checkReturnTo(input.returnTo);
      // The requester's budget first: probing for account ids costs it too.
      await deps.rateLimits.enforce(input.requester.kind === 'api-key' ? 'verification-start-key' : 'verification-start-session', input.requester.id);
      const account = await accounts.findById(database.db, input.accountId);
      if (!account || account.email_verified_at === null) throw new LifelineError('not-found');
      // Support disabled it: no sensitive action of the host is confirmed for it (docs/integration.md "The admin API").
      if (account.disabled_at !== null) throw new LifelineError('account-disabled');
      await deps.rateLimits.enforce('verification-start-account', `${input.requester.kind}:${account.id}`);
      const id = randomToken(12);
      const pageToken = randomToken(32);
      const now = clock.now();
      const row: ActionVerificationRow = {
        id,
        account_id: account.id,
        action: input.action,
        requester_kind: input.requester.kind,
        requester_id: input.requester.id,
        return_to: returnTo,
        page_token_hash: sha256Hex(pageToken),
        channel: null,
        secret_purpose: null,
        locale: localeOf(account),
        created_at: now,
        expires_at: now + VERIFICATION_WINDOW_MS,
        sent_at: null,
        verified_at: null,
        failed_at: null,
        consumed_at: null,
      };
      await inTransaction(database, async (trx) => {
        await trx.insertInto('action_verifications').values(row).execute();
        // Every verification is in the account's security log from its start: a host asking is security-relevant.
        await deps.securityLog.record(trx, {
          accountId: account.id,
          type: 'action_verification.started',
          origin: input.origin,
          details: { action: input.action, requester: input.requester.name },
        });
      });
      if (input.channel !== undefined) await send(row, input.channel, input.requester, input.origin);
      return { id, url: `${deps.config.http.publicUrl}/verify-action?token=${pageToken}`, expiresAt: row.expires_at };
    },

    async status(id: string, requester: Requester): Promise<VerificationView> {
      return view(await ownRecord(database.db, id, requester));
    },

    /** The channels the user may pick for this record (masked), and whether the action accepts each. */
    async channels(id: string, requester: Requester): Promise<ChannelChoice[]> {
      const row = await ownRecord(database.db, id, requester);
      return choicesFor(row);
    },

    async send(id: string, requester: Requester, channel: VerificationChannel, origin: RequestOrigin) {
      return send(await ownRecord(database.db, id, requester), channel, requester, origin);
    },

    async enterCode(id: string, requester: Requester, code: string, origin: RequestOrigin): Promise<VerificationView> {
      return enterCode(await ownRecord(database.db, id, requester), code, requester, origin);
    },

    /**
     * Redeems a verified record, once: 200 the first time, 409 after (or while it is not
     * verified), 410 once its 10 minutes are over. One conditional UPDATE decides, so two
     * parallel consumes cannot both win.
     */
    async consume(
      id: string,
      requester: Requester,
      expected: { readonly action?: string | undefined; readonly accountId?: string | undefined } = {},
    ): Promise<VerificationView> {
      const row = await ownRecord(database.db, id, requester);
      // A record for another action or account is not this one: refused, and nothing is used up.
      if ((expected.action !== undefined && row.action !== expected.action) || (expected.accountId !== undefined && row.account_id !== expected.accountId)) {
        throw new LifelineError('verification-not-redeemable');
      }
      const now = clock.now();
      const updated = await database.db
        .updateTable('action_verifications')
        .set({ consumed_at: now })
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where('verified_at', 'is not', null)
        .where('failed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        if (row.verified_at !== null && row.consumed_at === null && now >= row.expires_at) throw new LifelineError('verification-expired');
        throw new LifelineError('verification-not-redeemable');
      }
      return view({ ...row, consumed_at: now });
    },

    /** The page (`/verify-action?token=`): what it shows, by the capability in its URL. */
    async page(token: string): Promise<{ view: VerificationView; channels: ChannelChoice[]; returnTo: string | null; requesterName: string }> {
      const row = await recordByPageToken(database.db, token);
      return { view: view(row), channels: await choicesFor(row), returnTo: row.return_to, requesterName: await requesterName(row) };
    },

    async pageSend(token: string, channel: VerificationChannel, origin: RequestOrigin) {
      const row = await recordByPageToken(database.db, token);
      return send(row, channel, requesterOf(row, await requesterName(row)), origin);
    },

    async pageCode(token: string, code: string, origin: RequestOrigin): Promise<{ view: VerificationView; returnTo: string | null }> {
      const row = await recordByPageToken(database.db, token);
      const verified = await enterCode(row, code, requesterOf(row, await requesterName(row)), origin);
      return { view: verified, returnTo: row.return_to };
    },

    /**
     * What an e-mail's link would confirm, without using it (GET: mail scanners open links): the
     * action, who asks and when; undefined for a dead or forged link or a record no longer pending.
     */
    async previewLink(token: string): Promise<{ action: string; requester: string; createdAt: number } | undefined> {
      const secret = await deps.verification.peekLink({ purpose: LINK_PURPOSE, token });
      if (!secret?.flowId) return undefined;
      const row = await database.db.selectFrom('action_verifications').selectAll().where('id', '=', secret.flowId).executeTakeFirst();
      if (!row || statusOf(row, clock.now()) !== 'pending') return undefined;
      return { action: row.action, requester: await requesterName(row), createdAt: row.created_at };
    },

    /** The e-mail's link: it verifies the record it was sent for, in any browser. */
    async redeemLink(token: string, origin: RequestOrigin): Promise<{ view: VerificationView; returnTo: string | null }> {
      let verifiedId: string | undefined;
      try {
        // The record before the secret, as the code's path and `send` do (else the two deadlock on PostgreSQL).
        await deps.verification.redeemLink(
          { purpose: LINK_PURPOSE, token, lockFirst: (trx, owner) => (owner.flowId ? lockRecord(trx, owner.flowId) : Promise.resolve()) },
          async (trx, secret) => {
            const row = await trx
              .selectFrom('action_verifications')
              .selectAll()
              .where('id', '=', secret.flowId ?? '')
              .executeTakeFirst();
            if (!row) throw new LifelineError('link-expired');
            // Read through trx: on SQLite a read through database.db would wait for this transaction.
            await markVerified(trx, row, requesterOf(row, await requesterName(row, trx)), origin);
            verifiedId = row.id;
          },
        );
      } catch (error) {
        throw asDeadLink(error, ['verification-not-redeemable']);
      }
      const row = await database.db
        .selectFrom('action_verifications')
        .selectAll()
        .where('id', '=', verifiedId ?? '')
        .executeTakeFirstOrThrow();
      return { view: view(row), returnTo: row.return_to };
    },

    /** Whether the account has a channel that `action` accepts now (else a policy's other path applies). */
    async hasAllowedChannel(accountId: string, action: string): Promise<boolean> {
      const account = await accounts.findById(database.db, accountId);
      if (!account) return false;
      const now = clock.now();
      return (await targetsOf(database.db, account)).some((target) => allows(action, target, now));
    },

    /** Housekeeping: records a day past their end go (their secrets are pruned by the verification service). */
    async prune(): Promise<number> {
      const result = await database.db
        .deleteFrom('action_verifications')
        .where('expires_at', '<', clock.now() - 24 * 60 * MINUTE)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };

  async function choicesFor(row: ActionVerificationRow): Promise<ChannelChoice[]> {
    const account = await accounts.findById(database.db, row.account_id);
    if (!account) return [];
    const now = clock.now();
    const targets = await targetsOf(database.db, account);
    return verificationChannels.flatMap((channel) => {
      const target = targets.find((candidate) => candidate.channel === channel);
      return target ? [{ channel, masked: maskTarget(target), allowed: allows(row.action, target, now) }] : [];
    });
  }

  async function requesterName(row: ActionVerificationRow, db: Executor = database.db): Promise<string> {
    if (row.requester_kind === 'session') return deps.config.appName;
    const key = await db.selectFrom('api_keys').select('name').where('id', '=', row.requester_id).executeTakeFirst();
    return key?.name ?? deps.config.appName;
  }
}

export type ActionVerificationService = ReturnType<typeof createActionVerificationService>;
