import type { MessageChannelName } from '../db/tables.js';

/**
 * Who receives a message:
 * - `given-address`: exactly the address the caller names (a confirmation link to a new
 *   address, the operator's test mail). Nothing is added.
 * Later issues add the account-wide rules (login e-mail plus active recovery e-mail, old
 * address on a change) beside it.
 */
export type RecipientRule = 'given-address';

/** A button in an e-mail: it opens `${PUBLIC_URL}/<page>?token=<the param's value>`. */
export interface MessageAction {
  /** The UI page the link opens, e.g. "confirm-email". Never a URL: links come from PUBLIC_URL. */
  readonly page: string;
  /** i18n key of the button text. */
  readonly labelKey: string;
  /** Which param holds the link token. */
  readonly tokenParam: string;
}

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
  /** The param holding a code, shown alone on its own line (ARCHITECTURE.md "Contracts"). */
  readonly codeParam?: string;
  /** Params that are secrets: masked in `lifeline outbox`, purged after delivery. */
  readonly secretParams: readonly string[];
  /** Example params: the render test and the docs preview use them. */
  readonly exampleParams: Readonly<Record<string, string | number>>;
}

/**
 * Every message Lifeline sends. Later issues add entries here; a test renders each one in
 * every language, in text and HTML, and checks that links start with PUBLIC_URL.
 */
export const messageCatalogue = {
  /** `lifeline mail-test --to ADDRESS`: an operator checks the SMTP settings. */
  'operator.test-mail': {
    channel: 'email',
    template: 'operator-test',
    recipients: 'given-address',
    securityEvent: null,
    secretParams: [],
    exampleParams: {},
  },
} as const satisfies Record<string, MessageDefinition>;

export type MessageKind = keyof typeof messageCatalogue;
export type MessageCatalogue = Readonly<Record<string, MessageDefinition>>;
