import type { BrandingConfig } from '../config/config.js';
import { maskEmail } from '../contract/email-address.js';
import type { Clock } from '../core/clock.js';
import type { GeoIp } from '../core/geo-ip.js';
import type { Executor } from '../db/database.js';
import type { Outbox } from '../delivery/outbox/outbox.js';
import type { Locale, Translator } from '../i18n/translator.js';
import { messageCatalogue, type MessageCatalogue, type MessageKind, type RecipientRule, type UndoHandlerName } from './catalogue.js';
import { renderMessage, UNDO_LINK_DAYS, type MessageParams } from './render-message.js';
import type { RecipientRepository } from './recipient-repository.js';
import type { RequestOrigin, SecurityLog } from './security-log.js';

/**
 * Makes the one-time "Das war ich nicht" link of one recipient for one event (7 days). The
 * notifier cannot issue secrets itself (notifications/ sits below one-time-secrets/); the
 * composition root passes the issuer from recovery/undo.
 */
export interface UndoLinkIssuer {
  issue(trx: Executor, link: UndoLink): Promise<string>;
}

/** Who got a link: the login email wins over a recovery address. */
export type UndoRole = 'login' | 'recovery';

export interface UndoLink {
  readonly accountId: string;
  readonly eventId: string;
  readonly eventAt: number;
  readonly role: UndoRole;
  readonly target: string;
  readonly handler: UndoHandlerName;
  readonly restore: UndoRestore;
  /** How long the link lives (default UNDO_LINK_DAYS). */
  readonly ttlMs: number;
}

/** What an undo puts back (server-side only: stored with the link, never shown or sent). */
export type UndoRestore = Readonly<Record<string, string | number | null>>;

export interface UndoRequest {
  readonly restore: UndoRestore;
  /** Days the link lives: 7 by default; 30 for the old address of a login-email change. */
  readonly validDays?: number;
  /** The event the link undoes, for a message that records none itself (a notice to an old address). */
  readonly eventId?: string;
  /** For `account` messages: the login email gets no link (it was set by the very change, e.g. a new login email). */
  readonly notToLogin?: boolean;
  /** For `account` messages: only the login email gets a link (an undo of an undo made from a recovery address). */
  readonly onlyToLogin?: boolean;
  /**
   * For `given-address` messages: the role of the address, or undefined when it may not carry
   * the link (an address that was active less than 7 days before it was removed or replaced:
   * otherwise an attacker who added it could undo the owner's repair).
   */
  readonly role?: UndoRole;
}

/** A recovery address carries the link only once it has been active this long before the event. */
export const UNDO_MIN_ADDRESS_AGE_MS = 7 * 24 * 3600 * 1000;

export interface NotifierDeps {
  readonly outbox: Outbox;
  readonly translator: Translator;
  readonly securityLog: SecurityLog;
  /** Reads the account's login and recovery email for `account` messages. */
  readonly recipients: RecipientRepository;
  readonly config: { readonly appName: string; readonly http: { readonly publicUrl: string }; readonly branding?: BrandingConfig };
  /** The message kinds; tests pass their own entries, everything else the real catalogue. */
  readonly catalogue?: MessageCatalogue;
  /** The approximate place of an IP address (GEOIP_DB); without it none is named. */
  readonly geoIp?: GeoIp;
  /** Issues "Das war ich nicht" links; without it no message carries one. */
  readonly undoLinks?: UndoLinkIssuer;
  readonly clock: Clock;
}

export interface NotifyInput {
  readonly kind: MessageKind | (string & {});
  readonly locale: Locale;
  /** The address for `given-address` messages (ignored for `account` messages). */
  readonly to?: string;
  readonly accountId?: string;
  /**
   * The login emails the mail is about, named masked in its "Konto: …" line, when not simply the
   * login email of `accountId` now: the account being deleted, the old address of a
   * login-email change, the accounts a shared address resets.
   */
  readonly accountEmails?: readonly string[];
  readonly params?: MessageParams;
  /** The request that caused the message, for the security log. */
  readonly origin?: RequestOrigin;
  /** When the secret in the message expires: the message is not sent after that. */
  readonly expiresAt?: number;
  /** Shown in the security log with the event (never a secret). */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  /** "Das war ich nicht" for an entry with an undo handler. */
  readonly undo?: UndoRequest;
  /**
   * When the event happened, if not now: the time the caller stamped on the change itself (a
   * channel's confirmation), so that an undo of this event counts that channel as the event's own.
   */
  readonly at?: number;
}

/** What a notification left behind: one outbox row per recipient, and the security-log row (null when the kind records none). */
export interface NotifyResult {
  readonly messageIds: readonly string[];
  readonly securityEventId: string | null;
}

interface Recipient {
  readonly to: string;
  /** The role it gets an undo link in, or undefined for none. */
  readonly undoRole: UndoRole | undefined;
}

