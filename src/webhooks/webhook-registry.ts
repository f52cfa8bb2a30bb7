import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../core/clock.js';
import { DAY } from '../core/clock.js';
import type { KeyRing } from '../core/keyring.js';
import { randomToken } from '../core/random.js';
import { seal, unseal } from '../core/sealing.js';
import type { Database } from '../db/database.js';
import type { WebhookEndpointRow } from '../db/tables.js';
import { isPrivateAddress } from '../delivery/outbound/outbound-post.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events.js';
import type { WebhookRepository } from './webhook-repository.js';
import { newWebhookSecret } from './webhook-signature.js';

/** A wrong URL or event filter given to `lifeline webhook …`: the CLI prints it and exits 2. */
export class WebhookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookInputError';
  }
}

/** After `webhook rotate`, the previous secret keeps signing this long (receivers switch in the meantime). */
export const WEBHOOK_ROTATION_OVERLAP_MS = DAY;
const MAX_URL_LENGTH = 2000;
const context = (endpointId: string) => `webhook:${endpointId}`;

export interface WebhookEndpointSummary {
  readonly id: string;
  readonly url: string;
  /** null: every event type. */
  readonly events: readonly WebhookEventType[] | null;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  /** Until when the previous secret still signs (after a rotation), or null. */
  readonly previousSecretUntil: number | null;
}

/** An endpoint just registered: its id, the signing secret (shown this once: the receiver needs it), and its summary. */
export interface CreatedWebhookEndpoint {
  readonly id: string;
  readonly secret: string;
  readonly endpoint: WebhookEndpointSummary;
}

/**
 * A rotation: the new secret and until when the previous one still signs beside it; or, while an
 * earlier rotation's overlap runs, only when that overlap ends (nothing changed).
 */
export type WebhookRotation = { readonly secret: string; readonly previousSecretUntil: number } | { readonly overlapUntil: number };

/** Where to deliver and with which secrets (the current first), or why an endpoint cannot be delivered to. */
export type WebhookTarget = { readonly url: string; readonly secrets: string[] } | { readonly refused: string };

const summary = (row: WebhookEndpointRow, now: number): WebhookEndpointSummary => ({
  id: row.id,
  url: row.url,
  events: row.events === null ? null : row.events.split(' ').filter(isWebhookEventType),
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  previousSecretUntil: row.previous_secret_until !== null && row.previous_secret_until > now ? row.previous_secret_until : null,
});

/**
 * A receiver's URL (docs/integration.md "Webhooks"): absolute http(s), no credentials, no
 * fragment. In production: https only and no private or loopback address (server-side request
 * forgery), by literal and by what the name resolves to now, unless WEBHOOK_ALLOW_PRIVATE=true.
 * Delivery checks the address again at every connection (a name can change what it resolves to).
 */
export async function checkWebhookUrl(value: string, options: { production: boolean; allowPrivateNetworks: boolean }): Promise<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebhookInputError(`"${value}" is not an absolute URL`);
  }
  if (value.length > MAX_URL_LENGTH) throw new WebhookInputError(`the URL is longer than ${MAX_URL_LENGTH} characters`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookInputError(`"${value}" is not an http(s) URL`);
  if (url.username || url.password) throw new WebhookInputError(`"${value}" carries credentials; use the signature to authenticate deliveries`);
  if (url.hash || value.includes('#')) throw new WebhookInputError(`"${value}" has a fragment (#…)`);
  if (!options.production) return url.href;
  if (url.protocol === 'http:' && !options.allowPrivateNetworks)
    throw new WebhookInputError(`"${value}" uses http; in production a receiver must use https (or set WEBHOOK_ALLOW_PRIVATE=true for an internal receiver)`);
  if (options.allowPrivateNetworks) return url.href;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    throw new WebhookInputError(`${host} does not resolve`);
  }
  // Any private address refuses it: a name that also points inward is a name an attacker can aim.
  if (addresses.some((address) => isPrivateAddress(address))) {
    throw new WebhookInputError(
      `${host} is or resolves to a private or loopback address; production delivers only to public ones (WEBHOOK_ALLOW_PRIVATE=true allows them)`,
    );
  }
  return url.href;
}

