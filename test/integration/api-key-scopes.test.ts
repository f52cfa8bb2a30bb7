import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, migrations } from '../../src/db/migrate.js';
import { apiClient, signedInAccount } from '../helpers/api-client.js';
import { ipSequence, useTestApp } from '../helpers/test-app.js';
import { createTestDatabase, dialectsUnderTest, openTestDatabase } from '../helpers/test-database.js';

/**
 * API keys with scopes (docs/api.md "API keys and scopes"): each host route names the scope it
 * needs; a live key without it answers 403 `insufficient-scope`, a missing or wrong key 401 as
 * before. Keys made before scopes existed keep working: they get `verifications`.
 */
const nextIp = ipSequence('198.42');

for (const dialect of dialectsUnderTest()) {
  describe(`${dialect}: API key scopes`, () => {
    const t = useTestApp(dialect);

    const host = (key: string | null) => {
      const client = apiClient(t.app, { ip: '10.0.0.5' });
      const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
      return { post: (url: string, body: unknown) => client.post(url, body, headers), get: (url: string) => client.get(url, headers) };
    };
    const start = (key: string | null, accountId: string) => host(key).post('/api/v1/verifications', { accountId, action: 'export-data' });

    it('a key with only admin:read gets 403 insufficient-scope on every verification route; nothing is created', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const { key, apiKey } = await t.services.apiKeys.create('reader', ['admin:read']);
      expect(apiKey.scopes).toEqual(['admin:read']);
      const before = await t.database.db.selectFrom('action_verifications').select('id').execute();
      const refused = await start(key, owner.accountId);
      expect(refused.status).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ code: 'insufficient-scope', status: 403, type: 'urn:lifeline:problem:insufficient-scope' });
      expect(String(refused.body.detail)).toContain('Berechtigung');
      expect(await t.database.db.selectFrom('action_verifications').select('id').execute()).toHaveLength(before.length);
      // The same for reading, sending, checking and consuming one (checked before the record is looked up).
      const someId = '00000000-0000-4000-8000-000000000000';
      expect((await host(key).get(`/api/v1/verifications/${someId}`)).body.code).toBe('insufficient-scope');
      for (const path of ['send', 'code', 'consume']) {
        expect((await host(key).post(`/api/v1/verifications/${someId}/${path}`, {})).body.code, path).toBe('insufficient-scope');
      }
      expect(t.logs().some((l) => l.event === 'security.control_triggered' && l.control === 'api-key-scope' && l.scope === 'verifications')).toBe(true);
      // A missing or wrong key is still a 401, not a 403: a stranger learns nothing about scopes.
      expect((await start(null, owner.accountId)).status).toBe(401);
      expect((await start(`${key.slice(0, -4)}AAAA`, owner.accountId)).status).toBe(401);
    });

    it('scopes are independent: admin:write and events do not imply verifications', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const { key } = await t.services.apiKeys.create('writer', ['admin:write', 'events', 'admin:read']);
      expect((await start(key, owner.accountId)).body.code).toBe('insufficient-scope');
    });

    it('a default key, and a key with verifications among other scopes, keep working', async () => {
      const owner = await signedInAccount(t, { ip: nextIp() });
      const plain = await t.services.apiKeys.create('default-scopes');
      expect(plain.apiKey.scopes).toEqual(['verifications']);
      expect((await start(plain.key, owner.accountId)).status).toBe(201);
      const both = await t.services.apiKeys.create('both', ['admin:read', 'verifications']);
      expect(both.apiKey.scopes).toEqual(['verifications', 'admin:read']);
      const created = await start(both.key, owner.accountId);
      expect(created.status).toBe(201);
      expect((await host(both.key).get(`/api/v1/verifications/${String(created.body.id)}`)).status).toBe(200);
      const listed = await t.services.apiKeys.list();
      expect(listed.find((k) => k.name === 'both')?.scopes).toEqual(['verifications', 'admin:read']);
    });

    it('unknown or no scopes are refused and store nothing', async () => {
      for (const scopes of [[], ['admin'], ['verifications', 'root'], ['Admin:Read'], ['admin:read ']]) {
        await expect(t.services.apiKeys.create(`bad-${scopes.length}-${String(scopes[0]).replace(/[^a-z]/gi, '')}`, scopes)).rejects.toMatchObject({
          code: 'validation-failed',
        });
      }
      const rows = await t.database.db.selectFrom('api_keys').select('name').where('name', 'like', 'bad-%').execute();
      expect(rows).toEqual([]);
    });
  });

  describe(`${dialect}: migration 0018 gives keys made before scopes the verifications scope`, () => {
    it('an old key keeps working after the upgrade', async () => {
      const testDb = await createTestDatabase(dialect);
      const database = await openTestDatabase(testDb, 2);
      try {
        const migrator = new Migrator({
          db: database.db,
          provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
          migrationTableName: 'schema_migrations',
          migrationLockTableName: 'schema_migrations_lock',
        });
        const before = Object.keys(migrations).filter((name) => name < '0018');
        const upTo = await migrator.migrateTo(before.at(-1) ?? '');
        expect(upTo.error).toBeUndefined();
        // A key row as the schema before 0018 held it (no scopes column).
        await database.db
          .insertInto('api_keys')
          .values({ id: 'oldkeyid0001', name: 'legacy', secret_hash: 'x', key_id: 'k', created_at: 1, last_used_at: null, revoked_at: null })
          .execute();
        await migrateToLatest(database);
        const row = await database.db.selectFrom('api_keys').selectAll().where('id', '=', 'oldkeyid0001').executeTakeFirstOrThrow();
        expect(row.scopes).toBe('verifications');
      } finally {
        await database.destroy();
        await testDb.drop();
      }
    });
  });
}
