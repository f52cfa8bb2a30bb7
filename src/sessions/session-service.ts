import type { Clock } from '../core/clock.js';
import { MINUTE } from '../core/clock.js';
import { LifelineError } from '../core/errors.js';
import { constantTimeEqual, hmacSha256 } from '../core/hashing.js';
import type { KeyRing } from '../core/keyring.js';
import { newId, randomToken } from '../core/random.js';
import type { Database, Executor } from '../db/database.js';
import type { AccountRow, SessionRow } from '../db/tables.js';
import type { SessionLookup, SessionRepository } from './session-repository.js';

export interface SessionConfig {
  readonly sessions: { readonly idleMs: number; readonly absoluteMs: number; readonly privilegedMs: number };
}

/** Where a request came from (stored with the session and shown in the session list). */
export interface ClientInfo {
  readonly ip: string;
  readonly userAgent: string | null;
}

export interface AuthenticatedSession {
  readonly session: SessionRow;
  readonly account: AccountRow;
}

/** A session with its secret: the token goes into the cookie once and is never stored. */
export interface IssuedSession {
  readonly token: string;
  readonly session: SessionRow;
}

/**
 * Called inside the transaction that ended sessions of an account: `sessionIds` names them when
 * only some ended (one signed out, a device's), `all` when every session of the account did
 * (but the one kept, if any). `scope` is what a host hears (webhook `session.revoked`): `all`,
 * `others` (all but the acting session, or a device's), or `one` (a single sign-out).
 */
export type SessionsEndedListener = (
  trx: Executor,
  ended: { accountId: string; sessionIds: readonly string[] | 'all'; scope: 'all' | 'others' | 'one' },
) => Promise<void>;

/** Server-side sessions: created at sign-in, checked on every signed-in request, rotated, ended. */
export interface SessionService {
  /** How long the privileged window stays open after the password was entered. */
  readonly privilegedMs: number;
  /** Starts a session for a sign-in; the privileged window opens with it (docs/reference/product.md §1). */
  create(trx: Executor, input: { accountId: string; client: ClientInfo; deviceId: string | null }): Promise<IssuedSession>;
  /**
   * The live session a cookie token belongs to, with its account; undefined for an unknown,
   * expired or idle one (an expired row is deleted on the way).
   */
  authenticate(token: string): Promise<AuthenticatedSession | undefined>;
  /**
   * Gives the session a new token (docs/reference/security-requirements.md 2.2) and, when asked, opens the privileged
   * window. The old token is dead from this statement on.
   */
  rotate(trx: Executor, sessionId: string, options: { privileged: boolean }): Promise<IssuedSession>;
  /** The CSRF token of the session as it is now (it changes with every rotation). */
  csrfToken(session: Pick<SessionRow, 'token_hash' | 'key_id'>): string;
  /** Constant-time check of a submitted CSRF token. */
  checkCsrf(session: Pick<SessionRow, 'token_hash' | 'key_id'>, submitted: string | undefined): boolean;
  /** Whether the session's privileged window is open. */
  isPrivileged(session: Pick<SessionRow, 'privileged_until'>): boolean;
  /** The account's live sessions, the most recently seen first. */
  list(accountId: string): Promise<SessionRow[]>;
  /**
   * Ends one session of this account (and what was signed in through it at host applications);
   * false when the account has no such session.
   */
  revoke(trx: Executor, accountId: string, sessionId: string): Promise<boolean>;
  /**
   * Ends every session of the account except `keepId` (or all of them); returns how many. The
   * sessions at host applications end with them (the listeners: docs/oidc.md "Sessions end
   * together"), in the same transaction.
   */
  revokeAll(trx: Executor, accountId: string, keepId?: string): Promise<number>;
  /**
   * Registers what else ends when sessions of an account end (revoke, revokeAll, revokeDevice):
   * the OpenID Connect provider's sessions and grants. Registered by the composition root, so that
   * sessions need not know the provider.
   */
  whenSessionsEnd(listener: SessionsEndedListener): void;
  /**
   * Ends every session of the account on one device (all of them but `keepId`): the owner
   * removed a channel that device had added (docs/security.md "The owner wins").
   */
  revokeDevice(trx: Executor, accountId: string, deviceId: string, keepId?: string): Promise<number>;
  /** Housekeeping: sessions past their absolute end or idle limit. */
  prune(): Promise<number>;
}

