import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMmdbFile } from '../../test/helpers/mmdb-writer.js';
import { noGeoIp, openGeoIp } from './geo-ip.js';

/** The approximate place of an IP (GEOIP_DB, read with MaxMind's reader; never a guess). */
describe('geo-ip', () => {
  const file = writeMmdbFile('test.mmdb', [
    {
      cidr: '198.51.100.0/24',
      data: { city: { names: { de: 'München', en: 'Munich' } }, country: { iso_code: 'DE', names: { de: 'Deutschland', en: 'Germany' } } },
    },
    { cidr: '203.0.113.0/24', data: { country: { iso_code: 'AT', names: { de: 'Österreich', en: 'Austria' } } } },
  ]);
  const dir = path.dirname(file);
  const geo = openGeoIp(file);

  it('names city and country in the account’s language, or the country alone', () => {
    expect(geo.placeOf('198.51.100.7', 'de')).toBe('München, Deutschland');
    expect(geo.placeOf('198.51.100.7', 'en')).toBe('Munich, Germany');
    expect(geo.placeOf('::ffff:198.51.100.7', 'de')).toBe('München, Deutschland');
    expect(geo.placeOf('203.0.113.200', 'en')).toBe('Austria');
  });

  it('says nothing rather than guess: unknown, private, IPv6 in an IPv4 file, malformed, none', () => {
    for (const ip of ['8.8.8.8', '127.0.0.1', '2001:db8::1', 'not-an-ip', '', null, undefined]) expect(geo.placeOf(ip, 'de')).toBeUndefined();
    expect(noGeoIp.placeOf('198.51.100.7', 'de')).toBeUndefined();
  });

  it('refuses a file that is no MaxMind database, with a clear message', () => {
    const bad = path.join(dir, 'bad.mmdb');
    writeFileSync(bad, 'not a database');
    expect(() => openGeoIp(bad)).toThrow(/GEOIP_DB: .*bad\.mmdb cannot be read as a MaxMind database/);
    expect(() => openGeoIp(path.join(dir, 'missing.mmdb'))).toThrow(/GEOIP_DB/);
  });
});
