import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  accountView,
  cancelledResponse,
  changeEmailRequest,
  changePasswordRequest,
  emailChangeAccepted,
  emailConfirmedResponse,
  preferencesRequest,
  reauthenticateResponse,
  tokenRequest,
} from '../../contract/accounts.js';
import type { AccountSettingsService } from '../../accounts/account-settings-service.js';
import type { LoginEmailChangeService } from '../../actions/login-email-change-service.js';
import type { Clock } from '../../core/clock.js';
import type { SessionService } from '../../sessions/session-service.js';
import type { SignInService } from '../../accounts/sign-in-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { authOf } from './session-routes.js';
import { toAccountView } from './session-view.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute, sessionRoute } = routeSchemas('account');

export interface AccountRoutesDeps {
  readonly settings: AccountSettingsService;
  readonly loginEmailChange: LoginEmailChangeService;
  readonly signIn: SignInService;
  readonly sessions: SessionService;
  readonly cookies: SessionCookieHelpers;
  readonly clock: Clock;
}

/** The signed-in owner's changes: password, login email, language and time zone. */
export function registerAccountRoutes(app: FastifyInstance, deps: AccountRoutesDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { cookies, clock } = deps;

  const putAccountPassword = sessionRoute({
    summary: 'Change the password (always needs the current one); signs out every other session',
    body: changePasswordRequest,
    response: { 200: reauthenticateResponse },
  });
  api.put('/api/v1/account/password', putAccountPassword, async (request, reply) => {
    const issued = await deps.settings.changePassword(authOf(request), {
      currentPassword: request.body.currentPassword,
      newPassword: request.body.newPassword,
      client: clientInfo(request),
      deviceToken: cookies.deviceToken(request),
    });
    cookies.setSession(reply, issued.token, issued.session.expires_at, clock.now());
    return { privilegedUntil: new Date(issued.session.privileged_until ?? clock.now()).toISOString(), csrfToken: deps.sessions.csrfToken(issued.session) };
  });

  const postAccountEmail = sessionRoute({
    summary: 'Change the login email (privileged window, or `password` in the body); a link confirms the new address',
    description:
      'Policy: while the account has a channel confirmed at least 7 days ago, a verified `lifeline.change-login-email` record of this session is needed too (`verificationId`, else 403 verification-required). Without such a channel the change waits 7 days after the request; the old address is told at once, with a link that cancels it.',
    body: changeEmailRequest,
    response: { 202: emailChangeAccepted },
  });
  api.post('/api/v1/account/email', postAccountEmail, async (request, reply) => {
    const auth = authOf(request);
    const rotated = await deps.signIn.requirePrivilege({
      auth,
      password: request.body.password,
      client: clientInfo(request),
      deviceToken: cookies.deviceToken(request),
    });
    if (rotated) cookies.setSession(reply, rotated.token, rotated.session.expires_at, clock.now());
    const { effectiveAt } = await deps.loginEmailChange.request(auth, {
      newEmail: request.body.newEmail,
      verificationId: request.body.verificationId,
      client: clientInfo(request),
    });
    return reply.code(202).send({ status: 'accepted' as const, ...(effectiveAt === undefined ? {} : { effectiveAt: new Date(effectiveAt).toISOString() }) });
  });

  const postAccountEmailConfirm = csrfFreeRoute({
    summary: 'Confirm a new login email with the link’s token',
    body: tokenRequest,
    response: { 200: emailConfirmedResponse },
  });
  api.post('/api/v1/account/email/confirm', postAccountEmailConfirm, async (request) => {
    const { email, effectiveAt } = await deps.loginEmailChange.confirm(request.body.token, clientInfo(request));
    return { email, emailVerified: true as const, ...(effectiveAt === undefined ? {} : { effectiveAt: new Date(effectiveAt).toISOString() }) };
  });

  const postAccountEmailCancel = csrfFreeRoute({
    summary: 'Cancel a waiting login-email change with the old address’s link',
    description: 'A used, expired or forged link: 410 link-expired.',
    body: tokenRequest,
    response: { 200: cancelledResponse },
  });
  api.post('/api/v1/account/email/cancel', postAccountEmailCancel, async (request) => {
    await deps.loginEmailChange.cancel(request.body.token, clientInfo(request));
    return { status: 'cancelled' as const };
  });

  const patchAccount = sessionRoute({
    summary: 'Language and time zone',
    body: preferencesRequest,
    response: { 200: accountView },
  });
  api.patch('/api/v1/account', patchAccount, async (request) => {
    const account = await deps.settings.updatePreferences(authOf(request), { ...request.body, client: clientInfo(request) });
    return toAccountView(account);
  });
}
