import type { MessageDefinition } from '../message-definition.js';

/** The ways back in: the recovery email and phone, held changes of them, and the forgot-password flow. */
export const recoveryMessages = {
  // The recovery email and phone.
  /** Recovery email: the link that confirms it, to the new address only (24 h). */
  'recovery.email-confirmation': {
    channel: 'email',
    template: 'recovery-email-confirmation',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    action: { page: 'confirm-recovery-email', labelKey: 'mail.actions.confirmRecoveryEmail', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: { account: 'm***@example.com', token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
  },
  /** "Wiederherstellungs-E-Mail eingerichtet": to the login email (and the new recovery address). */
  'recovery.email-added': {
    channel: 'email',
    template: 'recovery-email-added',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_email.added',
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      address: 'privat@example.com',
    },
  },
  /** A changed recovery address, once the new one is confirmed. */
  'recovery.email-changed': {
    channel: 'email',
    template: 'recovery-email-changed',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_email.changed',
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      address: 'neu@example.com',
    },
  },
  /** To the old recovery address, when a change replaced it. */
  'recovery.email-replaced': {
    channel: 'email',
    template: 'recovery-email-replaced',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      newAddress: 'neu@example.com',
    },
  },
  /** A removed recovery address: to the account's addresses (the login email). */
  'recovery.email-removed': {
    channel: 'email',
    template: 'recovery-email-removed',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_email.removed',
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      address: 'alt@example.com',
    },
  },
  /** …and to the removed address itself. */
  'recovery.email-removed-notice': {
    channel: 'email',
    template: 'recovery-email-removed-notice',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      address: 'alt@example.com',
    },
  },
  /** Recovery phone: the 6-digit code, by SMS to the new number only (10 minutes). */
  'recovery.phone-code': {
    channel: 'sms',
    template: 'recovery-phone-code',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: { code: '492817' },
  },
  /** A recovery phone was set up: to the login and recovery email (number masked). */
  'recovery.phone-added': {
    channel: 'email',
    template: 'recovery-phone-added',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_phone.added',
    undo: 'recovery-phone',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      number: '+49 *** ****567',
    },
  },
  /** The recovery phone was changed, once the new number is confirmed. */
  'recovery.phone-changed': {
    channel: 'email',
    template: 'recovery-phone-changed',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_phone.changed',
    undo: 'recovery-phone',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      number: '+49 *** ****890',
      oldNumber: '+49 *** ****567',
    },
  },
  /** The recovery phone was deactivated. */
  'recovery.phone-removed': {
    channel: 'email',
    template: 'recovery-phone-removed',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery_phone.removed',
    undo: 'recovery-phone',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      number: '+49 *** ****567',
    },
  },
  /** To the old number, when a change replaced it: short, no link (a link by SMS is a phishing pattern). */
  'recovery.phone-replaced-sms': {
    channel: 'sms',
    template: 'recovery-phone-replaced',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** To the deactivated number: short, no link. */
  'recovery.phone-removed-sms': {
    channel: 'sms',
    template: 'recovery-phone-removed',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  // Held changes of a recovery channel (docs/architecture.md "The 72-hour hold").
  /**
   * A change of a recovery channel held for 72 hours (a session on a device the account first
   * saw less than 7 days ago asked): to every email of the account, each with its own cancel link.
   */
  'recovery.change-held': {
    channel: 'email',
    template: 'change-held',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    action: { page: 'cancel-hold', labelKey: 'mail.actions.cancelHeldChange', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: {
      account: 'm***@example.com',
      token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      what: 'Ihre Wiederherstellungs-E-Mail-Adresse max.privat@example.net zu entfernen',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      effectiveAt: '28. November 2026, 16:05 MEZ',
    },
  },
  /**
   * …and to the recovery phone (it may be what is removed): no link, since a link by SMS is the
   * pattern of SMS phishing; it names the profile, whose "Änderung abbrechen" cancels it.
   */
  'recovery.change-held-sms': {
    channel: 'sms',
    template: 'change-held',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    secretParams: [],
    exampleParams: { effectiveAt: '28. November 2026, 16:05 MEZ' },
  },
  /** A held change was cancelled (a channel's link or the profile): the login and recovery email are told. */
  'recovery.change-hold-cancelled': {
    channel: 'email',
    template: 'change-hold-cancelled',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'recovery.change_hold_cancelled',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '26. November 2026, 09:12 MEZ',
      device: 'Safari 18 auf iOS 18',
      ip: '198.51.100.23',
      what: 'das Entfernen Ihrer Wiederherstellungs-E-Mail-Adresse',
    },
  },
  // Forgot password (docs/architecture.md "Forgot password").
  /** Forgot password by email: the 8-character code for the browser that asked, and a link for any browser (15 minutes). */
  'account.password-reset-code': {
    channel: 'email',
    template: 'password-reset-code',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    action: { page: 'reset-password', labelKey: 'mail.actions.resetPassword', tokenParam: 'token' },
    codeParam: 'code',
    secretParams: ['code', 'token'],
    exampleParams: { account: 'm***@example.com', code: 'K7M2Q9XD', token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', minutes: 15 },
  },
  /** Forgot password by SMS: the 6-digit code (10 minutes), to the confirmed recovery phone only. */
  'account.password-reset-sms': {
    channel: 'sms',
    template: 'password-reset-code',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: { code: '492817' },
  },
  /** The password was reset through a recovery channel: to the login and recovery email, naming the channel used; its one button is "Das war ich nicht". */
  'account.password-reset': {
    channel: 'email',
    template: 'password-reset',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'password.reset',
    undo: 'secure-only',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      via: 'per SMS an die Telefonnummer +49 *** ****567',
      removed: '',
    },
  },
  /** …and a short SMS without a link to the recovery phone. */
  'account.password-reset-sms-notice': {
    channel: 'sms',
    template: 'password-reset-notice',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** NOTIFY_UNKNOWN_RECIPIENTS: to an address Lifeline knows in no state, at most daily. */
  'account.password-reset-unknown': {
    channel: 'email',
    template: 'password-reset-unknown',
    recipients: 'given-address',
    category: 'notice',
    noAccount: true,
    securityEvent: null,
    secretParams: [],
    exampleParams: {},
  },
} as const satisfies Record<string, MessageDefinition>;
