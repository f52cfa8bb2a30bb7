import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../contract/error-codes.js';
import { fieldReasons, type FieldReason } from '../../contract/problem.js';
import { isLifelineError, type ErrorParams } from '../../core/errors.js';
import type { Translator } from '../../i18n/translator.js';
import { buildProblem, sendProblem, type FieldProblem } from '../problem.js';

/** A validation issue as Fastify hands it over (fastify-type-provider-zod maps zod's issues). */
interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/** Fastify's own request errors and the problem code each becomes. */
const fastifyErrorCodes: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation-failed',
};

const knownTypes = new Set(['string', 'number', 'boolean', 'object', 'array']);

/**
 * The database could not do it now, but will in a moment: SQLite's write lock taken past
 * busy_timeout, or PostgreSQL choosing this transaction as a deadlock victim (40P01) or
 * failing its serialisation (40001). Nothing was written (the transaction rolled back).
 */
function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code === '40P01' || code === '40001')
  );
}

/** Whether the body lacks the field an issue is about (a missing field, not a wrong one). */
function isMissing(body: unknown, instancePath: string): boolean {
  let value: unknown = body;
  for (const key of instancePath.split('/').filter(Boolean)) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return true;
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined;
}

function fieldOf(issue: ValidationIssue): string {
  const keys = issue.params?.keys;
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) return keys.map(String).join(', ');
  return issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
}

/** The stable reason of an issue (contract/problem.ts `fieldReasons`): a missing field is told apart from a wrong one. */
function reasonOf(body: unknown, issue: ValidationIssue): FieldReason {
  if (issue.keyword === 'invalid_type') return issue.instancePath !== '/' && isMissing(body, issue.instancePath) ? 'missing' : 'invalid_type';
  return (fieldReasons as readonly string[]).includes(issue.keyword) ? (issue.keyword as FieldReason) : 'other';
}

/** Localised, field-naming descriptions of what was wrong; zod's own English messages are not used. */
function describeIssues(translator: Translator, request: FastifyRequest, issues: readonly ValidationIssue[]): FieldProblem[] {
  const locale = request.locale;
  return issues.map((issue) => {
    const field = fieldOf(issue);
    const reason = reasonOf(request.body, issue);
    let text: string;
    if (reason === 'invalid_type') {
      const expected = typeof issue.params?.expected === 'string' ? issue.params.expected : '';
      const expectedText = knownTypes.has(expected) ? translator.text(locale, `validation.types.${expected}`) : expected;
      text = translator.text(locale, 'validation.invalid_type', { expected: expectedText });
    } else if (reason === 'unrecognized_keys') {
      text = translator.text(locale, 'validation.unrecognized_keys', { keys: field });
    } else {
      text = translator.text(locale, `validation.${reason}`);
    }
    const detail =
      reason === 'unrecognized_keys' || field === ''
        ? translator.text(locale, 'validation.body', { reason: text })
        : translator.text(locale, 'validation.field', { field, reason: text });
    return { field: field || '(body)', reason, detail };
  });
}

/**
 * One error handler for the whole app (docs/reference/contracts.md "One error model"): a LifelineError
 * becomes its problem; validation and Fastify's request errors become 4xx problems that name
 * what was wrong; anything else is a bug, logged with its stack and answered 500 with the
 * request id only: no message, no stack, no SQL (docs/reference/security-requirements.md 7.1).
 */
export function registerErrorHandler(
  app: FastifyInstance,
  translator: Translator,
  options: { notFoundPage?: (request: FastifyRequest, reply: FastifyReply) => boolean } = {},
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const send = (code: ErrorCode, params: ErrorParams = {}, errors?: FieldProblem[], retryAfterSeconds?: number) =>
      sendProblem(reply, buildProblem(translator, request.locale, code, params, request, errors), retryAfterSeconds);

    if (isLifelineError(error)) {
      if (error.code === 'validation-failed' && typeof error.params.field === 'string') {
        const field = error.params.field;
        const detail = translator.text(request.locale, 'validation.field', { field, reason: translator.text(request.locale, 'validation.invalid_format') });
        return send('validation-failed', error.params, [{ field, reason: 'invalid_format', detail }]);
      }
      return send(error.code, error.params, undefined, error.retryAfterSeconds);
    }

    if (Array.isArray(error.validation) && error.validation.length > 0) {
      const errors = describeIssues(translator, request, error.validation);
      return send('validation-failed', {}, errors);
    }

    const mapped = error.code ? fastifyErrorCodes[error.code] : undefined;
    if (mapped === 'payload-too-large') return send(mapped, { limit: request.routeOptions.bodyLimit ?? 0 });
    if (mapped) return send(mapped);
    if (isDatabaseBusy(error)) {
      // A moment later it will work, so say so instead of reporting a bug.
      request.log.warn({ event: 'db.busy', code: (error as { code?: unknown }).code }, 'database busy');
      return send('service-unavailable', {}, undefined, 2);
    }
    if (error.statusCode === 404) return send('not-found');
    if (error.statusCode === 503) return send('service-unavailable', {}, undefined, 5);
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Other malformed requests Fastify detects itself (a bad URL, a header it cannot read).
      return send('validation-failed');
    }

    request.log.error({ err: error, event: 'http.unhandled_error' }, 'unhandled error');
    return send('internal-error');
  });

  app.setNotFoundHandler((request, reply) => {
    // A browser asking for a page gets the web UI's "not found" page; everyone else a problem.
    if (options.notFoundPage?.(request, reply)) return;
    sendProblem(reply, buildProblem(translator, request.locale, 'not-found', {}, request));
  });
}