/** `last_seen_at` is written at most this often per session, not on every request. */
const TOUCH_INTERVAL_MS = MINUTE;
const MAX_USER_AGENT = 512;

/**
 * Server-side sessions (docs/reference/product.md §1, docs/reference/security-requirements.md 2.1–2.5):
 * - the cookie carries 256 random bits; the database only HMAC(key, "session", token), so a
 *   leaked table does not give away a session;
 * - idle and absolute expiry are checked on every use; `last_seen_at` is written at most
 *   once a minute;
 * - a new token (a "new session id") at every sign-in and re-authentication: the row keeps its
 *   public id, the old token stops working at once;
 * - the CSRF token is HMAC(key, "csrf", token hash): bound to this session and to its current
 *   token, so it changes with every rotation and cannot be used with another session;
 * - the privileged window (re-authentication) is a time on the session row.
 */
export function createSessionService(deps: {
  database: Database;
  clock: Clock;
  keys: KeyRing;
  config: SessionConfig;
  repository: SessionRepository;
}): SessionService {
  const { database, clock, keys, repository } = deps;
  const { idleMs, absoluteMs, privilegedMs } = deps.config.sessions;

  const tokenHash = (key: Buffer, token: string) => hmacSha256(key, 'session', token);
  const endListeners: SessionsEndedListener[] = [];

  async function sessionsEnded(trx: Executor, accountId: string, sessionIds: readonly string[] | 'all', scope: 'all' | 'others' | 'one'): Promise<void> {
    if (sessionIds !== 'all' && sessionIds.length === 0) return;
    for (const listener of endListeners) await listener(trx, { accountId, sessionIds, scope });
  }

  function isLive(session: SessionRow, now: number): boolean {
    return session.expires_at > now && session.last_seen_at + idleMs > now;
  }

  // The look-up every signed-in request makes, compiled once (session-repository.ts).
  const lookupQuery: SessionLookup = repository.compileLookup(database.db, keys.all().length);

  function csrfToken(session: Pick<SessionRow, 'token_hash' | 'key_id'>): string {
    const key = keys.byId(session.key_id) ?? keys.current.key;
    return hmacSha256(key, 'csrf', session.token_hash);
  }

  return {
    privilegedMs,

    /** Starts a session for a sign-in; the privileged window opens with it (docs/reference/product.md §1). */
    async create(trx: Executor, input: { accountId: string; client: ClientInfo; deviceId: string | null }): Promise<IssuedSession> {
      const now = clock.now();
      const token = randomToken(32);
      const session: SessionRow = {
        id: newId(),
        account_id: input.accountId,
        token_hash: tokenHash(keys.current.key, token),
        key_id: keys.current.id,
        device_id: input.deviceId,
        ip: input.client.ip,
        user_agent: input.client.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
        created_at: now,
        last_seen_at: now,
        expires_at: now + absoluteMs,
        privileged_until: now + privilegedMs,
      };
      await repository.insert(trx, session);
      return { token, session };
    },

    /**
     * The live session a cookie token belongs to, with its account; undefined for an unknown,
     * expired or idle one (an expired row is deleted on the way).
     */
    async authenticate(token: string): Promise<AuthenticatedSession | undefined> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const hashes = keys.all().map((k) => tokenHash(k.key, token));
      const [row] = (await repository.lookup(database.db, lookupQuery, hashes)).rows;
      if (!row) return undefined;
      const now = clock.now();
      const {
        email,
        email_normalized,
        locale,
        time_zone,
        account_created_at,
        password_hash,
        email_verified_at,
        password_changed_at,
        password_reset_required,
        signup_notice_at,
        throttle_notice_at,
        deletion_requested_at,
        deletion_due_at,
        pending_email,
        pending_email_normalized,
        email_change_due_at,
        email_change_requested_ip,
        email_change_requested_user_agent,
        disabled_at,
        disabled_by,
        updated_at,
        ...session
      } = row;
      // A disabled account has no sessions (disabling ends them); one made in a race is ended here.
      if (!isLive(session, now) || disabled_at !== null) {
        await repository.deleteById(database.db, session.id);
        return undefined;
      }
      if (now - session.last_seen_at >= TOUCH_INTERVAL_MS) {
        await repository.touch(database.db, session.id, now);
        session.last_seen_at = now;
      }
      const account: AccountRow = {
        id: session.account_id,
        email,
        email_normalized,
        locale,
        time_zone,
        created_at: account_created_at,
        password_hash,
        email_verified_at,
        password_changed_at,
        password_reset_required,
        signup_notice_at,
        throttle_notice_at,
        deletion_requested_at,
        deletion_due_at,
        pending_email,
        pending_email_normalized,
        email_change_due_at,
        email_change_requested_ip,
        email_change_requested_user_agent,
        disabled_at,
        disabled_by,
        updated_at,
      };
      return { session, account };
    },

    /**
     * Gives the session a new token (docs/reference/security-requirements.md 2.2) and, when asked, opens the privileged
     * window. The old token is dead from this statement on.
     */
    async rotate(trx: Executor, sessionId: string, options: { privileged: boolean }): Promise<IssuedSession> {
      const now = clock.now();
      const token = randomToken(32);
      const session = await repository.rotate(trx, sessionId, {
        token_hash: tokenHash(keys.current.key, token),
        key_id: keys.current.id,
        last_seen_at: now,
        ...(options.privileged ? { privileged_until: now + privilegedMs } : {}),
      });
      // Revoked meanwhile (another tab signed out everywhere else): that is the end of this session.
      if (!session) throw new LifelineError('authentication-required');
      return { token, session };
    },

    /** The CSRF token of the session as it is now (it changes with every rotation). */
    csrfToken,

    /** Constant-time check of a submitted CSRF token. */
    checkCsrf(session: Pick<SessionRow, 'token_hash' | 'key_id'>, submitted: string | undefined): boolean {
      if (!submitted) return false;
      return constantTimeEqual(csrfToken(session), submitted);
    },

    isPrivileged(session: Pick<SessionRow, 'privileged_until'>): boolean {
      return session.privileged_until !== null && session.privileged_until > clock.now();
    },

    async list(accountId: string): Promise<SessionRow[]> {
      return repository.listLive(database.db, accountId, clock.now(), idleMs);
    },

    /**
     * Ends one session of this account (and what was signed in through it at host applications);
     * false when the account has no such session.
     */
    async revoke(trx: Executor, accountId: string, sessionId: string): Promise<boolean> {
      const ended = await repository.deleteOfAccount(trx, accountId, sessionId);
      if (ended) await sessionsEnded(trx, accountId, [sessionId], 'one');
      return ended;
    },

    /**
     * Ends every session of the account except `keepId` (or all of them); returns how many. The
     * sessions at host applications end with them (the listeners: docs/oidc.md "Sessions end
     * together"), in the same transaction.
     */
    async revokeAll(trx: Executor, accountId: string, keepId?: string): Promise<number> {
      const count = await repository.deleteAllOfAccount(trx, accountId, keepId);
      await sessionsEnded(trx, accountId, 'all', keepId === undefined ? 'all' : 'others');
      return count;
    },

    /**
     * Registers what else ends when sessions of an account end (revoke, revokeAll, revokeDevice):
     * the OpenID Connect provider's sessions and grants. Registered by the composition root, so that
     * sessions need not know the provider.
     */
    whenSessionsEnd(listener: SessionsEndedListener): void {
      endListeners.push(listener);
    },

    /**
     * Ends every session of the account on one device (all of them but `keepId`): the owner
     * removed a channel that device had added (docs/security.md "The owner wins").
     */
    async revokeDevice(trx: Executor, accountId: string, deviceId: string, keepId?: string): Promise<number> {
      const ended = await repository.deleteOfDevice(trx, accountId, deviceId, keepId);
      await sessionsEnded(trx, accountId, ended, 'others');
      return ended.length;
    },

    /** Housekeeping: sessions past their absolute end or idle limit. */
    async prune(): Promise<number> {
      return repository.deleteExpired(database.db, clock.now(), idleMs);
    },
  };
}
