import type { Clock } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import type { Database } from '../db/database.js';
import type { AccountRow, SessionRow } from '../db/tables.js';
import { inTransaction } from '../db/transaction.js';
import type { AccountRepository } from './account-repository.js';
import type { PasswordHasher } from './password-hasher.js';
import type { PasswordVerifier } from './password-verifier.js';
import { parseEmail } from './signup-service.js';
import { cancelScheduledDeletion } from './scheduled-deletion.js';
import { describeAccountEvent } from '../notifications/event-details.js';
import type { Notifier } from '../notifications/notifier.js';
import type { SecurityLog } from '../notifications/security-log.js';
import { localeOf, type Translator } from '../i18n/translator.js';
import { isOwnersFirstDevice, type DeviceRegistry } from '../sessions/device-registry.js';
import type { AuthenticatedSession, ClientInfo, IssuedSession, SessionService } from '../sessions/session-service.js';

export interface SignInInput {
  readonly email: string;
  readonly password: string;
  readonly client: ClientInfo;
  readonly deviceToken: string | undefined;
  /** The session cookie the browser still had, if any: it ends now (no fixation, docs/reference/security-requirements.md 2.2). */
  readonly previousSessionToken: string | undefined;
}

export interface SignedIn extends IssuedSession {
  readonly account: AccountRow;
  /** This sign-in cancelled a scheduled deletion of the account. */
  readonly deletionCancelled: boolean;
  /** The device cookie to set (new for a browser that had none). */
  readonly deviceToken: string;
}

/** What a route that may take `password` in its body needs to know (docs/reference/product.md §1). */
export interface PrivilegeInput {
  readonly auth: AuthenticatedSession;
  readonly password: string | undefined;
  readonly client: ClientInfo;
  readonly deviceToken: string | undefined;
}

/**
 * Sign-in, sign-out, re-authentication and the privileged window (docs/reference/product.md §1,
 * docs/reference/security-requirements.md 2.2–2.7). Wrong password and unknown address give the same 401 after the same
 * work; the right password of an unconfirmed account gives 403 `email-not-verified`, of a
 * blocked one 403 `password-reset-required`.
 */
export interface SignInService {
  /**
   * Signs in with the login email and password: a new session (the browser's previous one ends,
   * so no fixation), the device remembered, a browser new to the account told to the owner with
   * "Das war ich nicht", and a scheduled deletion cancelled. A disabled account is 403
   * `account-disabled`, after the right password only.
   */
  signIn(input: SignInInput): Promise<SignedIn>;

  /** Ends this session and records the sign-out in the security log. */
  signOut(auth: AuthenticatedSession, client: ClientInfo): Promise<void>;

  /**
   * `POST /session/reauthenticate`: the password again opens the privileged window and gives
   * the session a new id. A wrong password is 403 `wrong-password` (not 401: the session is fine).
   */
  reauthenticate(auth: AuthenticatedSession, password: string, client: ClientInfo, deviceToken: string | undefined): Promise<IssuedSession>;

  /**
   * The gate of protected routes: a password in the body is always checked (a wrong one is
   * refused even inside the window) and, when right, counts as a re-authentication (new id,
   * window opened: the returned session must be set as the cookie); without one the window
   * must be open, or 403 `privilege-required`.
   */
  requirePrivilege(input: PrivilegeInput): Promise<IssuedSession | undefined>;

  /** Checks the session's own password (throttled like every password check, through the one verifier); `purpose` names the check in the log. */
  checkOwnPassword(auth: AuthenticatedSession, password: string, client: ClientInfo, deviceToken: string | undefined, purpose: string): Promise<boolean>;

  /** Ends one of the account's sessions; an id that is not the account's answers 404. */
  revokeSession(auth: AuthenticatedSession, sessionId: string, client: ClientInfo): Promise<void>;

  /** "Überall sonst abmelden": every session but this one ends and the owner is told; answers how many ended. */
  revokeOtherSessions(auth: AuthenticatedSession, client: ClientInfo): Promise<number>;

  /** The account's live sessions, for the profile's list. */
  listSessions(auth: AuthenticatedSession): Promise<SessionRow[]>;
}

