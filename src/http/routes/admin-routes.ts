import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AccountAdminService, SupportActor } from '../../admin/account-admin-service.js';
import { adminAccount, adminAccountList, adminAccountParams, adminAccountQuery, adminEmptyBody, adminResetQueued } from '../../contract/admin.js';
import { noContent } from '../../contract/problem.js';
import { apiKeyOf } from '../plugins/api-key-auth.js';
import { clientInfo } from '../plugins/session-auth.js';
import { routeSchemas } from './route-schemas.js';

const { hostRoute } = routeSchemas('admin');

const readDescription = 'API key with the scope `admin:read` (403 insufficient-scope without it).';
const writeDescription = 'API key with the scope `admin:write` (403 insufficient-scope without it). No body (or `{}`). 404 for an unknown account.';

/**
 * The admin API (docs/integration.md "Admin API"). There is deliberately no route that sets a
 * password, reads a secret or adds a recovery channel, and none that changes `…/accounts/{id}`
 * itself (PUT or POST there is 405, `…/{id}/password` 404).
 */
export function registerAdminRoutes(app: FastifyInstance, deps: { accountAdmin: AccountAdminService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const service = deps.accountAdmin;
  const actor = (request: FastifyRequest): SupportActor => ({ name: `api-key:${apiKeyOf(request).name}`, client: clientInfo(request) });

  const getAdminAccounts = hostRoute('admin:read', {
    summary: 'Find the account of a login email',
    description: `${readDescription} An empty list when there is none.`,
    querystring: adminAccountQuery,
    response: { 200: adminAccountList },
  });
  api.get('/api/v1/admin/accounts', getAdminAccounts, async (request) => ({ items: await service.findByEmail(request.query.email, actor(request)) }));

  const getAdminAccount = hostRoute('admin:read', {
    summary: 'Read an account',
    description: `${readDescription} 404 for an unknown account.`,
    params: adminAccountParams,
    response: { 200: adminAccount },
  });
  api.get('/api/v1/admin/accounts/:id', getAdminAccount, async (request) => service.get(request.params.id, actor(request)));

  const postAdminAccountsDisable = hostRoute('admin:write', {
    summary: 'Disable an account',
    description: `${writeDescription} Every session and host grant ends; sign-in answers 403 account-disabled; the owner is told by email; webhook account.disabled. Disabling a disabled account changes nothing (204).`,
    params: adminAccountParams,
    body: adminEmptyBody,
    response: { 204: noContent },
  });
  api.post('/api/v1/admin/accounts/:id/disable', postAdminAccountsDisable, async (request, reply) => {
    await service.disable(request.params.id, actor(request));
    return reply.code(204).send(null);
  });

  const postAdminAccountsEnable = hostRoute('admin:write', {
    summary: 'Enable a disabled account',
    description: `${writeDescription} The owner is told; webhook account.enabled.`,
    params: adminAccountParams,
    body: adminEmptyBody,
    response: { 204: noContent },
  });
  api.post('/api/v1/admin/accounts/:id/enable', postAdminAccountsEnable, async (request, reply) => {
    await service.enable(request.params.id, actor(request));
    return reply.code(204).send(null);
  });

  const postAdminAccountsSessionsRevoke = hostRoute('admin:write', {
    summary: 'Sign the account out everywhere',
    description: `${writeDescription} Host grants end too (logout tokens); webhook session.revoked with scope all.`,
    params: adminAccountParams,
    body: adminEmptyBody,
    response: { 204: noContent },
  });
  api.post('/api/v1/admin/accounts/:id/sessions/revoke', postAdminAccountsSessionsRevoke, async (request, reply) => {
    await service.revokeSessions(request.params.id, actor(request));
    return reply.code(204).send(null);
  });

  const postAdminAccountsPasswordReset = hostRoute('admin:write', {
    summary: 'Send the owner a password-reset link',
    description: `${writeDescription} The forgot-password code and link go to the login email, never into the answer; the password keeps working until the owner resets it. The per-address limits of "Passwort vergessen?" apply (a suppressed send is in the security log). 403 email-not-verified for an unconfirmed account.`,
    params: adminAccountParams,
    body: adminEmptyBody,
    response: { 202: adminResetQueued },
  });
  api.post('/api/v1/admin/accounts/:id/password-reset', postAdminAccountsPasswordReset, async (request, reply) => {
    await service.sendPasswordReset(request.params.id, actor(request));
    return reply.code(202).send({ status: 'queued' as const });
  });

  const deleteAdminAccount = hostRoute('admin:write', {
    summary: 'Delete an account now',
    description: `${writeDescription} No grace period: sessions and grants end, the login and recovery email are told, webhook account.deleted.`,
    params: adminAccountParams,
    response: { 204: noContent },
  });
  api.delete('/api/v1/admin/accounts/:id', deleteAdminAccount, async (request, reply) => {
    await service.delete(request.params.id, actor(request));
    return reply.code(204).send(null);
  });
}
