import type { MessageDefinition } from '../message-definition.js';

/**
 * Recovery codes (docs/architecture.md "Recovery codes"): a new set and each use are told to
 * every channel. The mails' "Das war ich nicht" ends the set the event names (whoever made or
 * used it has the codes); the SMS carry no link.
 */
export const recoveryCodeMessages = {
  /** A new set of recovery codes (an old one ended with it): to the login and recovery email. */
  'recovery.codes-created': {
    channel: 'email',
    template: 'recovery-codes-created',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_codes.created',
    undo: 'secure-only',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      replaced: 'Die bisherigen Codes gelten nicht mehr.',
    },
  },
  /** …and to the recovery phone, short and without a link. */
  'recovery.codes-created-sms': {
    channel: 'sms',
    template: 'recovery-codes-created',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** A recovery code was used in "Passwort vergessen?": to the login and recovery email, naming how many are left. */
  'recovery.code-used': {
    channel: 'email',
    template: 'recovery-code-used',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_code.used',
    undo: 'secure-only',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      remaining: 'Es sind noch 9 Codes übrig.',
    },
  },
  /** …and to the recovery phone, short and without a link. */
  'recovery.code-used-sms': {
    channel: 'sms',
    template: 'recovery-code-used',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', remaining: 'Es sind noch 9 Codes übrig.' },
  },
} as const satisfies Record<string, MessageDefinition>;
