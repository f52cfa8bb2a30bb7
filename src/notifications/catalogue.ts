import type { MessageDefinition } from './message-definition.js';
import { accountMessages } from './catalogue/account-messages.js';
import { recoveryMessages } from './catalogue/recovery-messages.js';
import { recoveryCodeMessages } from './catalogue/recovery-code-messages.js';

export type { MessageAction, MessageCategory, MessageDefinition, RecipientRule, UndoHandlerName } from './message-definition.js';

/**
 * Every message Lifeline sends. The entries live by family in catalogue/*.ts; a test renders each one in
 * every language, in text and HTML, and checks the rules of docs/architecture.md "Messages: one
 * answer each" (one button, the lines of its category, the account named, no link in an SMS).
 */
export const messageCatalogue = { ...accountMessages, ...recoveryMessages, ...recoveryCodeMessages } as const satisfies Record<string, MessageDefinition>;

export type MessageKind = keyof typeof messageCatalogue;
export type MessageCatalogue = Readonly<Record<string, MessageDefinition>>;
