/**
 * The request and answer types of the API, from the server's own zod contracts (src/contract).
 * Type-only imports: zod compiles validators with `new Function`, which the CSP (no
 * unsafe-eval) refuses in the browser, so no zod code may reach the UI bundle
 * (.dependency-cruiser.cjs "no-zod-in-the-ui-bundle"). Requests are the schemas' input types
 * (what is sent), answers their output types (what the server serialised).
 */
import type { z } from 'zod';
import type {
  acceptedResponse,
  accountView,
  cancelledResponse,
  changeEmailRequest,
  changePasswordRequest,
  emailChangeAccepted,
  emailConfirmedResponse,
  emailRequest,
  loginRequest,
  preferencesRequest,
  reauthenticateRequest,
  reauthenticateResponse,
  sessionListResponse,
  sessionResponse,
  signupRequest,
  tokenRequest,
} from '../../src/contract/accounts.js';
import type { MetaResponse } from '../../src/contract/meta.js';
import type {
  forgotPasswordRequest,
  forgotPasswordStatus,
  forgotPasswordVerified,
  forgotPasswordVerifyRequest,
  passwordResetDone,
  passwordResetRequest,
} from '../../src/contract/password-reset.js';
import type {
  cancelHeldResponse,
  heldChangePreview,
  recoveryEmailConfirmedResponse,
  recoveryEmailRequest,
  recoveryPhoneConfirmedResponse,
  recoveryPhoneConfirmRequest,
  recoveryPhoneRequest,
  recoveryCodesRequest,
  recoveryCodesResponse,
  recoveryPhoneSentResponse,
  removalHeldResponse,
} from '../../src/contract/recovery.js';
import type { securityUndoLinkResponse, securityUndoPreview, securityUndoRequest, securityUndoResponse, undoSteps } from '../../src/contract/security-log.js';
import type {
  accountDeletionRequest,
  accountDeletionScheduled,
  accountVerificationRequest,
  accountVerificationStarted,
  sendVerificationRequest,
  sendVerificationResponse,
  verificationCodeRequest,
  verificationDone,
  verificationLinkPreview,
  verificationLinkRequest,
  verificationPageCodeRequest,
  verificationPageSendRequest,
  verificationView,
} from '../../src/contract/verifications.js';

export type { MetaResponse } from '../../src/contract/meta.js';
export type { RecoveryView } from '../../src/contract/recovery.js';
export type { SecurityLogPage } from '../../src/contract/security-log.js';
export type { VerificationPageBody } from '../../src/contract/verifications.js';

// Accounts and sessions.
export type AccountView = z.infer<typeof accountView>;
export type SessionView = z.infer<typeof sessionResponse>;
export type SessionList = z.infer<typeof sessionListResponse>;
export type LoginRequest = z.input<typeof loginRequest>;
export type ReauthenticateRequest = z.input<typeof reauthenticateRequest>;
/** The privileged window's end, and the CSRF token of the rotated session. */
export type Reauthenticated = z.infer<typeof reauthenticateResponse>;
/** The neutral answer of the routes that send something (sign-up, links, codes). */
export type Accepted = z.infer<typeof acceptedResponse>;
export type Cancelled = z.infer<typeof cancelledResponse>;
export type SignupRequest = z.input<typeof signupRequest>;
export type EmailRequest = z.input<typeof emailRequest>;
/** The token of a mailed link (`?token=` of the page it opens). */
export type TokenRequest = z.input<typeof tokenRequest>;
export type EmailConfirmed = z.infer<typeof emailConfirmedResponse>;
export type PreferencesRequest = z.input<typeof preferencesRequest>;
export type ChangePasswordRequest = z.input<typeof changePasswordRequest>;
export type ChangeEmailRequest = z.input<typeof changeEmailRequest>;
export type EmailChangeAccepted = z.infer<typeof emailChangeAccepted>;

// Service information.
export type PhoneOptions = MetaResponse['recoveryPhone'];
export type Branding = MetaResponse['branding'];

// "Passwort vergessen?".
export type ForgotPasswordRequest = z.input<typeof forgotPasswordRequest>;
/** Where this browser's recovery flow stands (its HttpOnly cookie). */
export type ForgotPasswordStatus = z.infer<typeof forgotPasswordStatus>;
export type ForgotPasswordVerifyRequest = z.input<typeof forgotPasswordVerifyRequest>;
/** The accounts only when the code's channel belongs to several. */
export type ForgotPasswordVerified = z.infer<typeof forgotPasswordVerified>;
export type PasswordResetRequest = z.input<typeof passwordResetRequest>;
export type PasswordResetDone = z.infer<typeof passwordResetDone>;

// Recovery channels.
export type RecoveryEmailRequest = z.input<typeof recoveryEmailRequest>;
export type RecoveryEmailConfirmed = z.infer<typeof recoveryEmailConfirmedResponse>;
export type RecoveryPhoneRequest = z.input<typeof recoveryPhoneRequest>;
export type RecoveryPhoneSent = z.infer<typeof recoveryPhoneSentResponse>;
export type RecoveryPhoneConfirmRequest = z.input<typeof recoveryPhoneConfirmRequest>;
export type RecoveryPhoneConfirmed = z.infer<typeof recoveryPhoneConfirmedResponse>;
export type RecoveryCodesRequest = z.input<typeof recoveryCodesRequest>;
/** The ten new recovery codes: shown once, never again. */
export type RecoveryCodesCreated = z.infer<typeof recoveryCodesResponse>;
/** A removal from a new device's session waits 72 hours: when it takes effect. */
export type RemovalHeld = z.infer<typeof removalHeldResponse>;
export type HeldChangeCancelled = z.infer<typeof cancelHeldResponse>;
export type HeldChangePreview = z.infer<typeof heldChangePreview>;

// The security log and "Das war ich nicht".
export type UndoStep = (typeof undoSteps)[number];
export type SecurityUndoRequest = z.input<typeof securityUndoRequest>;
export type SecurityUndoPreview = z.infer<typeof securityUndoPreview>;
export type SecurityUndoResult = z.infer<typeof securityUndoResponse>;
export type UndoLinkSent = z.infer<typeof securityUndoLinkResponse>;

// Verification of actions: Lifeline's own (the profile) and a host's (the verification page).
/** One of Lifeline's own actions that needs a code first ('lifeline.delete-account', 'lifeline.change-login-email'). */
export type VerifiedAction = z.input<typeof accountVerificationRequest>['action'];
export type AccountVerificationRequest = z.input<typeof accountVerificationRequest>;
export type VerificationStarted = z.infer<typeof accountVerificationStarted>;
export type SendCodeRequest = z.input<typeof sendVerificationRequest>;
export type CodeSent = z.infer<typeof sendVerificationResponse>;
export type CodeRequest = z.input<typeof verificationCodeRequest>;
export type VerificationView = z.infer<typeof verificationView>;
export type AccountDeletionRequest = z.input<typeof accountDeletionRequest>;
export type AccountDeletionScheduled = z.infer<typeof accountDeletionScheduled>;
export type VerificationPageSendRequest = z.input<typeof verificationPageSendRequest>;
export type VerificationPageCodeRequest = z.input<typeof verificationPageCodeRequest>;
export type VerificationLinkRequest = z.input<typeof verificationLinkRequest>;
export type VerificationLinkPreview = z.infer<typeof verificationLinkPreview>;
/** Verified: where the page goes next (the host's `returnTo` with `verification=<id>`, or null). */
export type VerificationDone = z.infer<typeof verificationDone>;
