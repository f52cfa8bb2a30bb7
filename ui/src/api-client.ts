/**
 * The typed API client: the one module of the UI that knows the API's paths
 * (docs/reference/contracts.md "Contracts"). Each function sends one request through the fetch
 * wrapper (api.ts: the CSRF header, problem+json as ApiError, the password dialog on
 * `privilege-required`) and answers the contract's type (api-types.ts). Ids, tokens and
 * cursors are encoded here, never spliced into a path by a page.
 */
import { request } from './api.js';
import type {
  Accepted,
  AccountDeletionRequest,
  AccountDeletionScheduled,
  AccountVerificationRequest,
  AccountView,
  Cancelled,
  ChangeEmailRequest,
  ChangePasswordRequest,
  CodeRequest,
  CodeSent,
  EmailChangeAccepted,
  EmailConfirmed,
  EmailRequest,
  ForgotPasswordRequest,
  ForgotPasswordStatus,
  ForgotPasswordVerified,
  ForgotPasswordVerifyRequest,
  HeldChangeCancelled,
  HeldChangePreview,
  LoginRequest,
  MetaResponse,
  PasswordResetDone,
  PasswordResetRequest,
  PreferencesRequest,
  Reauthenticated,
  ReauthenticateRequest,
  RecoveryCodesCreated,
  RecoveryCodesRequest,
  RecoveryEmailConfirmed,
  RecoveryEmailRequest,
  RecoveryPhoneConfirmed,
  RecoveryPhoneConfirmRequest,
  RecoveryPhoneRequest,
  RecoveryPhoneSent,
  RecoveryView,
  RemovalHeld,
  SecurityLogPage,
  SecurityUndoPreview,
  SecurityUndoRequest,
  SecurityUndoResult,
  SendCodeRequest,
  SessionList,
  SessionView,
  SignupRequest,
  TokenRequest,
  UndoLinkSent,
  VerificationDone,
  VerificationLinkPreview,
  VerificationLinkRequest,
  VerificationPageBody,
  VerificationPageCodeRequest,
  VerificationPageSendRequest,
  VerificationStarted,
  VerificationView,
  VerifiedAction,
} from './api-types.js';

const encode = encodeURIComponent;

/** What the recovery email and the recovery phone share: the same routes under their own path. */
function recoveryChannel(channel: 'email' | 'phone') {
  const path = `/api/v1/recovery/${channel}`;
  return {
    /** "Erneut senden": the pending link or code once more (after its cooldown). */
    resend: () => request<Accepted>('POST', `${path}/resend`),
    /** "Abbrechen" of a pending setup or change. */
    cancelPending: () => request<void>('DELETE', `${path}/pending`),
    /** Removes the active channel: at once (no body), or held for 72 hours from a new device. */
    remove: () => request<RemovalHeld | undefined>('DELETE', path),
    /** "Änderung abbrechen" of a held removal, replacement or addition. */
    cancelHeld: () => request<void>('DELETE', `${path}/held`),
  };
}

