import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AccountSettingsService } from '../accounts/account-settings-service.js';
import type { SignupService } from '../accounts/signup-service.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { SessionService } from '../sessions/session-service.js';
import type { SignInService } from '../accounts/sign-in-service.js';
import type { RecoveryEmailService } from '../recovery/email/recovery-email-service.js';
import { registerRecoveryEmailRoutes } from './routes/recovery-email-routes.js';
import { registerRecoveryPhoneRoutes } from './routes/recovery-phone-routes.js';
import { registerRecoveryRoutes } from './routes/recovery-routes.js';
import { registerRecoveryCodeRoutes } from './routes/recovery-code-routes.js';
import type { RecoveryCodeService } from '../recovery/codes/recovery-code-service.js';
import { registerPasswordResetRoutes } from './routes/password-reset-routes.js';
import { registerSecurityLogRoutes } from './routes/security-log-routes.js';
import type { SecurityLog } from '../notifications/security-log.js';
import type { SecurityUndoService } from '../recovery/undo/security-undo-service.js';
import type { GeoIp } from '../core/geo-ip.js';
import type { Database } from '../db/database.js';
import type { PasswordResetService } from '../recovery/password-reset/password-reset-service.js';
import type { RecoveryPhoneService } from '../recovery/phone/recovery-phone-service.js';
import { registerSessionAuth } from './plugins/session-auth.js';
import { registerSessionCors } from './plugins/session-cors.js';
import { registerAccountRoutes } from './routes/account-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerSignupRoutes } from './routes/signup-routes.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { Readiness } from '../db/readiness.js';
import type { DevMailbox } from '../delivery/channels/dev-mailbox-channel.js';
import type { Translator } from '../i18n/translator.js';
import type { RateLimits } from '../security/rate-limits.js';
import { buildProblem, sendProblem } from './problem.js';
import { registerApiGuards } from './plugins/api-guards.js';
import { registerErrorHandler } from './plugins/error-handler.js';
import { registerLocale } from './plugins/locale.js';
import { createMethodNotAllowed } from './plugins/method-not-allowed.js';
import { registerOpenApi } from './plugins/openapi.js';
import { registerRequestMetrics } from './plugins/request-metrics.js';
import { registerForwardedForCheck } from './plugins/forwarded-for-check.js';
import { registerSecurityHeaders, securityHeadersFor } from './plugins/security-headers.js';
import { registerCspReportRoutes } from './routes/csp-report-routes.js';
import { registerDevMailboxRoutes } from './routes/dev-mailbox-routes.js';
import { isLoopbackUrl } from '../security/client-address.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerMetaRoutes } from './routes/meta-routes.js';
import { registerPageStyles } from './routes/page-routes.js';
import { defaultUiDir, loadUiBundle, registerUiRoutes, sendUiPage, wantsPage } from './routes/ui-routes.js';
import { registerVerificationRoutes } from './routes/verification-routes.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import type { AccountAdminService } from '../admin/account-admin-service.js';
import { registerHostEventRoutes } from './routes/host-event-routes.js';
import type { HostEventService } from '../host-events/host-event-service.js';
import { registerAccountVerificationRoutes } from './routes/account-verification-routes.js';
import type { AccountDeletionService } from '../actions/account-deletion-service.js';
import type { LoginEmailChangeService } from '../actions/login-email-change-service.js';
import type { ChannelHoldService } from '../recovery/hold/channel-hold-service.js';
import { registerApiKeyAuth } from './plugins/api-key-auth.js';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import type { ActionVerificationService } from '../actions/action-verification-service.js';
import type { Oidc } from '../oidc/oidc-service.js';
import { registerOidcRoutes } from './routes/oidc-routes.js';

