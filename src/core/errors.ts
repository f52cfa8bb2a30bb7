import { errorStatus, type ErrorCode } from '../contract/error-codes.js';

/** Values a localised message may interpolate (`{{attemptsLeft}}`, `{{field}}`, …). */
export type ErrorParams = Readonly<Record<string, string | number>>;

/**
 * The one error type services throw. The HTTP layer turns it into `application/problem+json`
 * with the code's status and a localised detail; the CLI prints the detail. Anything that is
 * not a LifelineError is a bug: it is logged with the request id and answered 500 with that
 * id only (docs/reference/contracts.md "One error model").
 */
export class LifelineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: ErrorParams;
  /** Seconds until a retry may succeed; sent as `Retry-After` on 429 and 503. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, params: ErrorParams = {}, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LifelineError';
    this.code = code;
    this.status = errorStatus[code];
    // Messages that say "try again in {{retryAfter}} seconds" get the wait from the option, so
    // a thrower cannot forget it and leave a placeholder in front of the user.
    this.params = options.retryAfterSeconds !== undefined && params.retryAfter === undefined ? { ...params, retryAfter: options.retryAfterSeconds } : params;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isLifelineError(error: unknown): error is LifelineError {
  return error instanceof LifelineError;
}
