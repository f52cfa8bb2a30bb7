import type { Config } from './config/config.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import { createMetrics } from './core/metrics.js';
import { noGeoIp, openGeoIp } from './core/geo-ip.js';
import type { Database } from './db/database.js';
import { checkReadiness } from './db/readiness.js';
import { createChannels } from './delivery/channels/create-channels.js';
import { createDevMailbox } from './delivery/channels/dev-mailbox-channel.js';
import { createDevMailboxRepository } from './delivery/channels/dev-mailbox-repository.js';
import { createOutboxRepository } from './delivery/outbox/outbox-repository.js';
import { createOutbox } from './delivery/outbox/outbox.js';
import { createOutboxWorker } from './delivery/outbox/outbox-worker.js';
import { createTranslator } from './i18n/translator.js';
import { loadMailTemplates, type MailTemplates } from './notifications/mail-templates.js';
import { createNotifier } from './notifications/notifier.js';
import { createRecipientRepository } from './notifications/recipient-repository.js';
import { createSecurityLog } from './notifications/security-log.js';
import { createSecurityLogRepository } from './notifications/security-log-repository.js';
import { createRateLimits } from './security/rate-limits.js';
import { createOneTimeSecretService } from './one-time-secrets/one-time-secret-service.js';
import { createOneTimeSecretRepository } from './one-time-secrets/one-time-secret-repository.js';
import { createAccountRepository } from './accounts/account-repository.js';
import { createAccountSettingsService } from './accounts/account-settings-service.js';
import { createPasswordHasher } from './accounts/password-hasher.js';
import { createPasswordVerifier } from './accounts/password-verifier.js';
import { createSignupService } from './accounts/signup-service.js';
import { createPasswordThrottle } from './security/password-throttle.js';
import { createRateLimitStore } from './security/rate-limit-store.js';
import { createDeviceRegistry } from './sessions/device-registry.js';
import { createDeviceRepository } from './sessions/device-repository.js';
import { createSessionService } from './sessions/session-service.js';
import { createSessionRepository } from './sessions/session-repository.js';
import { createSignInService } from './accounts/sign-in-service.js';
import { createRecoveryEmailService } from './recovery/email/recovery-email-service.js';
import { createRecoveryPhoneService } from './recovery/phone/recovery-phone-service.js';
import { createSmsSendGuard } from './security/sms-send-guard.js';
import { createPasswordResetService } from './recovery/password-reset/password-reset-service.js';
import { createPasswordResetFlowRepository } from './recovery/password-reset/password-reset-flow-repository.js';
import { createChannelOwnerRepository } from './recovery/password-reset/channel-owner-repository.js';
import { createRecoveryEmailRepository } from './recovery/email/recovery-email-repository.js';
import { createRecoveryPhoneRepository } from './recovery/phone/recovery-phone-repository.js';
import { createRecoveryCodeService } from './recovery/codes/recovery-code-service.js';
import { createRecoveryCodeRepository } from './recovery/codes/recovery-code-repository.js';
import { createUndoLinks } from './recovery/undo/undo-links.js';
import { createSecurityUndoService } from './recovery/undo/security-undo-service.js';
import { createUnsettledChannels } from './recovery/unsettled-channels.js';
import { createUndoRepository } from './recovery/undo/undo-repository.js';
import { createApiKeyRepository } from './api-keys/api-key-repository.js';
import { createApiKeyService } from './api-keys/api-key-service.js';
import { createActionVerificationService } from './actions/action-verification-service.js';
import { createActionVerificationRepository } from './actions/action-verification-repository.js';
import { createAccountDeletionService } from './actions/account-deletion-service.js';
import { createLoginEmailChangeService } from './actions/login-email-change-service.js';
import { createChannelHoldService } from './recovery/hold/channel-hold-service.js';
import { createChannelHoldRepository } from './recovery/hold/channel-hold-repository.js';
import { createOidc } from './oidc/oidc-service.js';
import { createClientRepository } from './oidc/client-repository.js';
import { createSigningKeyRepository } from './oidc/signing-key-repository.js';
import { sessionCookieNames } from './http/plugins/session-auth.js';
import { createOidcPages } from './http/pages/oidc-pages.js';
import { createWebhookRegistry } from './webhooks/webhook-registry.js';
import { createWebhookRepository } from './webhooks/webhook-repository.js';
import { createWebhookChannel, createWebhookEmitter } from './webhooks/webhook-delivery.js';
import { webhookEventOfSecurityLog } from './webhooks/webhook-events.js';
import { createAccountAdminService } from './admin/account-admin-service.js';
import { createHostEventService } from './host-events/host-event-service.js';

