import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { acceptedResponse, emailConfirmedResponse, emailRequest, signupRequest, tokenRequest } from '../../contract/accounts.js';
import { problemResponses } from '../../contract/problem.js';
import type { SignupService } from '../../accounts/signup-service.js';
import { clientBucketKey } from '../../security/client-address.js';
import type { RateLimits } from '../../security/rate-limits.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { routeSchemas } from './route-schemas.js';

const { csrfFreeRoute } = routeSchemas('accounts');

const ACCEPTED = { status: 'accepted' } as const;

/**
 * Sign-up and confirmation of the login email. The answers to sign-up and "send the link
 * again" are one constant body whatever the address (docs/reference/contracts.md "Contracts").
 */
export function registerSignupRoutes(
  app: FastifyInstance,
  deps: { signup: SignupService; rateLimits: RateLimits; defaultTimeZone: string; cookies: SessionCookieHelpers },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const perClient = async (request: { ip: string }) => deps.rateLimits.enforce('signup-client', clientBucketKey(request.ip));

  api.post(
    '/api/v1/signup',
    {
      config: { csrf: false },
      onRequest: perClient,
      schema: {
        tags: ['accounts'],
        summary: 'Sign up with email and password',
        body: signupRequest,
        response: { 202: acceptedResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      await deps.signup.signup({
        email: request.body.email,
        password: request.body.password,
        locale: request.body.locale ?? request.locale,
        timeZone: request.body.timeZone ?? deps.defaultTimeZone,
        origin: clientInfo(request),
      });
      return reply.code(202).send(ACCEPTED);
    },
  );

  const postSignupConfirm = csrfFreeRoute({
    summary: 'Confirm the login email with the link’s token',
    body: tokenRequest,
    response: { 200: emailConfirmedResponse },
  });
  api.post('/api/v1/signup/confirm', postSignupConfirm, async (request, reply) => {
    const { email, deviceToken, alreadyConfirmed } = await deps.signup.confirm(request.body.token, clientInfo(request), deps.cookies.deviceToken(request));
    // The confirming browser is the account's first device (docs/security.md "The owner wins").
    if (deviceToken !== undefined) deps.cookies.setDevice(reply, deviceToken);
    return { email, emailVerified: true as const, ...(alreadyConfirmed ? { alreadyConfirmed } : {}) };
  });

  api.post(
    '/api/v1/signup/resend',
    {
      config: { csrf: false },
      onRequest: perClient,
      schema: { tags: ['accounts'], summary: 'Send the confirmation link again', body: emailRequest, response: { 202: acceptedResponse, ...problemResponses } },
    },
    async (request, reply) => {
      await deps.signup.resend(request.body.email);
      return reply.code(202).send(ACCEPTED);
    },
  );
}