/** Builds the sign-in service (see {@link SignInService}). */
export function createSignInService(deps: {
  database: Database;
  clock: Clock;
  accounts: AccountRepository;
  verifier: PasswordVerifier;
  hasher: PasswordHasher;
  sessions: SessionService;
  devices: DeviceRegistry;
  securityLog: SecurityLog;
  notifier: Notifier;
  translator: Translator;
}): SignInService {
  const { database, sessions } = deps;

  const checkOwnPassword: SignInService['checkOwnPassword'] = async (auth, password, client, deviceToken, purpose) => {
    return deps.verifier.verify({ account: auth.account, identifier: auth.account.email_normalized, password, client, deviceToken, purpose });
  };

  return {
    async signIn(input) {
      const { normalized } = parseEmail(input.email);
      const account = await deps.accounts.findByEmail(database.db, normalized);
      const ok = await deps.verifier.verify({
        account,
        identifier: normalized,
        password: input.password,
        client: input.client,
        deviceToken: input.deviceToken,
        purpose: 'sign-in',
      });
      if (!ok || !account) throw new LifelineError('invalid-credentials');
      // Only the right password learns these, so they reveal nothing to a guesser.
      if (account.email_verified_at === null) throw new LifelineError('email-not-verified');
      if (account.password_reset_required === 1) throw new LifelineError('password-reset-required');
      if (account.disabled_at !== null) throw new LifelineError('account-disabled');
      const previous = input.previousSessionToken ? await sessions.authenticate(input.previousSessionToken) : undefined;
      const rehash = account.password_hash && deps.hasher.needsRehash(account.password_hash) ? await deps.hasher.hash(input.password) : undefined;
      return inTransaction(database, async (trx) => {
        const now = deps.clock.now();
        if (previous) await sessions.revoke(trx, previous.account.id, previous.session.id);
        if (rehash) await deps.accounts.update(trx, account.id, { password_hash: rehash }, now);
        const device = await deps.devices.remember(trx, account.id, input.deviceToken);
        const issued = await sessions.create(trx, { accountId: account.id, client: input.client, deviceId: device.deviceId });
        if (device.isNew && !isOwnersFirstDevice(device.isFirst, now, account.created_at)) {
          // A browser this account never signed in with: the owner hears of it on every address.
          const locale = localeOf(account);
          const details = describeAccountEvent(deps.translator, account, input.client, now);
          await deps.notifier.notify(trx, {
            kind: 'account.new-device-signin',
            locale,
            accountId: account.id,
            params: details,
            origin: input.client,
            details: { sessionId: issued.session.id, newDevice: true },
            undo: { restore: {} },
          });
        } else {
          await deps.securityLog.record(trx, {
            accountId: account.id,
            type: 'session.signed_in',
            origin: input.client,
            details: { sessionId: issued.session.id, newDevice: device.isNew },
          });
        }
        // Any sign-in within the grace period cancels a scheduled deletion.
        const deletionCancelled = await cancelScheduledDeletion(
          trx,
          { accounts: deps.accounts, notifier: deps.notifier, translator: deps.translator, clock: deps.clock },
          account,
          input.client,
        );
        return {
          ...issued,
          account: deletionCancelled ? { ...account, deletion_due_at: null, deletion_requested_at: null } : account,
          deviceToken: device.token,
          deletionCancelled,
        };
      });
    },

    async signOut(auth, client) {
      await inTransaction(database, async (trx) => {
        await sessions.revoke(trx, auth.account.id, auth.session.id);
        await deps.securityLog.record(trx, { accountId: auth.account.id, type: 'session.signed_out', origin: client, details: { sessionId: auth.session.id } });
      });
    },

    async reauthenticate(auth, password, client, deviceToken) {
      if (!(await checkOwnPassword(auth, password, client, deviceToken, 're-authentication'))) throw new LifelineError('wrong-password');
      return inTransaction(database, async (trx) => {
        const issued = await sessions.rotate(trx, auth.session.id, { privileged: true });
        await deps.securityLog.record(trx, {
          accountId: auth.account.id,
          type: 'session.reauthenticated',
          origin: client,
          details: { sessionId: auth.session.id },
        });
        return issued;
      });
    },

    async requirePrivilege(input) {
      if (input.password !== undefined) {
        if (!(await checkOwnPassword(input.auth, input.password, input.client, input.deviceToken, 'privileged-action')))
          throw new LifelineError('wrong-password');
        return inTransaction(database, async (trx) => {
          const issued = await sessions.rotate(trx, input.auth.session.id, { privileged: true });
          await deps.securityLog.record(trx, {
            accountId: input.auth.account.id,
            type: 'session.reauthenticated',
            origin: input.client,
            details: { sessionId: input.auth.session.id, with: 'password-in-request' },
          });
          return issued;
        });
      }
      if (!sessions.isPrivileged(input.auth.session)) throw new LifelineError('privilege-required');
      return undefined;
    },

    checkOwnPassword,

    async revokeSession(auth, sessionId, client) {
      await inTransaction(database, async (trx) => {
        if (!(await sessions.revoke(trx, auth.account.id, sessionId))) throw new LifelineError('not-found');
        await deps.securityLog.record(trx, { accountId: auth.account.id, type: 'session.revoked', origin: client, details: { sessionId } });
      });
    },

    async revokeOtherSessions(auth, client) {
      return inTransaction(database, async (trx) => {
        const count = await sessions.revokeAll(trx, auth.account.id, auth.session.id);
        const locale = localeOf(auth.account);
        const details = describeAccountEvent(deps.translator, auth.account, client, deps.clock.now());
        await deps.notifier.notify(trx, {
          kind: 'account.sessions-revoked',
          locale,
          accountId: auth.account.id,
          params: { ...details, count },
          origin: client,
          details: { count },
        });
        return count;
      });
    },

    listSessions(auth) {
      return sessions.list(auth.account.id);
    },
  };
}
