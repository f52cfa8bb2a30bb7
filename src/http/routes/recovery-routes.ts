import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { problemResponses } from '../../contract/problem.js';
import { recoveryResponse } from '../../contract/recovery.js';
import type { RecoveryEmailService } from '../../recovery/email/recovery-email-service.js';
import type { RecoveryPhoneService } from '../../recovery/phone/recovery-phone-service.js';
import { authOf } from './session-routes.js';

/** "Kontowiederherstellung" at a glance: the recovery e-mail and the recovery phone (ARCHITECTURE.md "Contracts"). */
export function registerRecoveryRoutes(app: FastifyInstance, deps: { recoveryEmail: RecoveryEmailService; recoveryPhone: RecoveryPhoneService | undefined }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/recovery',
    { config: { session: 'required' }, schema: { tags: ['recovery'], summary: 'The account’s recovery e-mail and phone', response: { 200: recoveryResponse, ...problemResponses } } },
    async (request) => {
      const accountId = authOf(request).account.id;
      const [email, phone] = await Promise.all([deps.recoveryEmail.view(accountId), deps.recoveryPhone ? deps.recoveryPhone.view(accountId) : { status: 'none' as const }]);
      return { email, phone };
    },
  );
}
