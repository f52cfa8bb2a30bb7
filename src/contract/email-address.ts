import { z } from 'zod';

/** RFC 5321: a path is at most 256 octets including the brackets, so an address at most 254. */
export const MAX_EMAIL_LENGTH = 254;

/** A local part as people use it: printable ASCII without spaces, quotes or brackets. */
const localPartPattern = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const labelPattern = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Brings an e-mail address to the form Lifeline compares and stores: trimmed, the domain
 * converted to ASCII (IDNA, so `müller.de` and `xn--mller-kva.de` are one domain) and the whole
 * address lower-cased (SECURITY.md 7.6: `Smith` and `smith` are one account). Returns
 * undefined for anything that is not a deliverable address. Uses WHATWG URL for IDNA, so the
 * same code runs in the browser and on the server.
 */
export function normaliseEmail(input: string): string | undefined {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_EMAIL_LENGTH) return undefined;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return undefined;
  const local = trimmed.slice(0, at);
  const domainInput = trimmed.slice(at + 1);
  if (!localPartPattern.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined;
  if (/[\s/\\?#@:[\]%]/.test(domainInput)) return undefined;
  let domain: string;
  try {
    domain = new URL(`http://${domainInput}`).hostname;
  } catch {
    return undefined;
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => labelPattern.test(label)) || /^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  const address = `${local}@${domain}`.toLowerCase();
  return address.length <= MAX_EMAIL_LENGTH ? address : undefined;
}

/** A zod schema for an e-mail address in a request: validates and yields the normalised form. */
export const emailAddress = z
  .string()
  .max(MAX_EMAIL_LENGTH * 4)
  .transform((value, context) => {
    const normalised = normaliseEmail(value);
    if (normalised === undefined) {
      context.addIssue({ code: 'invalid_format', format: 'email', message: 'invalid e-mail address', input: value });
      return z.NEVER;
    }
    return normalised;
  })
  .describe('An e-mail address; internationalised domains are accepted');

/**
 * A login e-mail as the account choice of "Passwort vergessen?" and the profile's "Das war ich
 * nicht" show it: the first character of the local part, then
 * stars, then the domain (`m***@example.com`). Whoever sees it has just proved access to a
 * channel of the account (or is signed in to it), so the domain may show; the local part may not.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}
