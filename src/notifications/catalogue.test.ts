import { describe, expect, it } from 'vitest';
import { createTranslator, locales } from '../i18n/translator.js';
import { messageCatalogue, type MessageDefinition } from './catalogue.js';
import { renderMessage } from './render-message.js';
import { emailWithLinkAndCode } from '../../test/helpers/outbox-message.js';
import { smsSegments } from '../../test/helpers/sms-segments.js';

const translator = createTranslator();
const context = (locale: 'de' | 'en') => ({ translator, locale, appName: 'Lifeline', publicUrl: 'https://id.example.com' });

/** Every URL in a text or HTML, as written. */
const urls = (text: string) => text.match(/https?:\/\/[^\s"'<>]+/g) ?? [];

describe('message catalogue', () => {
  for (const [kind, definition] of Object.entries(messageCatalogue) as [string, MessageDefinition][]) {
    for (const locale of locales) {
      it(`case=${kind} renders in ${locale}: subject, text and HTML, no tracking, links only to PUBLIC_URL`, () => {
        const rendered = renderMessage(definition, definition.exampleParams, context(locale));
        expect(rendered.subject.length).toBeGreaterThan(3);
        expect(rendered.subject).not.toMatch(/^(mail|sms)\./);
        expect(rendered.text).not.toMatch(/\{\{|\}\}|undefined|\[object/);
        for (const url of urls(rendered.text)) {
          expect(url.startsWith('https://id.example.com/')).toBe(true);
          // The page opens in the mail's language (ui/src/i18n.tsx).
          expect(new URL(url).searchParams.get('lang')).toBe(locale);
        }
        if (definition.channel === 'email') {
          expect(rendered.html).not.toBeNull();
          const html = rendered.html ?? '';
          expect(html).toContain(`<html lang="${locale}">`);
          expect(html).not.toMatch(/<img|<script|<link|@import|url\(/i);
          for (const url of urls(html)) expect(url.startsWith('https://id.example.com/')).toBe(true);
        }
      });

      if (definition.channel === 'sms') {
        it(`case=${kind} as SMS in ${locale}: no link (docs/architecture.md "Messages: one answer each"), at most two segments`, () => {
          // Real dates are as long as these (formatEventTime).
          const when = locale === 'de' ? '25. November 2026 um 16:05 MEZ' : '25 November 2026 at 16:05 CET';
          const rendered = renderMessage(definition, { ...definition.exampleParams, when, effectiveAt: when }, context(locale));
          expect(rendered.text).not.toMatch(/https?:\/\/|www\./i);
          expect(rendered.text).not.toContain('token=');
          // A code SMS fits one segment, a notice two.
          expect(smsSegments(rendered.text).segments).toBeLessThanOrEqual(definition.codeParam ? 1 : 2);
        });
      }

      if (definition.undo) {
        it(`case=${kind} carries "Das war ich nicht" in ${locale} when given a link, with everything from the request escaped`, () => {
          const hostile = Object.fromEntries(
            Object.entries(definition.exampleParams).map(([name, value]) => [name, name === 'device' || name === 'ip' ? '<script>alert(1)</script>' : value]),
          );
          const rendered = renderMessage(definition, { ...hostile, undoToken: 'Undo1234.secret_-' }, context(locale));
          expect(rendered.text).toContain(`https://id.example.com/undo?token=Undo1234.secret_-&lang=${locale}`);
          expect(rendered.html).toContain(`href="https://id.example.com/undo?token=Undo1234.secret_-&amp;lang=${locale}"`);
          expect(rendered.html).not.toContain('<script>');
          // The link is a secret: masked in `lifeline outbox` and purged after delivery.
          expect(rendered.secrets).toContain('Undo1234.secret_-');
          expect(renderMessage(definition, definition.exampleParams, context(locale)).text).not.toContain('/undo?token=');
        });
      }
    }
  }
});

describe('renderMessage', () => {
  const withActionAndCode = emailWithLinkAndCode('pages.home.openapi', ['token', 'code']);

  it('puts the code alone on its own line and the link as ${PUBLIC_URL}/<page>?token=…&lang=<the mail’s language> (docs/reference/contracts.md "Contracts")', () => {
    const rendered = renderMessage(withActionAndCode, { token: 'abc.DEF_-1', code: '123456' }, context('de'));
    const lines = rendered.text.split('\n');
    expect(lines).toContain('123456');
    expect(lines).toContain('https://id.example.com/confirm-email?token=abc.DEF_-1&lang=de');
    expect(rendered.html).toContain('href="https://id.example.com/confirm-email?token=abc.DEF_-1&amp;lang=de"');
    expect(renderMessage(withActionAndCode, { token: 'abc.DEF_-1', code: '123456' }, context('en')).text).toContain('?token=abc.DEF_-1&lang=en');
    expect(rendered.secrets).toEqual(['abc.DEF_-1', '123456']);
  });

  it('escapes params in HTML and keeps them as written in text', () => {
    const definition: MessageDefinition = { ...withActionAndCode, action: undefined, codeParam: 'code', secretParams: [] };
    const rendered = renderMessage(definition, { code: '<b>1</b>' }, { ...context('en'), appName: 'A&B <Corp>' });
    expect(rendered.text).toContain('<b>1</b>');
    expect(rendered.text).toContain('A&B <Corp>');
    expect(rendered.html).not.toContain('<b>1</b>');
    expect(rendered.html).toContain('&lt;b&gt;1&lt;/b&gt;');
    expect(rendered.html).not.toContain('A&B <Corp>');
  });

  it('refuses to render without a required param (a bug, never a message with a hole)', () => {
    expect(() => renderMessage(withActionAndCode, { code: '123456' }, context('de'))).toThrow(/needs the param token/);
  });

  it('renders SMS as plain text without greeting, link or HTML', () => {
    const sms: MessageDefinition = { ...withActionAndCode, channel: 'sms', action: undefined };
    const rendered = renderMessage(sms, { code: '654321', token: 'x' }, context('de'));
    expect(rendered.html).toBeNull();
    const lines = rendered.text.split('\n');
    // The code alone on its line, then the WebOTP line bound to PUBLIC_URL's host.
    expect(lines.slice(-3)).toEqual(['654321', '', `@${new URL(context('de').publicUrl).hostname} #654321`]);
    expect(rendered.text).not.toMatch(/https?:\/\//);
  });
});
