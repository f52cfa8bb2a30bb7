import type { SecurityEventType } from '../../src/contract/security-log.js';

/**
 * The sentence of each event type (ui.profile.securityActivity.events.*): one for every type of
 * the contract, or the UI does not compile. Types the UI does not know yet (a newer server) read
 * "Sicherheitsrelevante Änderung".
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
  'session.signed_in': 'sessionSignedIn',
  'session.signed_in_new_device': 'sessionSignedInNewDevice',
  'session.signed_out': 'sessionSignedOut',
  'session.reauthenticated': 'sessionReauthenticated',
  'session.revoked': 'sessionRevoked',
  'session.revoked_others': 'sessionRevokedOthers',
  'sessions.revoked_by_password_change': 'sessionsRevokedByPasswordChange',
  'sessions.revoked_by_password_reset': 'sessionsRevokedByPasswordReset',
  'signin.throttled': 'signinThrottled',
  'security.undone': 'securityUndone',
};

/** The key under `ui.profile.securityActivity.events` of an event type. */
export function eventTextKey(type: string): string {
  return Object.hasOwn(EVENT_TEXT, type) ? EVENT_TEXT[type as SecurityEventType] : 'unknown';
}

/**
 * "25. November 2026, 16:05 MEZ": components rather than dateStyle/timeStyle, which cannot be
 * combined with timeZoneName (as in the notices, src/notifications/event-details.ts). A zone the
 * browser does not know falls back to UTC, named.
 */
export function formatEventTime(iso: string, locale: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  const language = locale === 'de' ? 'de-DE' : 'en-GB';
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(language, { ...options, timeZone: 'UTC' }).format(new Date(iso));
  }
}
