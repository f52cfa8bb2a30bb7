import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n/translator.js';
import { describeEvent } from './event-details.js';

const translator = createTranslator();
const at = Date.UTC(2026, 10, 25, 15, 5); // 16:05 in Berlin (CET)

describe('the "when, device, where" of a notice (docs/reference/product.md §4)', () => {
  it('names the time in the account’s zone, with the zone’s name, in its language', () => {
    expect(describeEvent(translator, { at, locale: 'de', timeZone: 'Europe/Berlin' }).when).toBe('25. November 2026 um 16:05 MEZ');
    expect(describeEvent(translator, { at, locale: 'en', timeZone: 'Europe/Berlin' }).when).toBe('25 November 2026 at 16:05 CET');
    expect(describeEvent(translator, { at, locale: 'en', timeZone: 'America/New_York' }).when).toBe('25 November 2026 at 10:05 GMT-5');
  });

  it('falls back to UTC only for a zone Intl does not know', () => {
    expect(describeEvent(translator, { at, locale: 'de', timeZone: 'Mars/Olympus' }).when).toBe('2026-11-25 15:05 UTC');
  });

  it('names browser and OS, or says the device is unknown', () => {
    const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
    expect(describeEvent(translator, { at, locale: 'de', timeZone: 'Europe/Berlin', userAgent: firefox, ip: '203.0.113.7' })).toMatchObject({
      device: 'Firefox 133 auf Windows 10',
      ip: '203.0.113.7',
    });
    expect(describeEvent(translator, { at, locale: 'en', timeZone: 'Europe/Berlin' })).toMatchObject({ device: 'unknown device', ip: 'unknown' });
  });
});
