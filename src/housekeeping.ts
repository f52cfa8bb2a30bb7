import { MINUTE } from './core/clock.js';
import type { Services } from './services.js';

/**
 * Periodic clean-up beside the delivery worker: expired one-time secrets and old failure
 * counts, delivered outbox rows past their retention, expired rate-limit buckets, ended
 * sessions, sign-ups not confirmed within 7 days, ended forgot-password flows (and any left
 * unprocessed by a stopped instance), action verifications a day past their end, accounts past their deletion date, login-e-mail changes past their wait, and security-log rows older than SECURITY_LOG_DAYS.
 * Runs where the worker runs; every step is idempotent, so several workers may run it.
 */
export function createHousekeeping(services: Pick<Services, 'verification' | 'outbox' | 'rateLimits' | 'sessions' | 'devices' | 'signup' | 'passwordReset' | 'actionVerification' | 'accountDeletion' | 'loginEmailChange' | 'securityLog' | 'database' | 'config' | 'clock' | 'logger'>, intervalMs = 10 * MINUTE) {
  let timer: NodeJS.Timeout | undefined;

  async function runOnce(): Promise<void> {
    try {
      const secrets = await services.verification.prune();
      const messages = await services.outbox.prune();
      await services.rateLimits.prune(services.clock.now());
      const sessions = await services.sessions.prune();
      const unverifiedAccounts = await services.signup.purgeUnverified();
      await services.devices.prune();
      const resetFlows = await services.passwordReset.prune();
      const actionVerifications = await services.actionVerification.prune();
      // Accounts whose 7-day grace period after "Konto löschen" is over.
      const deletedAccounts = await services.accountDeletion.purgeDue();
      // Login-e-mail changes whose 7-day wait is over (no settled channel verified them).
      const emailChanges = await services.loginEmailChange.applyDue();
      const securityEvents = await services.securityLog.prune(services.database.db, services.config.securityLog.retentionDays);
      // Forgot-password requests whose processing after the answer never ran (an instance stopped).
      await services.passwordReset.processStale();
      services.logger.debug({ event: 'housekeeping.done', secrets, messages, sessions, unverifiedAccounts, resetFlows, actionVerifications, deletedAccounts, emailChanges, securityEvents }, 'housekeeping done');
    } catch (error) {
      services.logger.warn({ event: 'housekeeping.failed', err: (error as Error).message }, 'housekeeping failed');
    }
  }

  return {
    runOnce,
    start(): void {
      if (timer) return;
      void runOnce();
      timer = setInterval(() => void runOnce(), intervalMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
