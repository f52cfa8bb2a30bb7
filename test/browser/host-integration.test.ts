import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient } from '../helpers/api-client.js';
import { launchChromium, waitFor, type TestBrowser } from '../helpers/browser.js';
import { createAccount, mailsTo, NO_API_RATE_LIMIT, startInstance, type Instance } from '../helpers/browser-instance.js';
import { checkState, heading, newPage, openProfilePage, PHONE_DEVICE, signIn } from '../helpers/browser-page.js';

/**
 * What the user sees of the host's back office and of the host's own events, in a real Chromium
 * against a real server (docs/integration.md "The admin API", "Host events"): an account disabled
 * by support cannot sign in and the form says why ("vom Support gesperrt"); once enabled, the
 * profile's "Sicherheitsaktivität" lists "Konto vom Support gesperrt" and "… freigeschaltet", and
 * the host's event with its own title, markup shown as text, and (opened) its detail line; the notice's "Das war ich nicht"
 * page names the host's event by that title. On a phone (375 px), German. Screenshots in
 * test-results/screenshots/host-integration-<state>-de-<width>.png.
 */
const chromiumPath = inject('chromiumPath');

if (chromiumPath) {
  describe('browser: the host’s back office and events as the user sees them', () => {
    let instance: Instance;
    let chrome: TestBrowser;
    beforeAll(async () => {
      [instance, chrome] = await Promise.all([startInstance('lifeline-host-ui-', NO_API_RATE_LIMIT), launchChromium(chromiumPath)]);
    });
    afterAll(async () => {
      await chrome?.close();
      await instance?.close();
    });

    const host = async (scopes: string[]) => {
      const { key } = await instance.server.services.apiKeys.create(`host-${scopes.join('-').replace(/:/g, '')}`, scopes);
      const client = apiClient(instance.server.app, { ip: '10.0.0.20' });
      return { post: (url: string, body?: unknown) => client.post(url, body ?? {}, { authorization: `Bearer ${key}` }) };
    };
    const signInError = async (page: Page, email: string) => {
      await page.goto(`${instance.baseUrl}/login`);
      await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
      await page.getByLabel('Passwort', { exact: true }).fill('Lichtung Ameise Paddel 7');
      await page.getByRole('main').getByRole('button', { name: 'Anmelden', exact: true }).click();
      return page.getByRole('alert');
    };

    it('disabled by support: the sign-in says so; enabled again: the log shows both and the host’s event with its own title', async () => {
      const failures: string[] = [];
      const email = `host-ui-${Date.now()}@example.com`;
      await createAccount(instance, email);
      const accountId =
        (await instance.server.services.accountAdmin.findByEmail(email, { name: 'test', client: { ip: '127.0.0.1', userAgent: null } }))[0]?.id ?? '';
      const admin = await host(['admin:write']);
      const events = await host(['events']);

      expect((await admin.post(`/api/v1/admin/accounts/${accountId}/disable`)).status).toBe(204);
      const { page, problems, context } = await newPage(chrome, {
        ...PHONE_DEVICE,
        locale: 'de-DE',
        timezoneId: 'Europe/Berlin',
        expected: [{ status: 403, path: '/api/v1/login' }],
      });
      try {
        const alert = await signInError(page, email);
        await alert.waitFor();
        expect(await alert.textContent()).toContain('vom Support gesperrt');
        await checkState(page, failures, { prefix: 'host-integration', state: 'sign-in-disabled', lang: 'de', target: 'viewport', focusKept: false });

        expect((await admin.post(`/api/v1/admin/accounts/${accountId}/enable`)).status).toBe(204);
        const recorded = await events.post(`/api/v1/accounts/${accountId}/security-events`, {
          type: 'export-key.created',
          title: { de: '<b>Exportschlüssel</b> erstellt', en: '<b>Export key</b> created' },
          details: 'Schlüssel „Buchhaltung“',
          notify: true,
        });
        expect(recorded.status).toBe(201);

        await signIn(page, instance.baseUrl, email);
        await openProfilePage(page, 'activity');
        const section = page.getByRole('region', { name: 'Sicherheitsaktivität' });
        const hostEvent = section.getByText('<b>Exportschlüssel</b> erstellt', { exact: true });
        await hostEvent.waitFor();
        expect(await section.locator('b').count()).toBe(0);
        // The host's detail line is inside the event's disclosure: a tap on its summary shows it.
        await hostEvent.click();
        await section.getByText('Schlüssel „Buchhaltung“', { exact: true }).waitFor();
        await section.getByText('Konto vom Support gesperrt', { exact: true }).waitFor();
        await section.getByText('Konto vom Support freigeschaltet', { exact: true }).waitFor();
        await checkState(page, failures, { prefix: 'host-integration', state: 'security-activity', lang: 'de', target: section });

        // The notice's "Das war ich nicht" page names the host's event by its title.
        const mail = await waitFor(
          async () => (await mailsTo(instance.baseUrl, email)).find((m) => m.subject.includes('Exportschlüssel')),
          'the host event notice',
        );
        const link = /https?:\/\/[^\s"<>]+\/undo\?token=[^\s"<>]+/.exec(mail.text)?.[0];
        expect(link).toBeDefined();
        await page.goto(String(link));
        await heading(page, 'Das war ich nicht').waitFor();
        await page.getByText('<b>Exportschlüssel</b> erstellt', { exact: true }).waitFor();
        await checkState(page, failures, { prefix: 'host-integration', state: 'undo-page', lang: 'de', target: 'page' });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
      expect(failures).toEqual([]);
    });
  });
}
