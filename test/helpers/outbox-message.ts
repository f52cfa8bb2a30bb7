import type { OutgoingMessage } from '../../src/delivery/outbox/outbox.js';
import type { MessageDefinition } from '../../src/notifications/catalogue.js';

/**
 * A message as a test queues it by hand (not through the catalogue): German, without HTML and
 * without secrets unless `content` says otherwise.
 */
export function outgoingMessage(
  kind: string,
  channel: OutgoingMessage['channel'],
  to: string,
  content: Pick<OutgoingMessage, 'subject' | 'text'> & Partial<OutgoingMessage>,
): OutgoingMessage {
  return { kind, channel, to, locale: 'de', html: null, ...content };
}

/**
 * A catalogue entry for tests: an email (template operator-test) to the given address, about
 * no account, no security event, with a button to /confirm-email carrying the `token` param and the `code` param
 * on a line of its own; `secretParams` in the order given.
 */
export function emailWithLinkAndCode(labelKey: string, secretParams: readonly string[]): MessageDefinition {
  return {
    channel: 'email',
    template: 'operator-test',
    recipients: 'given-address',
    category: 'info',
    noAccount: true,
    securityEvent: null,
    action: { page: 'confirm-email', labelKey, tokenParam: 'token' },
    codeParam: 'code',
    secretParams,
    exampleParams: {},
  };
}
