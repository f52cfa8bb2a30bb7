import { SignJWT, importJWK } from 'jose';
import type { Clock } from '../core/clock.js';
import { MINUTE } from '../core/clock.js';
import { randomToken } from '../core/random.js';
import type { Executor } from '../db/database.js';
import { PermanentDeliveryError, type Channel, type DeliverableMessage, type SendOptions } from '../delivery/channels/channel.js';
import { outboundPost, OutboundRefusedError } from '../delivery/outbound/outbound-post.js';
import type { Outbox } from '../delivery/outbox/outbox.js';
import type { ClientRegistry } from './client-registry.js';
import type { SigningKeys } from './signing-keys.js';

/** What an outbox row of channel "backchannel" carries (no secret: the token is signed at send time). */
interface LogoutNotice {
  readonly clientId: string;
  readonly sub: string;
  readonly sid?: string;
  /** The same on every attempt, so a host can drop a repeat (OIDC Back-Channel Logout 2.6). */
  readonly jti: string;
}

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * Signs logout tokens (OIDC Back-Channel Logout 1.0 §2.4) with the provider's current signing
 * key: iss, aud, iat, exp (two minutes), jti, sub, sid when one browser's session ended, the
 * logout event, never a nonce. Signed at each delivery attempt, so a retry hours later still
 * carries a fresh iat and an unexpired token.
 */
export function createLogoutTokenSigner(deps: { signingKeys: SigningKeys; issuer: string; clock: Clock }) {
  let cached: { at: number; kid: string; key: Awaited<ReturnType<typeof importJWK>> } | undefined;
  async function currentKey() {
    const now = deps.clock.now();
    if (cached && now - cached.at < MINUTE) return cached;
    const [jwk] = (await deps.signingKeys.load()).keys;
    if (!jwk) throw new Error('no signing key is available');
    cached = { at: now, kid: jwk.kid, key: await importJWK(jwk, jwk.alg) };
    return cached;
  }
  return {
    async sign(notice: LogoutNotice): Promise<string> {
      const { kid, key } = await currentKey();
      const iat = Math.floor(deps.clock.now() / 1000);
      return new SignJWT({ sub: notice.sub, ...(notice.sid ? { sid: notice.sid } : {}), events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'logout+jwt' })
        .setIssuer(deps.issuer)
        .setAudience(notice.clientId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 120)
        .setJti(notice.jti)
        .sign(key);
    },
  };
}

export type LogoutTokenSigner = ReturnType<typeof createLogoutTokenSigner>;

/**
 * The outbox channel that delivers logout tokens: POST, application/x-www-form-urlencoded,
 * `logout_token=…`. A 2xx answer is delivered; a 4xx (but 408 and 429) is a refusal that a
 * retry cannot change; anything else (5xx, no answer) is retried with the outbox's back-off.
 */
export function createBackchannelLogoutChannel(deps: { signer: LogoutTokenSigner; allowPrivateNetworks: boolean }): Channel {
  return {
    transport: 'backchannel-logout',
    async send(message: DeliverableMessage, options?: SendOptions): Promise<void> {
      const notice = JSON.parse(message.text) as LogoutNotice;
      const token = await deps.signer.sign(notice);
      let answer;
      try {
        answer = await outboundPost(message.to, {
          body: new URLSearchParams({ logout_token: token }).toString(),
          contentType: 'application/x-www-form-urlencoded',
          allowPrivateNetworks: deps.allowPrivateNetworks,
          signal: options?.signal,
        });
      } catch (error) {
        if (error instanceof OutboundRefusedError) throw new PermanentDeliveryError(error.message, { cause: error });
        throw error;
      }
      if (answer.status >= 200 && answer.status < 300) return;
      const detail = `${message.to} answered ${answer.status}`;
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) throw new PermanentDeliveryError(detail);
      throw new Error(detail);
    },
  };
}

/** Queues logout tokens for host applications, in the caller's transaction. */
export function createBackchannelLogouts(deps: { outbox: Outbox; clients: ClientRegistry }) {
  return {
    async enqueue(
      trx: Executor,
      input: { accountId: string; clientIds: readonly string[]; sids?: Readonly<Record<string, string | undefined>> },
    ): Promise<number> {
      const targets = await deps.clients.backchannelTargets(trx, input.clientIds);
      for (const target of targets) {
        const sid = input.sids?.[target.clientId];
        const notice: LogoutNotice = { clientId: target.clientId, sub: input.accountId, ...(sid ? { sid } : {}), jti: randomToken(16) };
        await deps.outbox.enqueue(trx, {
          kind: 'oidc.backchannel-logout',
          channel: 'backchannel',
          to: target.uri,
          accountId: input.accountId,
          locale: 'en',
          subject: `logout token for ${target.clientId}`,
          text: JSON.stringify(notice),
          html: null,
        });
      }
      return targets.length;
    },
  };
}

export type BackchannelLogouts = ReturnType<typeof createBackchannelLogouts>;