/** Everything the HTTP layer needs, created by the composition root (src/main.ts or a test). */
export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly translator: Translator;
  readonly rateLimits: RateLimits;
  readonly checkReadiness: () => Promise<Readiness>;
  /** Present only in the embedded default (no transport configured, not production). */
  readonly devMailbox: DevMailbox | undefined;
  readonly clock: Clock;
  readonly sessions: SessionService;
  readonly signup: SignupService;
  readonly signIn: SignInService;
  readonly accountSettings: AccountSettingsService;
  readonly recoveryEmail: RecoveryEmailService;
  /** Absent without an SMS provider (SMS_PROVIDER=none): then the phone's routes answer 404. */
  readonly recoveryPhone: RecoveryPhoneService | undefined;
  readonly passwordReset: PasswordResetService;
  /** Recovery codes (docs/api.md "Recovery codes"). */
  readonly recoveryCodes: RecoveryCodeService;
  readonly securityLog: SecurityLog;
  readonly securityUndo: SecurityUndoService;
  readonly apiKeys: ApiKeyService;
  readonly actionVerification: ActionVerificationService;
  readonly accountDeletion: AccountDeletionService;
  readonly loginEmailChange: LoginEmailChangeService;
  readonly channelHold: ChannelHoldService;
  readonly geoIp: GeoIp;
  readonly database: Database;
  /** The OpenID Connect provider at /oidc (docs/oidc.md). */
  readonly oidc: Oidc;
  /** The host's back office (docs/integration.md "Admin API"). */
  readonly accountAdmin: AccountAdminService;
  /** The host's own security events (docs/integration.md "Host events"). */
  readonly hostEvents: HostEventService;
  /** The built web UI (default: dist/ui of the installation). */
  readonly uiDir?: string;
}

