/** IANA zone names this runtime lists (plus UTC, which Intl lists under Etc/ on some builds). */
const timeZones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);

/**
 * Whether `value` names a time zone. ICU lists one canonical name per zone, which is not
 * always the IANA one browsers send (Firefox says "Asia/Kolkata" and "Europe/Kyiv", ICU lists
 * "Asia/Calcutta" and "Europe/Kiev"): other names count when Intl accepts them.
 */
export function isTimeZone(value: string): boolean {
  if (timeZones.has(value)) return true;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
