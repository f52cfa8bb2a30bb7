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

/**
 * The rules every message follows (docs/architecture.md "Messages: one answer each"), checked on
 * every entry in both languages, with and without a "Das war ich nicht" link: a new message
 * that breaks one fails here.
 */
describe('one answer per message', () => {
  const SERVICE = 'https://id.example.com';
  /** "If it was you" and "if not" in both languages; the German one as the acceptance check reads it. */
  const IF_YOU = { de: /(Wenn|Falls) Sie (das|dies|es) (selbst )?(waren|getan haben)/gi, en: /\bIf (this|that|it) was you\b/gi };
  const IF_NOT = { de: /(Wenn|Falls) Sie (das|dies|es) nicht (waren|getan haben)|Waren Sie das nicht/gi, en: /\bIf (this|that|it) (wasn’t|was not) you\b/gi };
  /** What a code mail says about ignoring it. */
  const IGNORE = { de: /ignorieren Sie diese E-Mail|geben Sie den Code nicht ein/, en: /ignore this email|do not enter the code/ };
  const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
  /** The distinct links to the service in a mail's HTML (the footer's links are the operator's, elsewhere). */
  const serviceLinks = (html: string) =>
    [...new Set([...html.matchAll(/<a\s[^>]*href="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&')))].filter((href) => href.startsWith(SERVICE));

  for (const [kind, definition] of Object.entries(messageCatalogue) as [string, MessageDefinition][]) {
    if (definition.channel !== 'email') continue;
    const base = `mail.${definition.template}`;
    for (const locale of locales) {
      const variants = definition.undo ? [false, true] : [false];
      for (const withUndo of variants) {
        it(`case=${kind} in ${locale}${withUndo ? ' with its undo link' : ''}: one button at most, the ${definition.category}'s lines once, the account and product named, lang= on every link`, () => {
          const rendered = renderMessage(definition, { ...definition.exampleParams, ...(withUndo ? { undoToken: 'Undo1234.secret_-' } : {}) }, context(locale));
          const html = rendered.html ?? '';
          const { text } = rendered;

          // One button: the undo where the recipient has the link, else the entry's action, else none.
          const links = serviceLinks(html);
          const expected = withUndo
            ? [`${SERVICE}/undo?token=Undo1234.secret_-&lang=${locale}`]
            : definition.action
              ? [expect.stringMatching(new RegExp(`^${SERVICE}/${definition.action.page}\\?`))]
              : [];
          expect(links).toEqual(expected);
          expect(new Set(urls(text)).size).toBe(links.length);
          for (const link of links) expect(new URL(link).searchParams.get('lang')).toBe(locale);

          // The lines of its category, each exactly once; an info mail has neither.
          const has = (key: string) => translator.has(locale, `${base}.${key}`);
          if (definition.category === 'notice') {
            expect([has('ifYou'), has('ifNot'), has('ignore')]).toEqual([true, true, false]);
            expect(count(text, IF_YOU[locale])).toBe(1);
            expect(count(text, IF_NOT[locale])).toBe(1);
            expect(text).toContain(translator.text(locale, `${base}.ifYou`, { ...definition.exampleParams, appName: 'Lifeline' }));
          } else if (definition.category === 'code') {
            expect([has('ifYou'), has('ifNot'), has('ignore')]).toEqual([false, false, true]);
            expect(text).toMatch(IGNORE[locale]);
            expect(count(text, IF_YOU[locale])).toBe(0);
          } else {
            expect([has('ifYou'), has('ifNot'), has('ignore')]).toEqual([false, false, false]);
          }

          // The account (masked login email) and the product, on the first line; the product anyway.
          const lines = text.split('\n');
          if (definition.noAccount) expect(lines[0]).not.toContain('***');
          else expect(lines[0]).toBe(locale === 'de' ? 'Konto: m***@example.com bei Lifeline' : 'Lifeline account: m***@example.com');
          expect(text).toContain('Lifeline');
          expect(html).toContain(definition.noAccount ? 'Lifeline' : 'm***@example.com');
        });
      }
    }
  }

  it('the acceptance check’s reading: the reset-code mail says ignoring it keeps the password; the reset notice’s one link is its undo, with "if it was you"', () => {
    const code = messageCatalogue['account.password-reset-code'];
    expect(renderMessage(code, code.exampleParams, context('de')).text).toMatch(
      /(ignorieren|nicht angefordert)[^]*Passwort[^]*(unverändert|bleibt)|Passwort bleibt/i,
    );
    const reset = messageCatalogue['account.password-reset'];
    const notice = renderMessage(reset, { ...reset.exampleParams, undoToken: 'Undo1234' }, context('de'));
    expect(serviceLinks(notice.html ?? '')).toEqual([`${SERVICE}/undo?token=Undo1234&lang=de`]);
    expect(notice.text).toContain('Wenn Sie das selbst waren, müssen Sie nichts tun.');
    expect(notice.text).not.toContain('Zur Anmeldung');
  });

  it('every entry has a category, and only emails carry an action (an SMS never links)', () => {
    for (const definition of Object.values(messageCatalogue) as MessageDefinition[]) {
      expect(['notice', 'code', 'info']).toContain(definition.category);
      if (definition.channel === 'sms') expect(definition.action).toBeUndefined();
    }
  });
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
