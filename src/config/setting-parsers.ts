import { isIP } from 'node:net';
import { z } from 'zod';
import { normaliseEmail } from '../contract/email-address.js';

// The building blocks of the environment schema (environment-schema.ts): one parser per kind of
// value, each with the message a wrong value gets.

export const intSetting = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .optional()
    .transform((v) => v ?? fallback);

export const booleanSetting = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

export const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export function isKnownTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value);
  } catch {
    return false;
  }
}

/** `address@example.com` or `Display Name <address@example.com>` (localhost allowed for development). */
export function isMailbox(value: string): boolean {
  const address = /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value;
  return /@localhost$/i.test(address.trim()) || normaliseEmail(address) !== undefined;
}

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);
export function isProxyEntry(entry: string): boolean {
  if (proxyNames.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
