import type { MessageDefinition } from '../message-definition.js';

/** The account's own messages: sign-up, the login email, the password, deletion, the host's support; sign-in and sessions, "Das war ich nicht"; the verification of sensitive actions. */
export const accountMessages = {
  // Sign-up, the login email, the password, deletion, the host's support.
  /** `lifeline mail-test --to ADDRESS`: an operator checks the SMTP settings. */
  'operator.test-mail': {
    channel: 'email',
    template: 'operator-test',
    recipients: 'given-address',
    category: 'info',
    noAccount: true,
    securityEvent: null,
    secretParams: [],
    exampleParams: {},
  },
  /** Sign-up: the link that confirms the login email (24 h). */
  'account.signup-confirmation': {
    channel: 'email',
    template: 'signup-confirmation',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    action: { page: 'confirm-email', labelKey: 'mail.actions.confirmEmail', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: { account: 'm***@example.com', token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
  },
  /** A sign-up with an address that already has a confirmed account: its owner is told (at most hourly), without a sign-in button. */
  'account.signup-attempt': {
    channel: 'email',
    template: 'signup-attempt',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: 'account.signup_attempted',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ' },
  },
  /** The password was changed (by the owner, with the current password). */
  'account.password-changed': {
    channel: 'email',
    template: 'password-changed',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'password.changed',
    undo: 'secure-only',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7' },
  },
  /** A new login email: the link that confirms it, to the new address (24 h). */
  'account.email-change-confirmation': {
    channel: 'email',
    template: 'email-change-confirmation',
    recipients: 'given-address',
    category: 'code',
    securityEvent: 'login_email.change_requested',
    action: { page: 'confirm-email-change', labelKey: 'mail.actions.confirmEmailChange', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: { account: 'm***@example.com', token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
  },
  /** Someone tried to take an address that belongs to another account: that account's owner is told. */
  'account.email-change-attempt': {
    channel: 'email',
    template: 'email-change-attempt',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: 'login_email.takeover_attempted',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ' },
  },
  /** The login email was changed: the old address is told (with the undo link, if it had been the login email for 7 days). */
  'account.login-email-changed': {
    channel: 'email',
    template: 'login-email-changed',
    recipients: 'given-address',
    category: 'notice',
    securityEvent: null,
    undo: 'login-email',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      newEmail: 'neu@example.com',
    },
  },
  /** …and the account's addresses now (the new login email, the recovery email): no link for the new login email. */
  'account.login-email-changed-notice': {
    channel: 'email',
    template: 'login-email-changed-notice',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'login_email.changed',
    undo: 'login-email',
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      newEmail: 'neu@example.com',
      oldEmail: 'alt@example.com',
    },
  },
  /**
   * A login-email change without a settled channel to verify it: the old address
   * hears of it at once, with when it would take effect and a link that cancels it (8 days).
   */
  'account.email-change-waiting': {
    channel: 'email',
    template: 'email-change-waiting',
    recipients: 'given-address',
    category: 'notice',
    // The request's own row is written with the link (or the refusal): one row per request.
    securityEvent: null,
    action: { page: 'cancel-email-change', labelKey: 'mail.actions.cancelEmailChange', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: {
      account: 'm***@example.com',
      token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      newEmail: 'neu@example.org',
      effectiveAt: '2. Dezember 2026, 16:05 MEZ',
    },
  },
  /** "Konto löschen" was asked for: when it happens, and that signing in cancels it. */
  'account.deletion-scheduled': {
    channel: 'email',
    template: 'deletion-scheduled',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'account.deletion_scheduled',
    action: { page: 'login', labelKey: 'mail.actions.signInToCancel' },
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      deleteAt: '2. Dezember 2026, 16:05 MEZ',
    },
  },
  /** A sign-in within the grace period cancelled the deletion. */
  'account.deletion-cancelled': {
    channel: 'email',
    template: 'deletion-cancelled',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'account.deletion_cancelled',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7' },
  },
  /** The account is gone: to the login and the recovery address it had (the account no longer exists to log it). */
  'account.deleted': {
    channel: 'email',
    template: 'account-deleted',
    recipients: 'given-address',
    category: 'info',
    securityEvent: null,
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '2. Dezember 2026, 16:05 MEZ', email: 'max@example.com' },
  },
  /** The host's support disabled the account (admin API or `lifeline account disable`): the owner learns why no sign-in works. */
  'account.disabled-by-support': {
    channel: 'email',
    template: 'account-disabled',
    recipients: 'account',
    category: 'info',
    securityEvent: 'account.disabled',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', email: 'max@example.com' },
  },
  /** …and enabled it again. */
  'account.enabled-by-support': {
    channel: 'email',
    template: 'account-enabled',
    recipients: 'account',
    category: 'info',
    securityEvent: 'account.enabled',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', email: 'max@example.com' },
  },
  // Sign-in, sessions and "Das war ich nicht" (docs/architecture.md "Security notices").
  /** Sign-in throttled after repeated failures ("Anmeldung vorübergehend gesperrt"), at most hourly. */
  'account.signin-throttled': {
    channel: 'email',
    template: 'signin-throttled',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'signin.throttled',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', ip: '203.0.113.7' },
  },
  /** A sign-in from a browser this account never used (not the first sign-in after sign-up). */
  'account.new-device-signin': {
    channel: 'email',
    template: 'new-device-signin',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'session.signed_in_new_device',
    undo: 'secure-only',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7' },
  },
  /** "Überall sonst abmelden": every other session ended; if that was someone else, they know the password, so the button sets a new one. */
  'account.sessions-revoked': {
    channel: 'email',
    template: 'sessions-revoked',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'session.revoked_others',
    action: { page: 'forgot-password', labelKey: 'mail.actions.setNewPassword' },
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', count: 2 },
  },
  /**
   * "Das war ich nicht" was used: what was done, and the way to a new password. When a recovery
   * address did it, the login email's copy can undo that undo (the login email wins); that copy's
   * one button is then "Das war ich nicht", and the new password is named in its text.
   */
  'account.secured': {
    channel: 'email',
    template: 'account-secured',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'security.undone',
    undo: 'channels-before-undo',
    action: { page: 'forgot-password', labelKey: 'mail.actions.setNewPassword' },
    secretParams: [],
    exampleParams: {
      account: 'm***@example.com',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      what: 'Die Änderung der Wiederherstellungs-E-Mail wurde rückgängig gemacht.',
    },
  },
  /**
   * "Das war ich nicht" from the profile's list, without the password: the event's link, sent
   * afresh to the login email only (it ends when the notice's link would have).
   */
  'account.undo-link': {
    channel: 'email',
    template: 'undo-link',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    action: { page: 'undo', labelKey: 'mail.actions.notMe', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: {
      account: 'm***@example.com',
      token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      event: 'Wiederherstellungs-E-Mail geändert',
      when: '25. November 2026, 16:05 MEZ',
      until: '2. Dezember 2026, 16:05 MEZ',
    },
  },
  /**
   * A host application's own security event with `notify` (docs/integration.md "Host events"):
   * its title in the account's language, and "Das war ich nicht", which secures the account and
   * tells the host (webhook `account.secured` with the event's id) so that it can revert its change.
   */
  'host.security-event': {
    channel: 'email',
    template: 'host-event',
    recipients: 'account',
    category: 'notice',
    securityEvent: 'host.event',
    undo: 'host-event',
    secretParams: [],
    exampleParams: { account: 'm***@example.com', when: '25. November 2026, 16:05 MEZ', title: 'IBAN geändert', detail: 'Neue IBAN: DE89 •••• 3000' },
  },
  // Verification of a sensitive action (docs/architecture.md "Action verification, API keys, deletion").
  /**
   * Verification of a sensitive action by email: the 8-character code for the page
   * or host that asked, and a link that confirms in any browser (15 minutes). Names the action.
   */
  'verification.email-code': {
    channel: 'email',
    template: 'action-verification-code',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    action: { page: 'verify-action', labelKey: 'mail.actions.confirmAction', tokenParam: 'token' },
    codeParam: 'code',
    secretParams: ['code', 'token'],
    exampleParams: {
      account: 'm***@example.com',
      code: 'K7M2Q9XD',
      token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      action: 'export-data',
      requester: 'billing',
      minutes: 15,
    },
  },
  /**
   * …for Lifeline's own actions (deleting the account, changing the login email): the code
   * only, no one-click link. The request may come from an intruder's session; a confused click
   * on a button would confirm it for them, a code must be typed into the very session that asked.
   */
  'verification.email-code-only': {
    channel: 'email',
    template: 'action-verification-code-only',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: {
      account: 'm***@example.com',
      code: 'K7M2Q9XD',
      action: 'Konto löschen',
      minutes: 15,
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
    },
  },
  /** …by SMS: the 6-digit code (10 minutes), to the confirmed recovery phone only. */
  'verification.sms-code': {
    channel: 'sms',
    template: 'action-verification-code',
    recipients: 'given-address',
    category: 'code',
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: { code: '492817', action: 'export-data' },
  },
} as const satisfies Record<string, MessageDefinition>;
