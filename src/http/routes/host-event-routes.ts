import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { hostEventParams, hostEventRequest, hostEventResponse } from '../../contract/host-events.js';
import { problemResponses } from '../../contract/problem.js';
import type { HostEventService } from '../../host-events/host-event-service.js';
import { apiKeyOf } from '../plugins/api-key-auth.js';

/** The host's own security events in the user's security log (docs/integration.md "Host events"). */
export function registerHostEventRoutes(app: FastifyInstance, deps: { hostEvents: HostEventService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post(
    '/api/v1/accounts/:id/security-events',
    {
      config: { apiKey: { scope: 'events' } },
      schema: {
        tags: ['host events'],
        summary: "Record one of your security-relevant events in the user's security log",
        description:
          'API key with the scope `events` (403 insufficient-scope without it). Shown in "Sicherheitsaktivität" with your title in the user\'s language; with `notify: true` also mailed to the login and recovery email with "Das war ich nicht", whose use secures the account and sends the webhook `account.secured` with `data.hostEventId` = this id. 404 for an unknown or unconfirmed account; 429 beyond 1000 an hour per key, 30 an hour per account, 10 notices an hour per account.',
        params: hostEventParams,
        body: hostEventRequest,
        response: { 201: hostEventResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = apiKeyOf(request);
      const recorded = await deps.hostEvents.record({ accountId: request.params.id, ...request.body, source: { id: key.id, name: key.name } });
      return reply.code(201).send({ id: recorded.id, createdAt: new Date(recorded.createdAt).toISOString(), notified: recorded.notified });
    },
  );
}
