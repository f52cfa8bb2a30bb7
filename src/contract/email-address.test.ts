import { describe, expect, it } from 'vitest';
import { comparableEmail, normaliseEmail } from './email-address.js';

/** As the services use it: normalised first (lower case, IDNA), then folded. */
const comparable = (input: string) => comparableEmail(normaliseEmail(input) ?? `unparsable:${input}`);

describe('comparableEmail (docs/security.md "Addresses of one mailbox")', () => {
  it.each([
    // Gmail and Googlemail are one domain: dots do not count, a +tag is cut.
    ['Max.Mustermann+x@googlemail.com', 'maxmustermann@gmail.com'],
    ['maxmustermann@gmail.com', 'maxmustermann@gmail.com'],
    ['m.a.x.mustermann@GMAIL.com', 'maxmustermann@gmail.com'],
    ['max.mustermann+shop+eu@gmail.com', 'maxmustermann@gmail.com'],
    ['max+a.b@gmail.com', 'max@gmail.com'],
    ['max-mustermann@gmail.com', 'max-mustermann@gmail.com'],
    ['max_mustermann@gmail.com', 'max_mustermann@gmail.com'],
    // Outlook.com: +tag cut, dots count, the domains stay apart.
    ['max.mustermann+news@outlook.com', 'max.mustermann@outlook.com'],
    ['Max.Mustermann+x@Hotmail.de', 'max.mustermann@hotmail.de'],
    ['max+x@live.com', 'max@live.com'],
    ['max+x@msn.com', 'max@msn.com'],
    ['max.mustermann@hotmail.com', 'max.mustermann@hotmail.com'],
    // iCloud: +tag cut; icloud.com, me.com and mac.com are not merged.
    ['max+shop@icloud.com', 'max@icloud.com'],
    ['m.ax+shop@me.com', 'm.ax@me.com'],
    ['max+x@mac.com', 'max@mac.com'],
    // Fastmail: +tag cut, dots count.
    ['max.m+x@fastmail.com', 'max.m@fastmail.com'],
    ['max+x@fastmail.fm', 'max@fastmail.fm'],
    // Proton: +tag cut, dots, hyphens and underscores do not count.
    ['Max.Muster-Mann_1+x@proton.me', 'maxmustermann1@proton.me'],
    ['max.mustermann@protonmail.com', 'maxmustermann@protonmail.com'],
    ['max_m@protonmail.ch', 'maxm@protonmail.ch'],
    ['max-m+x@pm.me', 'maxm@pm.me'],
    // Yahoo's base-keyword addresses are not folded.
    ['max-shop@yahoo.com', 'max-shop@yahoo.com'],
    ['max+shop@yahoo.com', 'max+shop@yahoo.com'],
    // Any other domain: only the normalisation (lower case, IDNA), no folding.
    ['Max.Mustermann+x@Example.COM', 'max.mustermann+x@example.com'],
    ['max+x@gmx.de', 'max+x@gmx.de'],
    ['max.m@web.de', 'max.m@web.de'],
    ['max+x@mail.gmail.com', 'max+x@mail.gmail.com'],
    ['max+x@gmail.com.evil.example', 'max+x@gmail.com.evil.example'],
    ['max+x@notgmail.com', 'max+x@notgmail.com'],
    ['Max+X@Müller.de', 'max+x@xn--mller-kva.de'],
  ])('%s → %s', (input, expected) => {
    expect(comparable(input)).toBe(expected);
  });

  it('leaves a name that would fold to nothing, and anything that is not an address, as it is', () => {
    expect(comparableEmail('+tag@gmail.com')).toBe('+tag@gmail.com');
    expect(comparableEmail('._-@proton.me')).toBe('._-@proton.me');
    expect(comparableEmail('no-at-sign')).toBe('no-at-sign');
    expect(comparableEmail('@gmail.com')).toBe('@gmail.com');
    expect(comparableEmail('')).toBe('');
  });

  it('is idempotent and never changes the domain of an address it does not know', () => {
    for (const input of ['Max.Mustermann+x@googlemail.com', 'a.b+c@outlook.com', 'x.y+z@example.org', 'a-b_c.d+e@proton.me']) {
      const once = comparable(input);
      expect(comparableEmail(once)).toBe(once);
    }
    expect(comparable('a+b@example.org').endsWith('@example.org')).toBe(true);
  });
});
