/*
 * Pure data without zod: the UI imports values from here, and zod in the UI's bundle would
 * bring its JIT (new Function), which the CSP forbids (script-src 'self', no 'unsafe-eval').
 */

/**
 * The event types of the security log ("Sicherheitsaktivität"), as the API and the UI name
 * them. Pure data (contract/): the server writes these, the UI translates them.
 */
export const securityEventTypes = [
  'account.created',
  'account.email_verified',
  'account.preferences_changed',
  'account.signup_attempted',
  'login_email.change_requested',
  'login_email.changed',
  'login_email.takeover_attempted',
  'password.changed',
  'password.reset',
  'password_reset.requested',
  'password_reset.suppressed',
  'recovery_email.setup_requested',
  'recovery_email.setup_cancelled',
  'recovery_email.added',
  'recovery_email.changed',
  'recovery_email.removed',
  'recovery_phone.setup_requested',
  'recovery_phone.setup_cancelled',
  'recovery_phone.added',
  'recovery_phone.changed',
  'recovery_phone.removed',
  'recovery_codes.created',
  'recovery_code.used',
  'session.signed_in',
  'session.signed_in_new_device',
  'session.signed_out',
  'session.reauthenticated',
  'session.revoked',
  'session.revoked_others',
  'sessions.revoked_by_password_change',
  'sessions.revoked_by_password_reset',
  'sessions.revoked_by_channel_removal',
  'signin.throttled',
  'security.undone',
  'action_verification.started',
  'action_verification.code_sent',
  'action_verification.verified',
  'action_verification.failed',
  'account.deletion_scheduled',
  'account.deletion_cancelled',
  'login_email.change_scheduled',
  'login_email.change_cancelled',
  'recovery.change_held',
  'recovery.change_hold_cancelled',
  'account.disabled',
  'account.enabled',
  'sessions.revoked_by_support',
  'password_reset.sent_by_support',
  'host.event',
] as const;

export type SecurityEventType = (typeof securityEventTypes)[number];

/**
 * Steps on the way to a change rather than changes: a link or code sent for a setup, a setup
 * the user cancelled, the password typed again to open a dialog, an action verification opened
 * or its code sent. They stay in the log (the admin API, webhooks, support), but the owner's
 * "Sicherheitsaktivität" lists what happened to the account, not every click: the change itself
 * (added, verified, failed …) is listed, and each step that matters sends its own message.
 */
export const stepEventTypes: readonly SecurityEventType[] = [
  'recovery_email.setup_requested',
  'recovery_email.setup_cancelled',
  'recovery_phone.setup_requested',
  'recovery_phone.setup_cancelled',
  'session.reauthenticated',
  'action_verification.started',
  'action_verification.code_sent',
];

/**
 * The sentence of each event type (ui.profile.securityActivity.events.*): one for every type of
 * the contract, or nothing compiles. The profile's list and the mail with a "Das war ich nicht"
 * link read them; types an older UI does not know (a newer server) read "Sicherheitsrelevante
 * Änderung".
 */
const EVENT_TEXT: Record<SecurityEventType, string> = {
  'account.created': 'accountCreated',
  'account.email_verified': 'accountEmailVerified',
  'account.preferences_changed': 'accountPreferencesChanged',
  'account.signup_attempted': 'accountSignupAttempted',
  'login_email.change_requested': 'loginEmailChangeRequested',
  'login_email.changed': 'loginEmailChanged',
  'login_email.takeover_attempted': 'loginEmailTakeoverAttempted',
  'password.changed': 'passwordChanged',
  'password.reset': 'passwordReset',
  'password_reset.requested': 'passwordResetRequested',
  'password_reset.suppressed': 'passwordResetSuppressed',
  'recovery_email.setup_requested': 'recoveryEmailSetupRequested',
  'recovery_email.setup_cancelled': 'recoveryEmailSetupCancelled',
  'recovery_email.added': 'recoveryEmailAdded',
  'recovery_email.changed': 'recoveryEmailChanged',
  'recovery_email.removed': 'recoveryEmailRemoved',
  'recovery_phone.setup_requested': 'recoveryPhoneSetupRequested',
  'recovery_phone.setup_cancelled': 'recoveryPhoneSetupCancelled',
  'recovery_phone.added': 'recoveryPhoneAdded',
  'recovery_phone.changed': 'recoveryPhoneChanged',
  'recovery_phone.removed': 'recoveryPhoneRemoved',
  'recovery_codes.created': 'recoveryCodesCreated',
  'recovery_code.used': 'recoveryCodeUsed',
  'session.signed_in': 'sessionSignedIn',
  'session.signed_in_new_device': 'sessionSignedInNewDevice',
  'session.signed_out': 'sessionSignedOut',
  'session.reauthenticated': 'sessionReauthenticated',
  'session.revoked': 'sessionRevoked',
  'session.revoked_others': 'sessionRevokedOthers',
  'sessions.revoked_by_password_change': 'sessionsRevokedByPasswordChange',
  'sessions.revoked_by_password_reset': 'sessionsRevokedByPasswordReset',
  'sessions.revoked_by_channel_removal': 'sessionsRevokedByChannelRemoval',
  'signin.throttled': 'signinThrottled',
  'security.undone': 'securityUndone',
  'action_verification.started': 'actionVerificationStarted',
  'action_verification.code_sent': 'actionVerificationCodeSent',
  'action_verification.verified': 'actionVerificationVerified',
  'action_verification.failed': 'actionVerificationFailed',
  'account.deletion_scheduled': 'accountDeletionScheduled',
  'account.deletion_cancelled': 'accountDeletionCancelled',
  'login_email.change_scheduled': 'loginEmailChangeScheduled',
  'login_email.change_cancelled': 'loginEmailChangeCancelled',
  'recovery.change_held': 'recoveryChangeHeld',
  'recovery.change_hold_cancelled': 'recoveryChangeHoldCancelled',
  'account.disabled': 'accountDisabled',
  'account.enabled': 'accountEnabled',
  'sessions.revoked_by_support': 'sessionsRevokedBySupport',
  'password_reset.sent_by_support': 'passwordResetSentBySupport',
  // Its sentence is the host's own title (details.titleDe / titleEn); this one stands in without.
  'host.event': 'hostEvent',
};

/** The key under `ui.profile.securityActivity.events` of an event type. */
export function eventTextKey(type: string): string {
  return Object.hasOwn(EVENT_TEXT, type) ? EVENT_TEXT[type as SecurityEventType] : 'unknown';
}
