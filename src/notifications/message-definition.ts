import type { MessageChannelName } from '../db/tables.js';

/**
 * Who receives a message:
 * - `given-address`: exactly the address the caller names (a confirmation link to a new
 *   address, a notice to an old address, the operator's test mail). Nothing is added.
 * - `account`: the account's addresses: its login e-mail and its active recovery e-mail (never
 *   a pending one), so every security notice reaches both.
 */
export type RecipientRule = 'given-address' | 'account';

/**
 * A button in an e-mail: it opens `${PUBLIC_URL}/<page>?token=<the param's value>&lang=<the
 * mail's language>`, or `${PUBLIC_URL}/<page>?lang=<…>` without a token param.
 */
export interface MessageAction {
  /** The UI page the link opens, e.g. "confirm-email". Never a URL: links come from PUBLIC_URL. */
  readonly page: string;
  /** i18n key of the button text. */
  readonly labelKey: string;
  /** Which param holds the link token, if the link carries one. */
  readonly tokenParam?: string;
}

/**
 * How "Das war ich nicht" puts an event back (recovery/undo/security-undo-service.ts): every
 * undo signs out all sessions, cancels pending changes and blocks sign-in until a reset; the
 * handler restores what the event changed (`channels-before-undo`: the recovery channels and the
 * login e-mail as they were before an undo made from a recovery address).
 */
export type UndoHandlerName = 'secure-only' | 'recovery-email' | 'recovery-phone' | 'login-email' | 'channels-before-undo' | 'host-event';

/**
 * One kind of message: its template (texts under `mail.<template>` or `sms.<template>` in
 * every catalogue), channel, recipients, security-log event and the params that are secrets.
 */
export interface MessageDefinition {
  readonly channel: MessageChannelName;
  readonly template: string;
  readonly recipients: RecipientRule;
  /** The security-log event written with the message, or null when it is not one. */
  readonly securityEvent: string | null;
  readonly action?: MessageAction;
  /** The param holding a code, shown alone on its own line (docs/reference/contracts.md "Contracts"). */
  readonly codeParam?: string;
  /** Params that are secrets: masked in `lifeline outbox`, purged after delivery. */
  readonly secretParams: readonly string[];
  /** When set, the message carries a "Das war ich nicht" link (7 days) where that is safe. */
  readonly undo?: UndoHandlerName;
  /** Example params: the render test and the docs preview use them. */
  readonly exampleParams: Readonly<Record<string, string | number>>;
}