/** `--events account.created,session.revoked`: known types only; empty or absent means every type. */
export function parseEventFilter(values: readonly string[] | undefined): WebhookEventType[] | null {
  const types = (values ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (types.length === 0) return null;
  const unknown = types.filter((type) => !isWebhookEventType(type));
  if (unknown.length > 0)
    throw new WebhookInputError(`unknown event type ${unknown.map((type) => `"${type}"`).join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  return [...new Set(types as WebhookEventType[])];
}

/**
 * The hosts' webhook endpoints (`lifeline webhook create | list | rotate | revoke`). They live in
 * the database and are read when an event is emitted and again when it is delivered, so a change
 * made with the CLI holds in every running server at once. Secrets are sealed with SECRET_KEY
 * (core/sealing.ts): Lifeline must read them back to sign, and a leaked database gives none away.
 */
export interface WebhookRegistry {
  /**
   * Registers an endpoint for these event types (none: every type) after checking its URL
   * ({@link checkWebhookUrl}); a wrong URL or type is a WebhookInputError for the CLI to print.
   */
  create(input: { url: string; events?: readonly string[] }): Promise<CreatedWebhookEndpoint>;

  /** Every endpoint, revoked ones too, for `lifeline webhook list` (never a secret). */
  list(): Promise<WebhookEndpointSummary[]>;

  /** Stops deliveries at once, the queued ones too (they fail as "endpoint revoked"). */
  revoke(id: string): Promise<boolean>;

  /**
   * A new secret; the old one keeps signing beside it for WEBHOOK_ROTATION_OVERLAP_MS, so the
   * receiver can switch without losing a delivery. Undefined for an unknown or revoked endpoint;
   * `overlapUntil` while an earlier rotation's overlap runs.
   */
  rotate(id: string): Promise<WebhookRotation | undefined>;

  /**
   * Where and with which secrets to deliver to an endpoint now, or a reason it cannot be:
   * revoked, unknown, or its secret unreadable (SECRET_KEY retired without PREVIOUS_SECRET_KEYS).
   */
  target(id: string): Promise<WebhookTarget>;
}

/** Builds the webhook registry (see {@link WebhookRegistry}). */
export function createWebhookRegistry(deps: {
  database: Database;
  keys: KeyRing;
  clock: Clock;
  production: boolean;
  allowPrivateNetworks: boolean;
  repository: WebhookRepository;
}): WebhookRegistry {
  const { database, keys, clock, repository } = deps;

  return {
    async create(input) {
      const url = await checkWebhookUrl(input.url, deps);
      const events = parseEventFilter(input.events);
      const id = `wh_${randomToken(12)}`;
      const secret = newWebhookSecret();
      const row: WebhookEndpointRow = {
        id,
        url,
        events: events === null ? null : events.join(' '),
        secret_sealed: seal(keys, secret, context(id)),
        previous_secret_sealed: null,
        previous_secret_until: null,
        created_at: clock.now(),
        revoked_at: null,
      };
      await repository.insert(database.db, row);
      return { id, secret, endpoint: summary(row, clock.now()) };
    },

    async list() {
      const now = clock.now();
      return (await repository.list(database.db)).map((row) => summary(row, now));
    },

    revoke(id) {
      return repository.revoke(database.db, id, clock.now());
    },

    async rotate(id) {
      const row = await repository.byId(database.db, id);
      if (!row || row.revoked_at !== null) return undefined;
      // A second rotation during the overlap would drop the secret the receiver may still hold.
      if (row.previous_secret_until !== null && row.previous_secret_until > clock.now()) return { overlapUntil: row.previous_secret_until };
      const secret = newWebhookSecret();
      const previousSecretUntil = clock.now() + WEBHOOK_ROTATION_OVERLAP_MS;
      const rotated = await repository.rotate(database.db, id, {
        secret_sealed: seal(keys, secret, context(id)),
        previous_secret_sealed: row.secret_sealed,
        previous_secret_until: previousSecretUntil,
      });
      return rotated ? { secret, previousSecretUntil } : undefined;
    },

    async target(id) {
      const row = await repository.byId(database.db, id);
      if (!row) return { refused: `webhook endpoint ${id} no longer exists` };
      if (row.revoked_at !== null) return { refused: `webhook endpoint ${id} was revoked` };
      const current = unseal(keys, row.secret_sealed, context(id));
      if (current === undefined) return { refused: `the secret of webhook endpoint ${id} cannot be opened with the configured SECRET_KEY` };
      const previous =
        row.previous_secret_sealed !== null && row.previous_secret_until !== null && row.previous_secret_until > clock.now()
          ? unseal(keys, row.previous_secret_sealed, context(id))
          : undefined;
      return { url: row.url, secrets: previous === undefined ? [current] : [current, previous] };
    },
  };
}
