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
 * A button in an e-mail: it opens `${PUBLIC_URL}/<page>?token=<the param's value>`, or just
 * `${PUBLIC_URL}/<page>` without a token param.
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
  /** Sign-up: the link that confirms the login e-mail (24 h). */
  'account.signup-confirmation': {
    channel: 'email',
    template: 'signup-confirmation',
    recipients: 'given-address',
    securityEvent: null,
    action: { page: 'confirm-email', labelKey: 'mail.actions.confirmEmail', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: { token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
  },
  /** A sign-up with an address that already has a confirmed account: its owner is told (at most hourly). */
  'account.signup-attempt': {
    channel: 'email',
    template: 'signup-attempt',
    recipients: 'given-address',
    securityEvent: 'account.signup_attempted',
    action: { page: 'login', labelKey: 'mail.actions.signIn' },
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** The password was changed (by the owner, with the current password). */
  'account.password-changed': {
    channel: 'email',
    template: 'password-changed',
    recipients: 'account',
    securityEvent: 'password.changed',
    undo: 'secure-only',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7' },
  },
  /** A new login e-mail: the link that confirms it, to the new address (24 h). */
  'account.email-change-confirmation': {
    channel: 'email',
    template: 'email-change-confirmation',
    recipients: 'given-address',
    securityEvent: 'login_email.change_requested',
    action: { page: 'confirm-email-change', labelKey: 'mail.actions.confirmEmailChange', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: { token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
  },
  /** Someone tried to take an address that belongs to another account: that account's owner is told. */
  'account.email-change-attempt': {
    channel: 'email',
    template: 'email-change-attempt',
    recipients: 'given-address',
    securityEvent: 'login_email.takeover_attempted',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** The login e-mail was changed: the old address is told (with the undo link, if it had been the login e-mail for 7 days). */
  'account.login-email-changed': {
    channel: 'email',
    template: 'login-email-changed',
    recipients: 'given-address',
    securityEvent: null,
    undo: 'login-email',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', newEmail: 'neu@example.com' },
  },
  /** …and the account's addresses now (the new login e-mail, the recovery e-mail): no link for the new login e-mail. */
  'account.login-email-changed-notice': {
    channel: 'email',
    template: 'login-email-changed-notice',
    recipients: 'account',
    securityEvent: 'login_email.changed',
    undo: 'login-email',
    secretParams: [],
    exampleParams: {
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      newEmail: 'neu@example.com',
      oldEmail: 'alt@example.com',
    },
  },
  /** Sign-in throttled after repeated failures ("Anmeldung vorübergehend gesperrt"), at most hourly. */
  'account.signin-throttled': {
    channel: 'email',
    template: 'signin-throttled',
    recipients: 'account',
    securityEvent: 'signin.throttled',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', ip: '203.0.113.7' },
  },
  /** Recovery e-mail: the link that confirms it, to the new address only (24 h). */
  'recovery.email-confirmation': {
    channel: 'email',
    template: 'recovery-email-confirmation',
    recipients: 'given-address',
    securityEvent: null,
    action: { page: 'confirm-recovery-email', labelKey: 'mail.actions.confirmRecoveryEmail', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: { token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' },
  },
  /** "Wiederherstellungs-E-Mail eingerichtet": to the login e-mail (and the new recovery address). */
  'recovery.email-added': {
    channel: 'email',
    template: 'recovery-email-added',
    recipients: 'account',
    securityEvent: 'recovery_email.added',
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', address: 'privat@example.com' },
  },
  /** A changed recovery address, once the new one is confirmed. */
  'recovery.email-changed': {
    channel: 'email',
    template: 'recovery-email-changed',
    recipients: 'account',
    securityEvent: 'recovery_email.changed',
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', address: 'neu@example.com' },
  },
  /** To the old recovery address, when a change replaced it. */
  'recovery.email-replaced': {
    channel: 'email',
    template: 'recovery-email-replaced',
    recipients: 'given-address',
    securityEvent: null,
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', newAddress: 'neu@example.com' },
  },
  /** A removed recovery address: to the account's addresses (the login e-mail). */
  'recovery.email-removed': {
    channel: 'email',
    template: 'recovery-email-removed',
    recipients: 'account',
    securityEvent: 'recovery_email.removed',
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', address: 'alt@example.com' },
  },
  /** …and to the removed address itself. */
  'recovery.email-removed-notice': {
    channel: 'email',
    template: 'recovery-email-removed-notice',
    recipients: 'given-address',
    securityEvent: null,
    undo: 'recovery-email',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', address: 'alt@example.com' },
  },
  /** Recovery phone: the 6-digit code, by SMS to the new number only (10 minutes). */
  'recovery.phone-code': {
    channel: 'sms',
    template: 'recovery-phone-code',
    recipients: 'given-address',
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: { code: '492817' },
  },
  /** A recovery phone was set up: to the login and recovery e-mail (number masked). */
  'recovery.phone-added': {
    channel: 'email',
    template: 'recovery-phone-added',
    recipients: 'account',
    securityEvent: 'recovery_phone.added',
    undo: 'recovery-phone',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', number: '+49 *** ****567' },
  },
  /** The recovery phone was changed, once the new number is confirmed. */
  'recovery.phone-changed': {
    channel: 'email',
    template: 'recovery-phone-changed',
    recipients: 'account',
    securityEvent: 'recovery_phone.changed',
    undo: 'recovery-phone',
    secretParams: [],
    exampleParams: {
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
    securityEvent: 'recovery_phone.removed',
    undo: 'recovery-phone',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', number: '+49 *** ****567' },
  },
  /** To the old number, when a change replaced it: short, no link (a link by SMS is a phishing pattern). */
  'recovery.phone-replaced-sms': {
    channel: 'sms',
    template: 'recovery-phone-replaced',
    recipients: 'given-address',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** To the deactivated number: short, no link. */
  'recovery.phone-removed-sms': {
    channel: 'sms',
    template: 'recovery-phone-removed',
    recipients: 'given-address',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** Forgot password by e-mail: the 8-character code for the browser that asked, and a link for any browser (15 minutes). */
  'account.password-reset-code': {
    channel: 'email',
    template: 'password-reset-code',
    recipients: 'given-address',
    securityEvent: null,
    action: { page: 'reset-password', labelKey: 'mail.actions.resetPassword', tokenParam: 'token' },
    codeParam: 'code',
    secretParams: ['code', 'token'],
    exampleParams: { code: 'K7M2Q9XD', token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', minutes: 15 },
  },
  /** Forgot password by SMS: the 6-digit code (10 minutes), to the confirmed recovery phone only. */
  'account.password-reset-sms': {
    channel: 'sms',
    template: 'password-reset-code',
    recipients: 'given-address',
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: { code: '492817' },
  },
  /** The password was reset through a recovery channel: to the login and recovery e-mail, naming the channel used. */
  'account.password-reset': {
    channel: 'email',
    template: 'password-reset',
    recipients: 'account',
    securityEvent: 'password.reset',
    action: { page: 'login', labelKey: 'mail.actions.signIn' },
    undo: 'secure-only',
    secretParams: [],
    exampleParams: {
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
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ' },
  },
  /** NOTIFY_UNKNOWN_RECIPIENTS: to an address Lifeline knows in no state, at most daily. */
  'account.password-reset-unknown': {
    channel: 'email',
    template: 'password-reset-unknown',
    recipients: 'given-address',
    securityEvent: null,
    secretParams: [],
    exampleParams: {},
  },
  /** A sign-in from a browser this account never used (not the first sign-in after sign-up). */
  'account.new-device-signin': {
    channel: 'email',
    template: 'new-device-signin',
    recipients: 'account',
    securityEvent: 'session.signed_in_new_device',
    undo: 'secure-only',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7' },
  },
  /** "Überall sonst abmelden": every other session ended. */
  'account.sessions-revoked': {
    channel: 'email',
    template: 'sessions-revoked',
    recipients: 'account',
    securityEvent: 'session.revoked_others',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', count: 2 },
  },
  /**
   * "Das war ich nicht" was used: what was done, and the way to a new password. When a recovery
   * address did it, the login e-mail's copy can undo that undo (the login e-mail wins).
   */
  'account.secured': {
    channel: 'email',
    template: 'account-secured',
    recipients: 'account',
    securityEvent: 'security.undone',
    undo: 'channels-before-undo',
    action: { page: 'forgot-password', labelKey: 'mail.actions.setNewPassword' },
    secretParams: [],
    exampleParams: {
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      what: 'Die Änderung der Wiederherstellungs-E-Mail wurde rückgängig gemacht.',
    },
  },
  /**
   * "Das war ich nicht" from the profile's list, without the password: the event's link, sent
   * afresh to the login e-mail only (it ends when the notice's link would have).
   */
  'account.undo-link': {
    channel: 'email',
    template: 'undo-link',
    recipients: 'given-address',
    securityEvent: null,
    action: { page: 'undo', labelKey: 'mail.actions.notMe', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: {
      token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      event: 'Wiederherstellungs-E-Mail geändert',
      when: '25. November 2026, 16:05 MEZ',
      until: '2. Dezember 2026, 16:05 MEZ',
    },
  },
  /**
   * A change of a recovery channel held for 72 hours (a session on a device the account first
   * saw less than 7 days ago asked): to every e-mail of the account, each with its own cancel link.
   */
  'recovery.change-held': {
    channel: 'email',
    template: 'change-held',
    recipients: 'given-address',
    securityEvent: null,
    action: { page: 'cancel-hold', labelKey: 'mail.actions.cancelHeldChange', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: {
      token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      what: 'Ihre Wiederherstellungs-E-Mail-Adresse max.privat@example.net zu entfernen',
      when: '25. November 2026, 16:05 MEZ',
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
      effectiveAt: '28. November 2026, 16:05 MEZ',
    },
  },
  /** …and to the recovery phone, with its own cancel link (the phone may be what is removed). */
  'recovery.change-held-sms': {
    channel: 'sms',
    template: 'change-held',
    recipients: 'given-address',
    securityEvent: null,
    secretParams: ['link'],
    exampleParams: {
      effectiveAt: '28. November 2026, 16:05 MEZ',
      link: 'https://id.example.com/cancel-hold?token=AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
    },
  },
  /** A held change was cancelled (a channel's link or the profile): the login and recovery e-mail are told. */
  'recovery.change-hold-cancelled': {
    channel: 'email',
    template: 'change-hold-cancelled',
    recipients: 'account',
    securityEvent: 'recovery.change_hold_cancelled',
    secretParams: [],
    exampleParams: {
      when: '26. November 2026, 09:12 MEZ',
      device: 'Safari 18 auf iOS 18',
      ip: '198.51.100.23',
      what: 'das Entfernen Ihrer Wiederherstellungs-E-Mail-Adresse',
    },
  },
  /**
   * A login-e-mail change without a settled channel to verify it: the old address
   * hears of it at once, with when it would take effect and a link that cancels it (8 days).
   */
  'account.email-change-waiting': {
    channel: 'email',
    template: 'email-change-waiting',
    recipients: 'given-address',
    // The request's own row is written with the link (or the refusal): one row per request.
    securityEvent: null,
    action: { page: 'cancel-email-change', labelKey: 'mail.actions.cancelEmailChange', tokenParam: 'token' },
    secretParams: ['token'],
    exampleParams: {
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
    securityEvent: 'account.deletion_scheduled',
    action: { page: 'login', labelKey: 'mail.actions.signInToCancel' },
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7', deleteAt: '2. Dezember 2026, 16:05 MEZ' },
  },
  /** A sign-in within the grace period cancelled the deletion. */
  'account.deletion-cancelled': {
    channel: 'email',
    template: 'deletion-cancelled',
    recipients: 'account',
    securityEvent: 'account.deletion_cancelled',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', device: 'Firefox 133 auf Windows 10', ip: '203.0.113.7' },
  },
  /** The account is gone: to the login and the recovery address it had (the account no longer exists to log it). */
  'account.deleted': {
    channel: 'email',
    template: 'account-deleted',
    recipients: 'given-address',
    securityEvent: null,
    secretParams: [],
    exampleParams: { when: '2. Dezember 2026, 16:05 MEZ', email: 'max@example.com' },
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
    securityEvent: 'host.event',
    undo: 'host-event',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', title: 'IBAN geändert', detail: 'Neue IBAN: DE89 •••• 3000' },
  },
  /** The host's support disabled the account (admin API or `lifeline account disable`): the owner learns why no sign-in works. */
  'account.disabled-by-support': {
    channel: 'email',
    template: 'account-disabled',
    recipients: 'account',
    securityEvent: 'account.disabled',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', email: 'max@example.com' },
  },
  /** …and enabled it again. */
  'account.enabled-by-support': {
    channel: 'email',
    template: 'account-enabled',
    recipients: 'account',
    securityEvent: 'account.enabled',
    secretParams: [],
    exampleParams: { when: '25. November 2026, 16:05 MEZ', email: 'max@example.com' },
  },
  /**
   * Verification of a sensitive action by e-mail: the 8-character code for the page
   * or host that asked, and a link that confirms in any browser (15 minutes). Names the action.
   */
  'verification.email-code': {
    channel: 'email',
    template: 'action-verification-code',
    recipients: 'given-address',
    securityEvent: null,
    action: { page: 'verify-action', labelKey: 'mail.actions.confirmAction', tokenParam: 'token' },
    codeParam: 'code',
    secretParams: ['code', 'token'],
    exampleParams: {
      code: 'K7M2Q9XD',
      token: 'AbCdEfGhIjKlMnOp.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      action: 'export-data',
      requester: 'billing',
      minutes: 15,
    },
  },
  /**
   * …for Lifeline's own actions (deleting the account, changing the login e-mail): the code
   * only, no one-click link. The request may come from an intruder's session; a confused click
   * on a button would confirm it for them, a code must be typed into the very session that asked.
   */
  'verification.email-code-only': {
    channel: 'email',
    template: 'action-verification-code-only',
    recipients: 'given-address',
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: {
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
    securityEvent: null,
    codeParam: 'code',
    secretParams: ['code'],
    exampleParams: { code: '492817', action: 'export-data' },
  },
} as const satisfies Record<string, MessageDefinition>;

export type MessageKind = keyof typeof messageCatalogue;
export type MessageCatalogue = Readonly<Record<string, MessageDefinition>>;
