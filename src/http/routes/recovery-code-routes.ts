import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SignInService } from '../../accounts/sign-in-service.js';
import { recoveryCodesRequest, recoveryCodesResponse } from '../../contract/recovery.js';
import type { Clock } from '../../core/clock.js';
import type { RecoveryCodeService } from '../../recovery/codes/recovery-code-service.js';
import { clientInfo, type SessionCookieHelpers } from '../plugins/session-auth.js';
import { routeSchemas } from './route-schemas.js';
import { authOf } from './session-routes.js';

const { sessionRoute } = routeSchemas('recovery');

/** Recovery codes ("Wiederherstellungscodes"): made in the profile, used in "Passwort vergessen?" (docs/api.md "Recovery codes"). */
export function registerRecoveryCodeRoutes(
  app: FastifyInstance,
  deps: { recoveryCodes: RecoveryCodeService; signIn: SignInService; cookies: SessionCookieHelpers; clock: Clock },
): void {
  const { cookies, clock } = deps;

  const postRecoveryCodes = sessionRoute({
    summary: 'Make a new set of ten recovery codes (privileged window, or `password` in the body); it replaces the old set at once',
    description:
      'The codes are in this answer only (stored hashed). Every channel is told. 403 privilege-required / wrong-password; 429 rate-limited after 5 sets an hour.',
    body: recoveryCodesRequest,
    response: { 201: recoveryCodesResponse },
  });
  app.withTypeProvider<ZodTypeProvider>().post('/api/v1/recovery/codes', postRecoveryCodes, async (request, reply) => {
    const auth = authOf(request);
    const client = clientInfo(request);
    // The one privilege gate of every protected route (a password in the body rotates the session).
    const rotated = await deps.signIn.requirePrivilege({ auth, password: request.body.password, client, deviceToken: cookies.deviceToken(request) });
    if (rotated) cookies.setSession(reply, rotated.token, rotated.session.expires_at, clock.now());
    const made = await deps.recoveryCodes.create(auth, client);
    return reply.code(201).send(made);
  });
}
