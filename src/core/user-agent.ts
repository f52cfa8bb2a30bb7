import { UAParser } from 'ua-parser-js';

export interface DeviceDescription {
  /** e.g. "Firefox 133", or null when the user agent says nothing usable. */
  readonly browser: string | null;
  /** e.g. "Windows 10", "iOS 18.1". */
  readonly os: string | null;
}

/** A User-Agent header as stored (sessions, the security log, held changes): its first 512 characters. */
export function storedUserAgent(userAgent: string | null | undefined): string | null {
  return userAgent ? userAgent.slice(0, 512) : null;
}

/** Browser and operating system from a User-Agent header (ua-parser-js 1.x, MIT). */
export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  if (!userAgent) return { browser: null, os: null };
  const result = new UAParser(userAgent.slice(0, 512)).getResult();
  const browserVersion = result.browser.version?.split('.')[0];
  const browser = result.browser.name ? `${result.browser.name}${browserVersion ? ` ${browserVersion}` : ''}` : null;
  const os = result.os.name ? `${result.os.name}${result.os.version ? ` ${result.os.version}` : ''}` : null;
  return { browser, os };
}