async function resolveRecipients(
  repository: RecipientRepository,
  trx: Executor,
  rule: RecipientRule,
  input: NotifyInput,
  loginEmail: string | undefined,
  now: number,
): Promise<Recipient[]> {
  if (rule === 'given-address') {
    if (!input.to) throw new Error(`message ${input.kind} needs an address`);
    return [{ to: input.to, undoRole: input.undo?.role }];
  }
  if (!input.accountId) throw new Error(`message ${input.kind} needs an account`);
  // The login email and the active recovery email (docs/reference/product.md §4); never a pending one.
  if (loginEmail === undefined) return [];
  const recovery = await repository.activeRecoveryEmail(trx, input.accountId);
  const recipients: Recipient[] = [{ to: loginEmail, undoRole: input.undo?.notToLogin ? undefined : 'login' }];
  if (recovery) {
    // A recovery address active for less than 7 days gets no link (docs/security.md): it may be the
    // attacker's own. A channel restored by an undo counts from its restoration.
    const settled = recovery.confirmed_at !== null && recovery.confirmed_at <= now - UNDO_MIN_ADDRESS_AGE_MS;
    recipients.push({ to: recovery.address, undoRole: settled && !input.undo?.onlyToLogin ? 'recovery' : undefined });
  }
  // No duplicates when two are the same address.
  return recipients.filter((recipient, index) => recipients.findIndex((other) => other.to.toLowerCase() === recipient.to.toLowerCase()) === index);
}

/**
 * Turns "this happened" into messages and a security-log row, in the caller's transaction:
 * looks the kind up in the catalogue, resolves its recipients, renders each message in the
 * recipient's language and enqueues it in the outbox. Nothing is sent here.
 */
export interface Notifier {
  /**
   * Records the kind's security-log event (first: an undo link is bound to it), then renders one
   * message per recipient — with its own "Das war ich nicht" link where its role allows one — and
   * enqueues each in the caller's transaction, so nothing goes out unless the change commits.
   * Answers the outbox rows' ids and the event's id (null when the kind records none).
   */
  notify(trx: Executor, input: NotifyInput): Promise<NotifyResult>;
}

/** Builds the notifier (see {@link Notifier}). */
export function createNotifier(deps: NotifierDeps): Notifier {
  const catalogue: MessageCatalogue = deps.catalogue ?? messageCatalogue;

  return {
    async notify(trx, input) {
      const definition = catalogue[input.kind];
      if (!definition) throw new Error(`unknown message kind ${input.kind}`);
      const now = input.at ?? deps.clock.now();
      // "IP-Adresse: 203.0.113.7 (ungefähr Berlin, Deutschland)" when GEOIP_DB knows the place.
      const place = typeof input.params?.ip === 'string' ? deps.geoIp?.placeOf(input.params.ip, input.locale) : undefined;
      const needsLogin = definition.recipients === 'account' || (definition.channel === 'email' && !definition.noAccount && input.accountEmails === undefined);
      const loginEmail = input.accountId === undefined || !needsLogin ? undefined : await deps.recipients.loginEmail(trx, input.accountId);
      // Every mail names the account it is about, masked (docs/architecture.md "Messages: one answer each").
      const named = input.accountEmails ?? (loginEmail === undefined ? [] : [loginEmail]);
      const params: MessageParams = {
        ...(place && input.params
          ? { ...input.params, ip: deps.translator.text(input.locale, 'mail.layout.ipWithPlace', { ip: input.params.ip, place }) }
          : (input.params ?? {})),
        ...(named.length > 0 ? { account: named.map(maskEmail).join(', ') } : {}),
      };
      // The event first: an undo link is bound to it.
      let securityEventId: string | null = null;
      if (definition.securityEvent !== null && input.accountId !== undefined) {
        securityEventId = await deps.securityLog.record(trx, {
          accountId: input.accountId,
          type: definition.securityEvent,
          ...(input.origin ? { origin: input.origin } : {}),
          ...(input.details ? { details: input.details } : {}),
        });
      }
      const render = (extra: MessageParams) =>
        renderMessage(
          definition,
          { ...params, ...extra },
          {
            translator: deps.translator,
            locale: input.locale,
            appName: deps.config.appName,
            publicUrl: deps.config.http.publicUrl,
            branding: deps.config.branding,
          },
        );
      const plain = render({});
      const undoEventId = securityEventId ?? input.undo?.eventId;
      const recipients = await resolveRecipients(deps.recipients, trx, definition.recipients, input, loginEmail, now);
      const messageIds: string[] = [];
      for (const recipient of recipients) {
        let rendered = plain;
        if (definition.undo && input.undo && deps.undoLinks && recipient.undoRole && undoEventId && input.accountId !== undefined) {
          const undoToken = await deps.undoLinks.issue(trx, {
            accountId: input.accountId,
            eventId: undoEventId,
            eventAt: now,
            role: recipient.undoRole,
            target: recipient.to.toLowerCase(),
            handler: definition.undo,
            restore: input.undo.restore,
            ttlMs: (input.undo.validDays ?? UNDO_LINK_DAYS) * 86_400_000,
          });
          rendered = render({ undoToken, undoDays: input.undo.validDays ?? UNDO_LINK_DAYS });
        }
        messageIds.push(
          await deps.outbox.enqueue(trx, {
            kind: input.kind,
            channel: definition.channel,
            to: recipient.to,
            accountId: input.accountId ?? null,
            locale: input.locale,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            secrets: rendered.secrets,
            ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
          }),
        );
      }
      return { messageIds, securityEventId };
    },
  };
}