/**
 * Builds the Fastify app (not listening). The order is deliberate (as Fastify's own examples do): what
 * every request passes first (logging, locale, headers, guards), then documentation, then
 * routes, then the 405 answers for every path's missing methods.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, translator } = deps;
  // A logo on another origin (BRAND_LOGO_URL) is the one outside image the pages may load.
  const logoOrigin = config.branding.logoUrl === undefined ? undefined : new URL(config.branding.logoUrl).origin;
  const securityHeaders = securityHeadersFor({ secure: config.http.secure, logoOrigin: logoOrigin === config.http.publicOrigin ? undefined : logoOrigin });
  // pino's Logger is a FastifyBaseLogger; naming the base type keeps the instance type plain.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    // One log line per request, written below: Fastify's two default lines would double the cost.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy === false ? false : [...config.http.trustProxy],
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    // A client that sends its request slowly (or not at all) must not hold a connection, or a
    // shutdown, open forever: Fastify's defaults (0) would switch Node's own limits off.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    forceCloseConnections: 'idle',
    // A URL Fastify cannot even route (bad percent-encoding) still gets a problem, not a crash.
    frameworkErrors: (error, request, reply) => {
      request.log.info({ event: 'http.framework_error', code: error.code }, 'malformed request');
      // This answer skips every hook, so it gets its headers here.
      reply.headers(securityHeaders).header('x-request-id', request.id);
      sendProblem(reply, buildProblem(translator, config.i18n.defaultLocale, 'validation-failed', {}, request));
    },
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // API bodies are JSON only; Fastify's default text/plain parser would let a cross-site form
  // with enctype=text/plain through (docs/reference/pitfalls.md).
  app.removeContentTypeParser('text/plain');

  const methodNotAllowed = createMethodNotAllowed();
  methodNotAllowed.collectRoutes(app);

  registerLocale(app, { translator, defaultLocale: config.i18n.defaultLocale });
  const ui = loadUiBundle(deps.uiDir ?? defaultUiDir);
  registerErrorHandler(app, translator, {
    notFoundPage: (request, reply) => {
      if (!wantsPage(request.method, request.headers.accept, request.url)) return false;
      sendUiPage(ui, reply, 404);
      return true;
    },
  });
  registerRequestMetrics(app, deps.metrics);
  registerForwardedForCheck(app, { metrics: deps.metrics, trustProxy: config.http.trustProxy, isProduction: config.isProduction });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-request-id', reply.request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTimeMs: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });
  registerSecurityHeaders(app, securityHeaders);
  // Before the guards: a 429 of the session check is readable by an allowed origin's page too.
  registerSessionCors(app, { origins: config.http.sessionCheckOrigins });
  registerApiGuards(app, { rateLimits: deps.rateLimits, publicOrigin: config.http.publicOrigin });
  const cookies = await registerSessionAuth(app, { sessions: deps.sessions, secure: config.http.secure, cookieDomain: config.http.sessionCookieDomain });
  registerApiKeyAuth(app, { apiKeys: deps.apiKeys });
  await registerOpenApi(app, { version: config.version, publicUrl: config.http.publicUrl, appName: config.appName });

  registerHealthRoutes(app, { checkReadiness: deps.checkReadiness, metrics: deps.metrics, metricsToken: config.metrics.token });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerPageStyles(app, { accent: config.branding.accent });
  registerUiRoutes(app, ui);
  registerCspReportRoutes(app, { rateLimits: deps.rateLimits });
  registerMetaRoutes(app, {
    appName: config.appName,
    version: config.version,
    defaultLocale: config.i18n.defaultLocale,
    recoveryPhone: { available: deps.recoveryPhone !== undefined, defaultCountry: config.sms.defaultCountry, allowedCountries: config.sms.allowedCountries },
    branding: config.branding,
    returnLinks: config.returnLinks,
  });
  registerSignupRoutes(app, { signup: deps.signup, rateLimits: deps.rateLimits, defaultTimeZone: config.i18n.defaultTimeZone, cookies });
  registerSessionRoutes(app, { signIn: deps.signIn, sessions: deps.sessions, cookies, clock: deps.clock });
  registerAccountRoutes(app, {
    settings: deps.accountSettings,
    loginEmailChange: deps.loginEmailChange,
    signIn: deps.signIn,
    sessions: deps.sessions,
    cookies,
    clock: deps.clock,
  });
  registerRecoveryRoutes(app, {
    recoveryEmail: deps.recoveryEmail,
    recoveryPhone: deps.recoveryPhone,
    recoveryCodes: deps.recoveryCodes,
    channelHold: deps.channelHold,
  });
  registerRecoveryCodeRoutes(app, { recoveryCodes: deps.recoveryCodes, signIn: deps.signIn, cookies, clock: deps.clock });
  registerPasswordResetRoutes(app, { passwordReset: deps.passwordReset, clock: deps.clock, secure: config.http.secure, cookies });
  registerSecurityLogRoutes(app, {
    securityLog: deps.securityLog,
    database: deps.database,
    securityUndo: deps.securityUndo,
    geoIp: deps.geoIp,
    rateLimits: deps.rateLimits,
  });
  registerVerificationRoutes(app, { actionVerification: deps.actionVerification });
  registerAdminRoutes(app, { accountAdmin: deps.accountAdmin });
  registerHostEventRoutes(app, { hostEvents: deps.hostEvents });
  registerAccountVerificationRoutes(app, {
    actionVerification: deps.actionVerification,
    accountDeletion: deps.accountDeletion,
    cookies,
    clock: deps.clock,
    appName: config.appName,
  });
  registerRecoveryEmailRoutes(app, { recoveryEmail: deps.recoveryEmail, signIn: deps.signIn, cookies, clock: deps.clock });
  if (deps.recoveryPhone) registerRecoveryPhoneRoutes(app, { recoveryPhone: deps.recoveryPhone, signIn: deps.signIn, cookies, clock: deps.clock });
  // Signing keys are made (first start) or read before the first request.
  await deps.oidc.ready();
  await registerOidcRoutes(app, {
    oidc: deps.oidc,
    sessions: deps.sessions,
    signIn: deps.signIn,
    cookies,
    translator,
    clock: deps.clock,
    publicUrl: config.http.publicUrl,
    appName: config.appName,
    branding: config.branding,
    defaultLocale: config.i18n.defaultLocale,
    isProduction: config.isProduction,
    rateLimits: deps.rateLimits,
    securityHeaders,
  });
  // Only for a service published on this machine alone: a local reverse proxy that serves it
  // under a public name connects from loopback too (docs/operations.md).
  if (deps.devMailbox && isLoopbackUrl(config.http.publicUrl)) {
    registerDevMailboxRoutes(app, { devMailbox: deps.devMailbox, translator, appName: config.appName, publicUrl: config.http.publicUrl });
  } else if (deps.devMailbox) {
    deps.logger.warn(
      { event: 'dev_mailbox.not_mounted', publicUrl: config.http.publicUrl },
      'the development mailbox is not served: PUBLIC_URL is not a loopback URL (http://localhost…, 127.x, [::1])',
    );
  }

  await app.register(async (scope) => methodNotAllowed.registerMethodNotAllowed(scope));
  return app;
}
