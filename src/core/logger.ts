import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino removes from every log line: secrets must never reach a log (docs/reference/security-requirements.md 6.3).
 * (One-time codes are never logged at all; `code` is left alone because error codes use it.)
 */
export const redactedPaths = [
  'password',
  '*.password',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'csrfToken',
  '*.csrfToken',
  'headers.cookie',
  'headers.authorization',
  'headers["x-csrf-token"]',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/** The parts of a request a log line may show: never the query string, headers or body. */
interface LoggableRequest {
  id?: string;
  method?: string;
  url?: string;
  ip?: string;
  routeOptions?: { url?: string };
}

/**
 * The request as logged: method, path without its query string (links carry `?token=`, and
 * pino's redact cannot cut a query string: docs/reference/pitfalls.md), route pattern and client IP.
 */
export function serializeRequest(request: LoggableRequest) {
  return {
    id: request.id,
    method: request.method,
    path: typeof request.url === 'string' ? request.url.split('?')[0] : undefined,
    route: request.routeOptions?.url,
    ip: request.ip,
  };
}

/**
 * Structured JSON logs (pino). One logger per process, created in the composition root; the
 * HTTP layer, the worker and the CLI take it as a dependency. Timestamps are ISO 8601 UTC.
 */
export function createLogger(options: { level: string; destination?: DestinationStream; name?: string }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'lifeline',
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: {
        req: serializeRequest,
        res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
        err: pino.stdSerializers.err,
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
