import { MINUTE } from './core/clock.js';
import type { Services } from './services.js';

/**
 * Periodic clean-up beside the delivery worker: expired one-time secrets and old failure
 * counts, delivered outbox rows past their retention, expired rate-limit buckets, ended
 * sessions, sign-ups not confirmed within 7 days, ended forgot-password flows (and any left
 * unprocessed by a stopped instance), action verifications a day past their end, accounts
 * past their deletion date, login-email changes past their wait, and security-log rows
 * older than SECURITY_LOG_DAYS. Runs where the worker runs; every step is idempotent, so
 * several workers may run it. Each step fails alone: one that throws (a database hiccup, one
 * bad row) is logged and the others still run.
 */
export function createHousekeeping(
  services: Pick<
    Services,
    | 'verification'
    | 'outbox'
    | 'rateLimits'
    | 'sessions'
    | 'devices'
    | 'signup'
    | 'passwordReset'
    | 'actionVerification'
    | 'accountDeletion'
    | 'loginEmailChange'
    | 'recoveryEmail'
    | 'recoveryPhone'
    | 'channelHold'
    | 'securityLog'
    | 'oidc'
    | 'database'
    | 'config'
    | 'clock'
    | 'logger'
  >,
  intervalMs = 10 * MINUTE,
) {
  let timer: NodeJS.Timeout | undefined;

  const steps: readonly (readonly [string, () => Promise<unknown>])[] = [
    ['secrets', () => services.verification.prune()],
    ['messages', () => services.outbox.prune()],
    ['rateLimits', () => services.rateLimits.prune(services.clock.now())],
    ['sessions', () => services.sessions.prune()],
    ['unverifiedAccounts', () => services.signup.purgeUnverified()],
    ['devices', () => services.devices.prune()],
    ['resetFlows', () => services.passwordReset.prune()],
    ['actionVerifications', () => services.actionVerification.prune()],
    // Accounts whose 7-day grace period after "Konto löschen" is over.
    ['deletedAccounts', () => services.accountDeletion.purgeDue()],
    // Login-email changes whose 7-day wait is over (no settled channel verified them).
    ['emailChanges', () => services.loginEmailChange.applyDue()],
    // Removals and replacements of recovery channels held for 72 hours whose hold is over.
    ['heldEmailChanges', () => services.recoveryEmail.applyHeldChanges()],
    ['heldPhoneChanges', async () => services.recoveryPhone?.applyHeldChanges() ?? 0],
    ['heldChangesPruned', () => services.channelHold.prune()],
    ['securityEvents', () => services.securityLog.prune(services.database.db, services.config.securityLog.retentionDays)],
    // The OpenID Connect provider's expired sessions, codes, tokens and grants.
    ['oidcPayloads', () => services.oidc.payloads.prune()],
    ['oidcSessionLinks', () => services.oidc.payloads.pruneLinks()],
    // Forgot-password requests whose processing after the answer never ran (an instance stopped).
    ['staleResetFlows', () => services.passwordReset.processStale()],
  ];

  async function runOnce(): Promise<void> {
    const done: Record<string, unknown> = {};
    for (const [name, step] of steps) {
      try {
        done[name] = await step();
      } catch (error) {
        services.logger.warn({ event: 'housekeeping.failed', step: name, err: (error as Error).message }, 'a housekeeping step failed');
      }
    }
    services.logger.debug({ event: 'housekeeping.done', ...done }, 'housekeeping done');
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
