import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Reader, type CityResponse } from 'maxmind';

/** A GeoLite2 City record (a Country database's records are the same without `city`). */
type GeoRecord = CityResponse;

export interface GeoIp {
  /** "Berlin, Deutschland", "Österreich", or undefined: never a guess when the database has nothing. */
  placeOf(ip: string | null | undefined, locale: string): string | undefined;
}

/** Without GEOIP_DB: no place is ever shown. */
export const noGeoIp: GeoIp = { placeOf: () => undefined };

/**
 * The approximate place of an IP address from a MaxMind-format database (GeoLite2 City or
 * Country, GEOIP_DB), read with MaxMind's maintained reader (`maxmind`, MIT). The file is read
 * once at start; a file that is not such a database stops the start with a clear message.
 */
export function openGeoIp(path: string): GeoIp {
  let reader: Reader<GeoRecord>;
  try {
    reader = new Reader<GeoRecord>(readFileSync(path));
  } catch (error) {
    throw new Error(`GEOIP_DB: ${path} cannot be read as a MaxMind database (${(error as Error).message})`, { cause: error });
  }
  return {
    placeOf(ip, locale) {
      if (!ip) return undefined;
      const address = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
      if (isIP(address) === 0) return undefined;
      let record: GeoRecord | null;
      try {
        record = reader.get(address);
      } catch {
        // An IPv6 address in an IPv4-only database, for one.
        return undefined;
      }
      const name = (names: object | undefined): string | undefined => {
        const byLocale = names as Readonly<Partial<Record<string, string>>> | undefined;
        return byLocale?.[locale] ?? byLocale?.en;
      };
      const parts = [name(record?.city?.names), name(record?.country?.names)].filter((part): part is string => typeof part === 'string' && part !== '');
      return parts.length > 0 ? parts.join(', ') : undefined;
    },
  };
}