export const api = {
  /** Name, languages, the phone dialog's options, branding and the allowed return links. */
  meta: () => request<MetaResponse>('GET', '/api/v1/meta'),

  session: {
    /** This browser's session, or null (`optional=true`: no session is an answer, not a failure). */
    current: () => request<SessionView | null>('GET', '/api/v1/session?optional=true'),
    signIn: (body: LoginRequest) => request<SessionView>('POST', '/api/v1/login', body),
    signOut: () => request<void>('POST', '/api/v1/logout'),
    /** Opens the privileged window with the password. */
    reauthenticate: (body: ReauthenticateRequest) => request<Reauthenticated>('POST', '/api/v1/session/reauthenticate', body),
  },

  sessions: {
    list: () => request<SessionList>('GET', '/api/v1/sessions'),
    revoke: (id: string) => request<void>('DELETE', `/api/v1/sessions/${encode(id)}`),
    revokeOthers: () => request<void>('DELETE', '/api/v1/sessions/others'),
  },

  signup: {
    register: (body: SignupRequest) => request<Accepted>('POST', '/api/v1/signup', body),
    resendLink: (body: EmailRequest) => request<Accepted>('POST', '/api/v1/signup/resend', body),
    confirm: (body: TokenRequest) => request<EmailConfirmed>('POST', '/api/v1/signup/confirm', body),
  },

  account: {
    updatePreferences: (body: PreferencesRequest) => request<AccountView>('PATCH', '/api/v1/account', body),
    changePassword: (body: ChangePasswordRequest) => request<Reauthenticated>('PUT', '/api/v1/account/password', body),
    changeEmail: (body: ChangeEmailRequest) => request<EmailChangeAccepted>('POST', '/api/v1/account/email', body),
    confirmEmailChange: (body: TokenRequest) => request<EmailConfirmed>('POST', '/api/v1/account/email/confirm', body),
    /** The old address's link that cancels a waiting login-email change. */
    cancelEmailChange: (body: TokenRequest) => request<Cancelled>('POST', '/api/v1/account/email/cancel', body),
    scheduleDeletion: (body: AccountDeletionRequest) => request<AccountDeletionScheduled>('POST', '/api/v1/account/deletion', body),
  },

  /** A code to a confirmed channel before one of Lifeline's own sensitive actions (the session's). */
  accountVerifications: {
    start: (action: VerifiedAction) => request<VerificationStarted>('POST', '/api/v1/account/verifications', { action } satisfies AccountVerificationRequest),
    sendCode: (id: string, body: SendCodeRequest) => request<CodeSent>('POST', `/api/v1/account/verifications/${encode(id)}/send`, body),
    enterCode: (id: string, body: CodeRequest) => request<VerificationView>('POST', `/api/v1/account/verifications/${encode(id)}/code`, body),
  },

  /** "Passwort vergessen?": the flow is this browser's (an HttpOnly cookie). */
  passwordReset: {
    status: () => request<ForgotPasswordStatus>('GET', '/api/v1/password/forgot'),
    sendCode: (body: ForgotPasswordRequest) => request<Accepted>('POST', '/api/v1/password/forgot', body),
    /** The code typed in this browser, or the email link's token. */
    verify: (body: ForgotPasswordVerifyRequest) => request<ForgotPasswordVerified>('POST', '/api/v1/password/forgot/verify', body),
    setPassword: (body: PasswordResetRequest) => request<PasswordResetDone>('POST', '/api/v1/password/reset', body),
  },

  recovery: {
    view: () => request<RecoveryView>('GET', '/api/v1/recovery'),
    /** A channel's link that cancels a change held for 72 hours. */
    cancelHeldByLink: (body: TokenRequest) => request<HeldChangeCancelled>('POST', '/api/v1/recovery/held/cancel', body),
    /** What that link's change is and what became of it (reading changes nothing). */
    previewHeld: (body: TokenRequest) => request<HeldChangePreview>('POST', '/api/v1/recovery/held/preview', body),
  },

  recoveryEmail: {
    ...recoveryChannel('email'),
    add: (body: RecoveryEmailRequest) => request<Accepted>('PUT', '/api/v1/recovery/email', body),
    confirm: (body: TokenRequest) => request<RecoveryEmailConfirmed>('POST', '/api/v1/recovery/email/confirm', body),
  },

  recoveryPhone: {
    ...recoveryChannel('phone'),
    add: (body: RecoveryPhoneRequest) => request<RecoveryPhoneSent>('PUT', '/api/v1/recovery/phone', body),
    confirm: (body: RecoveryPhoneConfirmRequest) => request<RecoveryPhoneConfirmed>('POST', '/api/v1/recovery/phone/confirm', body),
  },

  recoveryCodes: {
    /** A new set of ten codes, replacing the old one; outside the privileged window the password dialog opens first (api.ts). */
    create: (body: RecoveryCodesRequest = {}) => request<RecoveryCodesCreated>('POST', '/api/v1/recovery/codes', body),
  },

  securityLog: {
    /** The newest page, or the one after `cursor` (the previous page's `nextCursor`). */
    page: (cursor?: string) => request<SecurityLogPage>('GET', cursor === undefined ? '/api/v1/security-log' : `/api/v1/security-log?cursor=${encode(cursor)}`),
    /** "Das war ich nicht" from the profile: the event's link goes to the login email again. */
    sendUndoLink: (eventId: string) => request<UndoLinkSent>('POST', `/api/v1/security-log/${encode(eventId)}/undo-link`, {}),
  },

  /** "Das war ich nicht", the link in a security notice. */
  securityUndo: {
    /** What the link would undo; reading it changes nothing. */
    preview: (token: string) => request<SecurityUndoPreview>('GET', `/api/v1/security/undo?token=${encode(token)}`),
    undo: (body: SecurityUndoRequest) => request<SecurityUndoResult>('POST', '/api/v1/security/undo', body),
  },

  /** The page a host sends its user to (/verify-action), and the link in the code's email. */
  verificationPage: {
    read: (token: string) => request<VerificationPageBody>('GET', `/api/v1/verification-page?token=${encode(token)}`),
    sendCode: (body: VerificationPageSendRequest) => request<CodeSent>('POST', '/api/v1/verification-page/send', body),
    enterCode: (body: VerificationPageCodeRequest) => request<VerificationDone>('POST', '/api/v1/verification-page/code', body),
    /** What the email's link would confirm; reading it changes nothing. */
    previewLink: (token: string) => request<VerificationLinkPreview>('GET', `/api/v1/verification-page/link?token=${encode(token)}`),
    confirmLink: (body: VerificationLinkRequest) => request<VerificationDone>('POST', '/api/v1/verification-page/link', body),
  },
} as const;
