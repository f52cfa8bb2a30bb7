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

/**
 * The defence against SMS pumping (toll fraud: someone makes us send SMS to numbers whose
 * operator pays them per message). Every send to an unconfirmed number must pass hourly caps
 * per account, number, number prefix (a pumper walks through a range), country and client,
 * and then a global budget for all setup sends. Sends to confirmed numbers draw on a budget
 * of their own, so a pumping wave that exhausts the setup budget never stops owners from
 * getting their recovery codes. A refusal is logged (`sms.send_refused`) and counted in
 * /metrics by cap and country; it answers 429 with Retry-After.
 */
export function createSmsSendGuard(deps: { rateLimits: RateLimits; metrics: Metrics; logger: Logger }) {
  async function take(bucket: BucketName, key: string, cap: string, country: string, accountId: string | undefined): Promise<void> {
    const decision = await deps.rateLimits.consume(bucket, key);
    if (decision.allowed) return;
    deps.metrics.smsSendsRefused.inc({ cap, country });
    deps.logger.warn({ event: 'sms.send_refused', cap, country, accountId, retryAfterSeconds: decision.retryAfterSeconds }, 'SMS send refused by a cap');
    throw new LifelineError('rate-limited', {}, { retryAfterSeconds: decision.retryAfterSeconds });
  }

  return {
    /** Before a code goes to an unconfirmed number; throws 429 when any cap is reached. */
    async allowSetupSend(send: SetupSend): Promise<void> {
      // The narrow caps first, the global budget last: a refused send must not use it up.
      await take('sms-setup-account', send.accountId, 'account', send.country, send.accountId);
      await take('sms-setup-number', send.e164, 'number', send.country, send.accountId);
      await take('sms-setup-prefix', send.prefix, 'prefix', send.country, send.accountId);
      await take('sms-setup-country', send.country, 'country', send.country, send.accountId);
      await take('sms-setup-client', clientBucketKey(send.ip), 'client', send.country, send.accountId);
      await take('sms-setup-global', 'all', 'setup-budget', send.country, send.accountId);
    },

    /**
     * Before an SMS to a confirmed number (a recovery code, a verification code, a notice to
     * the old number). Answers false instead of throwing, for callers that go on without it.
     */
    async allowConfirmedSend(send: { readonly country: string; readonly accountId: string }): Promise<boolean> {
      try {
        await take('sms-confirmed-global', 'all', 'confirmed-budget', send.country, send.accountId);
        return true;
      } catch (error) {
        if (error instanceof LifelineError && error.code === 'rate-limited') return false;
        throw error;
      }
    },
  };
}

export type SmsSendGuard = ReturnType<typeof createSmsSendGuard>;
