import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorStatus, type ErrorCode } from '../contract/error-codes.js';
import type { FieldReason } from '../contract/problem.js';
import type { ErrorParams } from '../core/errors.js';
import type { Locale, Translator } from '../i18n/translator.js';

/** One field-level problem of a `validation-failed` answer. */
export interface FieldProblem {
  readonly field: string;
  readonly reason: FieldReason;
  readonly detail: string;
}

/**
 * An RFC 9457 problem. Only `instance` and `requestId` differ between two answers of the same
 * kind, so neutral answers stay byte-identical but for those (docs/reference/contracts.md "Contracts").
 */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance?: string;
  readonly requestId?: string;
  /** Only on `validation-failed`: every field that was wrong, derived from the input alone. */
  readonly errors?: readonly FieldProblem[];
  /** Only on `wrong-code`: how many more guesses this code allows. */
  readonly triesLeft?: number;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemType(code: ErrorCode): string {
  return `urn:lifeline:problem:${code}`;
}

export function buildProblem(
  translator: Translator,
  locale: Locale,
  code: ErrorCode,
  params: ErrorParams,
  request: Pick<FastifyRequest, 'url' | 'id'>,
  errors?: readonly FieldProblem[],
): ProblemBody {
  const values: Record<string, string | number> = { ...params };
  // Plural forms ("1 Versuch" / "2 Versuche") key off i18next's `count`.
  if (typeof params.attemptsLeft === 'number') values.count = params.attemptsLeft;
  if (typeof params.triesLeft === 'number') values.count = params.triesLeft;
  return {
    type: problemType(code),
    title: translator.text(locale, `errors.${code}.title`),
    status: errorStatus[code],
    // A validation problem names the fields in its detail, so a client that shows only the
    // detail still tells the user what to fix.
    detail: errors && errors.length > 0 ? errors.map((e) => e.detail).join(' ') : translator.text(locale, `errors.${code}.detail`, values),
    code,
    instance: request.url.split('?')[0] ?? '/',
    requestId: request.id,
    ...(errors && errors.length > 0 ? { errors } : {}),
    ...(code === 'wrong-code' && typeof params.triesLeft === 'number' ? { triesLeft: params.triesLeft } : {}),
  };
}

/** Sends a problem with its status, content type and, for 429/503, Retry-After. */
export function sendProblem(reply: FastifyReply, problem: ProblemBody, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
