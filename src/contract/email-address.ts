import { z } from 'zod';

/** RFC 5321: a path is at most 256 octets including the brackets, so an address at most 254. */
export const MAX_EMAIL_LENGTH = 254;

/** A local part as people use it: printable ASCII without spaces, quotes or brackets. */
const localPartPattern = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const labelPattern = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Brings an email address to the form Lifeline compares and stores: trimmed, the domain
 * converted to ASCII (IDNA, so `müller.de` and `xn--mller-kva.de` are one domain) and the whole
 * address lower-cased (docs/reference/security-requirements.md 7.6: `Smith` and `smith` are one account). Returns
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

/**
 * How the mail providers Lifeline folds treat the local part: `dots` — dots do not count
 * (`m.ax` is `max`); `plus` — everything from the first `+` is a tag on the same mailbox
 * (`max+shop` is `max`); `separators` — dots, hyphens and underscores do not count. `domain` is
 * the one domain a group of domains is compared as (gmail.com and googlemail.com are one).
 * The list and its sources are in docs/security.md ("Addresses of one mailbox").
 */
interface MailboxRule {
  readonly domain?: string;
  readonly plus: boolean;
  readonly dots?: boolean;
  readonly separators?: boolean;
}

const gmail: MailboxRule = { domain: 'gmail.com', plus: true, dots: true };
const plusOnly: MailboxRule = { plus: true };
const proton: MailboxRule = { plus: true, separators: true };

/** Providers whose own documentation describes the folding; any other domain is compared as it is. */
const mailboxRules: Readonly<Record<string, MailboxRule>> = {
  'gmail.com': gmail,
  'googlemail.com': gmail,
  // Outlook.com (Microsoft's consumer mail, also under its older domains): plus addressing; dots count.
  'outlook.com': plusOnly,
  'outlook.de': plusOnly,
  'hotmail.com': plusOnly,
  'hotmail.de': plusOnly,
  'live.com': plusOnly,
  'live.de': plusOnly,
  'msn.com': plusOnly,
  // iCloud Mail: plus addressing; me.com and mac.com are not merged with icloud.com (not every account has all three).
  'icloud.com': plusOnly,
  'me.com': plusOnly,
  'mac.com': plusOnly,
  // Fastmail: plus addressing (its subdomain addressing, tag@user.fastmail.com, is not folded).
  'fastmail.com': plusOnly,
  'fastmail.fm': plusOnly,
  // Proton Mail: plus addressing; dots, hyphens and underscores in the name do not count.
  'proton.me': proton,
  'protonmail.com': proton,
  'protonmail.ch': proton,
  'pm.me': proton,
};

/**
 * The form in which two normalised addresses (from {@link normaliseEmail}) are compared when it
 * matters whether they reach the same mailbox: "the recovery email must differ from the login
 * email" and the limits per address. For the providers listed above, `Max.Mustermann+x@googlemail.com`
 * and `maxmustermann@gmail.com` are one mailbox, so both give `maxmustermann@gmail.com`; for
 * any other domain the address stays as it is, since a `+`, a dot or a hyphen may be part of a
 * real, different mailbox there (Yahoo's `base-keyword` addresses are not folded either: the base
 * name is no mailbox of its own). Never stored or shown: only compared. Anything that is not an
 * address is returned unchanged.
 */
export function comparableEmail(normalized: string): string {
  const at = normalized.lastIndexOf('@');
  if (at <= 0) return normalized;
  const domain = normalized.slice(at + 1);
  const rule = mailboxRules[domain];
  if (!rule) return normalized;
  let local = normalized.slice(0, at);
  if (rule.plus) {
    const plus = local.indexOf('+');
    if (plus > 0) local = local.slice(0, plus);
  }
  if (rule.dots) local = local.replaceAll('.', '');
  if (rule.separators) local = local.replace(/[._-]/g, '');
  // A name of nothing but dots or separators is no mailbox to fold into: compare it as given.
  if (local.length === 0) return normalized;
  return `${local}@${rule.domain ?? domain}`;
}

/** A zod schema for an email address in a request: validates and yields the normalised form. */
export const emailAddress = z
  .string()
  .max(MAX_EMAIL_LENGTH * 4)
  .transform((value, context) => {
    const normalised = normaliseEmail(value);
    if (normalised === undefined) {
      context.addIssue({ code: 'invalid_format', format: 'email', message: 'invalid email address', input: value });
      return z.NEVER;
    }
    return normalised;
  })
  .describe('An email address; internationalised domains are accepted');

/**
 * A login email as the account choice of "Passwort vergessen?" and the profile's "Das war ich
 * nicht" show it: the first character of the local part, then
 * stars, then the domain (`m***@example.com`). Whoever sees it has just proved access to a
 * channel of the account (or is signed in to it), so the domain may show; the local part may not.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}
