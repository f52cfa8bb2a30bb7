import type { Logger } from 'pino';
import { LifelineError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import { clientBucketKey } from './client-address.js';
import type { BucketName, RateLimits } from './rate-limits.js';

/** An SMS about to be sent to a number nobody has confirmed yet (a recovery phone's setup). */
export interface SetupSend {
  readonly accountId: string;
  readonly e164: string;
  /** All but the last 3 digits. */
  readonly prefix: string;
  readonly country: string;
  readonly ip: string;
}

/** Why a send was refused, as logged and as the `cap` label of the metric. */
export type SmsCap = 'cooldown' | 'locked' | 'account' | 'number' | 'prefix' | 'country' | 'client' | 'setup-budget' | 'confirmed-budget';

/** A send that passed the caps; `refund()` gives the points back when the send did not happen after all. */
export interface SendPermit {
  refund(): Promise<void>;
}

/**
 * The defence against SMS pumping (toll fraud: someone makes us send SMS to numbers whose
 * operator pays them per message). Every send to an unconfirmed number must pass hourly caps
 * per account, number, number prefix (a pumper walks through a range), country and client,
 * and then a global budget for all setup sends (the one-minute cooldown per number is the
 * caller's: it reads the time of the last code from the database, see recovery-phone-service). Sends
 * to confirmed numbers draw on a budget of their own, so a pumping wave that exhausts the setup
 * budget never stops owners from getting their recovery codes.
 *
 * All caps are checked before any is taken, so a send refused by one cap (say, per client)
 * uses up none of the others (say, the country's, shared with everyone). A refusal is logged
 * (`sms.send_refused`) and counted in /metrics by cap and country; it answers 429 with
 * Retry-After.
 */
export function createSmsSendGuard(deps: { rateLimits: RateLimits; metrics: Metrics; logger: Logger }) {
  /** Logs and counts a refused send, and returns the 429 to throw. */
  function refusal(
    cap: SmsCap,
    country: string,
    accountId: string | undefined,
    retryAfterSeconds: number,
    code: 'rate-limited' | 'too-many-attempts' = 'rate-limited',
  ): LifelineError {
    deps.metrics.smsSendsRefused.inc({ cap, country });
    deps.logger.warn({ event: 'sms.send_refused', cap, country, accountId, retryAfterSeconds }, 'SMS send refused');
    return new LifelineError(code, {}, { retryAfterSeconds });
  }

  /** Checks every bucket, then takes a point from each; a bucket that refuses in between (a parallel send) undoes the rest. */
  async function takeAll(buckets: readonly (readonly [BucketName, string, SmsCap])[], country: string, accountId: string): Promise<SendPermit> {
    for (const [bucket, key, cap] of buckets) {
      const decision = await deps.rateLimits.peek(bucket, key);
      if (!decision.allowed) throw refusal(cap, country, accountId, decision.retryAfterSeconds);
    }
    const taken: (readonly [BucketName, string])[] = [];
    const refund = async () => {
      for (const [bucket, key] of taken) await deps.rateLimits.refund(bucket, key);
    };
    for (const [bucket, key, cap] of buckets) {
      const decision = await deps.rateLimits.consume(bucket, key);
      if (!decision.allowed) {
        await refund();
        throw refusal(cap, country, accountId, decision.retryAfterSeconds);
      }
      taken.push([bucket, key]);
    }
    return { refund };
  }

  return {
    refusal,

    /** Before a code goes to an unconfirmed number; throws 429 when any cap is reached. */
    async allowSetupSend(send: SetupSend): Promise<SendPermit> {
      return takeAll(
        [
          ['sms-setup-account', send.accountId, 'account'],
          ['sms-setup-client', clientBucketKey(send.ip), 'client'],
          ['sms-setup-number', send.e164, 'number'],
          ['sms-setup-prefix', send.prefix, 'prefix'],
          ['sms-setup-country', send.country, 'country'],
          ['sms-setup-global', 'all', 'setup-budget'],
        ],
        send.country,
        send.accountId,
      );
    },

    /**
     * Before an SMS to a confirmed number (a recovery code, a verification code, a notice to
     * the old number). Answers false instead of throwing, for callers that go on without it.
     */
    async allowConfirmedSend(send: { readonly country: string; readonly accountId: string }): Promise<boolean> {
      try {
        await takeAll([['sms-confirmed-global', 'all', 'confirmed-budget']], send.country, send.accountId);
        return true;
      } catch (error) {
        if (error instanceof LifelineError && error.code === 'rate-limited') return false;
        throw error;
      }
    },
  };
}

export type SmsSendGuard = ReturnType<typeof createSmsSendGuard>;