export interface ServicesInput {
  readonly config: Config;
  readonly database: Database;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Process metrics (CPU, memory, event loop); off in tests, where many apps share a process. */
  readonly collectProcessMetrics?: boolean;
  /** The mail texts of TEMPLATES_DIR, already checked (the server reads them before it opens the database); read here otherwise. */
  readonly mailTemplates?: MailTemplates;
}

/**
 * Wires Lifeline's services from their explicit dependencies, in dependency order (the
 * composition root's half that the server, the worker, the CLI and the tests share). Each
 * service receives only what it uses; nothing here is a global.
 */
export function createServices(input: ServicesInput) {
  const { config, database, logger } = input;
  const clock = input.clock ?? systemClock;
  const metrics = createMetrics({ collectProcessMetrics: input.collectProcessMetrics ?? false });
  // TEMPLATES_DIR's texts over the built-in ones (docs/operations.md "Branding"); a broken file
  // stops here with a ConfigError naming it, as a wrong variable does.
  const mailTemplates =
    input.mailTemplates ??
    loadMailTemplates({ templatesDir: config.mail.templatesDir, appName: config.appName, publicUrl: config.http.publicUrl, branding: config.branding });
  const translator = createTranslator(mailTemplates.overrides);
  const outboxRepository = createOutboxRepository(database);
  const outbox = createOutbox({ database, clock, repository: outboxRepository });
  metrics.setOutboxSource(() => outbox.stats());
  const devMailboxRepository = createDevMailboxRepository();
  const createdChannels = createChannels({ config, database, clock, devMailboxRepository });
  const securityEvents = createSecurityLogRepository();
  const securityLog = createSecurityLog({ clock, repository: securityEvents });
  // Secrets read for a redemption are row-locked on PostgreSQL (one-time-secret-repository.ts).
  const secrets = createOneTimeSecretRepository({ lockRows: database.dialect === 'postgres' });
  const verification = createOneTimeSecretService({ database, clock, keys: config.keys, config, repository: secrets });
  const geoIp = config.geoIp.databasePath === undefined ? noGeoIp : openGeoIp(config.geoIp.databasePath);
  const notifier = createNotifier({
    outbox,
    translator,
    securityLog,
    recipients: createRecipientRepository(),
    config,
    clock,
    geoIp,
    undoLinks: createUndoLinks({ verification }),
  });
  const rateLimitStore = createRateLimitStore({ config, database });
  const rateLimits = createRateLimits({ config, store: rateLimitStore, metrics, logger });
  const devMailbox = config.delivery.devMailbox ? createDevMailbox({ database, repository: devMailboxRepository }) : undefined;

  const accounts = createAccountRepository();
  const hasher = createPasswordHasher(config.argon2);
  const throttle = createPasswordThrottle({ makeLimiter: rateLimitStore.makeLimiter, metrics, logger });
  const devices = createDeviceRegistry({ database, clock, keys: config.keys, repository: createDeviceRepository() });
  const sessions = createSessionService({ database, clock, keys: config.keys, config, repository: createSessionRepository() });
  // The OpenID Connect provider (docs/oidc.md): it ends its sessions whenever `sessions` ends the
  // account's, and delivers logout tokens through the outbox's "backchannel" channel.
  const oidc = createOidc({
    config,
    database,
    clock,
    logger,
    pages: createOidcPages({ translator, appName: config.appName, branding: config.branding, defaultLocale: config.i18n.defaultLocale }),
    outbox,
    sessions,
    repositories: { accounts, clients: createClientRepository(), signingKeys: createSigningKeyRepository() },
    sessionCookieName: sessionCookieNames(config.http.secure, config.http.sessionCookieDomain).session,
    signOut: async (token, client, accountId) => {
      const auth = await sessions.authenticate(token);
      if (auth?.account.id !== accountId) return false;
      await signIn.signOut(auth, client);
      return true;
    },
  });
  // Webhooks (docs/integration.md): what the security log records and what ends sessions is
  // told to the host's endpoints, in the same transaction, through the outbox's "webhook" channel.
  const webhookEndpoints = createWebhookRepository();
  const webhookRegistry = createWebhookRegistry({
    database,
    keys: config.keys,
    clock,
    production: config.isProduction,
    allowPrivateNetworks: config.outbound.allowPrivateNetworks,
    repository: webhookEndpoints,
  });
  const webhooks = createWebhookEmitter({ outbox, clock, repository: webhookEndpoints });
  securityLog.whenRecorded(async (trx, event) => {
    const hook = webhookEventOfSecurityLog(event.type, event.details);
    if (hook) await webhooks.emit(trx, { ...hook, accountId: event.accountId, occurredAt: event.at });
  });
  sessions.whenSessionsEnd(async (trx, ended) => {
    if (ended.scope !== 'one') await webhooks.emit(trx, { type: 'session.revoked', accountId: ended.accountId, data: { scope: ended.scope } });
  });
  const channels = {
    ...createdChannels,
    backchannel: oidc.channel,
    webhook: createWebhookChannel({ registry: webhookRegistry, clock, allowPrivateNetworks: config.outbound.allowPrivateNetworks }),
  };
  const worker = createOutboxWorker({ database, repository: outboxRepository, clock, channels, logger, metrics, config });
  const verifier = createPasswordVerifier({ database, clock, hasher, throttle, devices, accounts, notifier, translator, logger });
  const signup = createSignupService({
    database,
    clock,
    hasher,
    accounts,
    verification,
    notifier,
    securityLog,
    translator,
    rateLimits,
    devices,
    logger,
    config,
  });
  const signIn = createSignInService({ database, clock, accounts, verifier, hasher, sessions, devices, securityLog, notifier, translator });
  const smsGuard = createSmsSendGuard({ rateLimits, metrics, logger });
  // What every change of a recovery channel uses (recovery/channel-deps.ts), and the two channels' tables.
  const channelDeps = { database, clock, verification, notifier, securityLog, translator, accounts, sessions, devices };
  const recoveryEmails = createRecoveryEmailRepository();
  const recoveryPhones = createRecoveryPhoneRepository();
  const unsettledChannels = createUnsettledChannels({ emails: recoveryEmails, phones: recoveryPhones });
  // The 72-hour hold on recovery-channel changes (removals from a fresh session on a new device).
  const channelHold = createChannelHoldService({
    ...channelDeps,
    smsGuard: config.sms.provider.kind === 'none' ? undefined : smsGuard,
    config,
    logger,
    rateLimits,
    repository: createChannelHoldRepository(),
    emails: recoveryEmails,
    phones: recoveryPhones,
  });
  const recoveryEmail = createRecoveryEmailService({ ...channelDeps, rateLimits, repository: recoveryEmails, hold: channelHold });
  // No SMS provider (production without one): no recovery phone at all, rather than codes that never arrive.
  const recoveryPhone =
    config.sms.provider.kind === 'none'
      ? undefined
      : createRecoveryPhoneService({ ...channelDeps, smsGuard, metrics, logger, config, repository: recoveryPhones, hold: channelHold });
  // Recovery codes: made in the profile, used in "Passwort vergessen?"; a reset and an undo end a set that is not the owner's.
  const recoveryCodes = createRecoveryCodeService({
    database,
    clock,
    keys: config.keys,
    accounts,
    repository: createRecoveryCodeRepository(),
    devices,
    notifier,
    translator,
    rateLimits,
    recoveryPhones,
    smsGuard: recoveryPhone ? smsGuard : undefined,
    logger,
    config,
  });
  const actionVerification = createActionVerificationService({
    database,
    clock,
    verification,
    notifier,
    securityLog,
    rateLimits,
    smsGuard: recoveryPhone ? smsGuard : undefined,
    translator,
    records: createActionVerificationRepository(),
    accounts,
    recoveryEmails,
    recoveryPhones,
    securityEvents,
    config,
  });
  // The flows the password reset and the undo read and end (created once, shared by both).
  const resetFlows = createPasswordResetFlowRepository();
  const passwordReset = createPasswordResetService({
    database,
    clock,
    keys: config.keys,
    accounts,
    flows: resetFlows,
    channelOwners: createChannelOwnerRepository(),
    recoveryEmails,
    recoveryPhones,
    hasher,
    sessions,
    verification,
    notifier,
    securityLog,
    translator,
    rateLimits,
    smsGuard: recoveryPhone ? smsGuard : undefined,
    channelHold,
    actionVerifications: actionVerification,
    unsettledChannels,
    recoveryCodes,
    devices,
    metrics,
    logger,
    config,
  });
  const securityUndo = createSecurityUndoService({
    database,
    clock,
    accounts,
    recoveryEmails,
    recoveryPhones,
    resetFlows,
    undoRows: createUndoRepository(),
    sessions,
    devices,
    verification,
    notifier,
    translator,
    channelHold,
    actionVerifications: actionVerification,
    unsettledChannels,
    recoveryCodes,
  });
  const apiKeys = createApiKeyService({ database, clock, keys: config.keys, repository: createApiKeyRepository() });
  const accountDeletion = createAccountDeletionService({
    database,
    clock,
    accounts,
    recoveryEmails,
    verifier,
    sessions,
    actionVerification,
    notifier,
    translator,
    webhooks,
    logger,
  });
  const loginEmailChange = createLoginEmailChangeService({
    database,
    clock,
    accounts,
    verification,
    actionVerification,
    notifier,
    securityLog,
    translator,
    rateLimits,
    logger,
    recoveryEmail,
  });
  const accountSettings = createAccountSettingsService({
    database,
    clock,
    accounts,
    hasher,
    verifier,
    sessions,
    verification,
    notifier,
    securityLog,
    translator,
    rateLimits,
    recoveryEmail,
    config,
  });
  const hostEvents = createHostEventService({ database, clock, accounts, notifier, securityLog, rateLimits });
  const accountAdmin = createAccountAdminService({
    database,
    clock,
    accounts,
    recoveryEmails,
    recoveryPhones,
    sessions,
    notifier,
    securityLog,
    passwordReset,
    deletion: accountDeletion,
    logger,
  });

  return {
    config,
    database,
    logger,
    clock,
    metrics,
    translator,
    mailTemplates,
    outbox,
    channels,
    securityLog,
    geoIp,
    notifier,
    verification,
    rateLimits,
    devMailbox,
    worker,
    hasher,
    devices,
    sessions,
    signup,
    signIn,
    accountSettings,
    recoveryEmail,
    smsGuard,
    recoveryPhone,
    recoveryCodes,
    passwordReset,
    securityUndo,
    apiKeys,
    actionVerification,
    accountDeletion,
    loginEmailChange,
    channelHold,
    oidc,
    webhookRegistry,
    webhooks,
    accountAdmin,
    hostEvents,
    checkReadiness: () => checkReadiness(database),
  };
}

export type Services = ReturnType<typeof createServices>;
