import type { MessageChannelName } from '../db/tables.js';

/**
 * Who receives a message:
 * - `given-address`: exactly the address the caller names (a confirmation link to a new
 *   address, a notice to an old address, the operator's test mail). Nothing is added.
 * - `account`: the account's addresses: its login email and its active recovery email (never
 *   a pending one), so every security notice reaches both.
 */
export type RecipientRule = 'given-address' | 'account';

/**
 * A button in an email: it opens `${PUBLIC_URL}/<page>?token=<the param's value>&lang=<the
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
 * login email as they were before an undo made from a recovery address).
 */
export type UndoHandlerName = 'secure-only' | 'recovery-email' | 'recovery-phone' | 'login-email' | 'channels-before-undo' | 'host-event';

/**
 * What a message is for, which decides the lines it must carry (docs/architecture.md
 * "Messages: one answer each"; the catalogue test enforces them):
 * - `notice`: something happened that the reader may or may not have done. Its template has
 *   `ifYou` ("Wenn Sie das selbst waren, …") and `ifNot` (used when the mail carries no undo
 *   link; with one, `mail.layout.undoHint` says "Wenn Sie das nicht waren, klicken Sie auf
 *   „Das war ich nicht“").
 * - `code`: a code or link someone asked for. Its template has `ignore`: what happens when the
 *   reader ignores it ("… – Ihr Passwort bleibt unverändert.").
 * - `info`: neither (the operator's test mail, what the host's support did, a deleted account).
 */
export type MessageCategory = 'notice' | 'code' | 'info';

/**
 * One kind of message: its template (texts under `mail.<template>` or `sms.<template>` in
 * every catalogue), channel, recipients, security-log event and the params that are secrets.
 */
export interface MessageDefinition {
  readonly channel: MessageChannelName;
  readonly template: string;
  readonly recipients: RecipientRule;
  readonly category: MessageCategory;
  /**
   * The mail is about no account (the operator's test mail; a reset asked for an address that
   * has none), so it has no "Konto: …" line. Every other mail names the account by its masked
   * login email (the notifier's `account` param) and the product.
   */
  readonly noAccount?: true;
  /** The security-log event written with the message, or null when it is not one. */
  readonly securityEvent: string | null;
  /**
   * The one button, when the message has one: a recipient's "Das war ich nicht" link takes its
   * place (one button per mail, never two).
   */
  readonly action?: MessageAction;
  /** The param holding a code, shown alone on its own line (docs/reference/contracts.md "Contracts"). */
  readonly codeParam?: string;
  /** Params that are secrets: masked in `lifeline outbox`, purged after delivery. */
  readonly secretParams: readonly string[];
  /** When set, the message carries a "Das war ich nicht" link (7 days) where that is safe. */
  readonly undo?: UndoHandlerName;
  /** Example params (with `account`, the masked login email, unless `noAccount`): the render test and TEMPLATES_DIR's check use them. */
  readonly exampleParams: Readonly<Record<string, string | number>>;
}
