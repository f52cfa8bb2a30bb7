import type { z } from 'zod';
import type { ErrorCode } from '../../src/contract/error-codes.js';
import type { accountView, sessionResponse } from '../../src/contract/accounts.js';

export type AccountView = z.infer<typeof accountView>;
export type SessionView = z.infer<typeof sessionResponse>;

/** A problem answer of the API (RFC 9457), or a network failure (`status` 0, code `network`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network';
  readonly detail: string;
  readonly fields: readonly { field: string; detail: string }[];
  readonly retryAfter: number | undefined;
  /** The action needed the password and the user closed the password dialog instead: nothing to report. */
  readonly cancelled: boolean;
  /** Only on `wrong-code`: how many more guesses the code allows (the problem's top-level `triesLeft`). */
  readonly triesLeft: number | undefined;

  constructor(
    status: number,
    code: ErrorCode | 'network',
    detail: string,
    fields: { field: string; detail: string }[] = [],
    retryAfter?: number,
    cancelled = false,
    triesLeft?: number,
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fields = fields;
    this.retryAfter = retryAfter;
    this.cancelled = cancelled;
    this.triesLeft = triesLeft;
  }
}

let csrfToken: string | undefined;
let language = 'de';
let privilegeHandler: (() => Promise<boolean>) | undefined;

/** The CSRF token of the current session (from GET /session or an answer that carries one). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function setApiLanguage(locale: string): void {
  language = locale;
}

/**
 * Who asks for the password when the API answers `privilege-required`: the password dialog.
 * It resolves true once the user re-authenticated, false when they cancelled.
 */
export function onPrivilegeRequired(handler: (() => Promise<boolean>) | undefined): void {
  privilegeHandler = handler;
}

/**
 * Makes sure the privileged window is open before a step that needs it, so the password comes
 * first ("Geben Sie zunächst Ihr Passwort ein") and the form after it. The server decides:
 * GET /session says whether the window is open now (the browser's clock may differ from the
 * server's). Resolves false when the user closed the password dialog.
 */
export async function ensurePrivilege(): Promise<boolean> {
  const session = await api<SessionView | null>('GET', '/api/v1/session?optional=true');
  if (session?.privilegedUntil) return true;
  return privilegeHandler ? privilegeHandler() : true;
}

async function send(method: string, path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', '');
  }
}

/**
 * Calls the API. Problems become {@link ApiError}s; an answer with `csrfToken` updates the
 * token. A `privilege-required` answer opens the password dialog and, once the user has
 * re-authenticated, tries the same request once more (docs/reference/product.md §1).
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response = await send(method, path, body);
  let problem = response.ok ? undefined : await readProblem(response);
  if (problem?.code === 'privilege-required' && privilegeHandler) {
    if (!(await privilegeHandler())) throw new ApiError(problem.status, problem.code, problem.detail, [], undefined, true);
    response = await send(method, path, body);
    problem = response.ok ? undefined : await readProblem(response);
  }
  if (problem) throw problem;
  if (response.status === 204) return undefined as T;
  const data = (await response.json()) as T;
  const token = (data as { csrfToken?: unknown } | null)?.csrfToken;
  if (typeof token === 'string') setCsrfToken(token);
  return data;
}

async function readProblem(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: ErrorCode; detail?: string; errors?: { field: string; detail: string }[]; triesLeft?: unknown };
    const retryAfter = Number(response.headers.get('retry-after') ?? '') || undefined;
    const triesLeft = typeof body.triesLeft === 'number' ? body.triesLeft : undefined;
    return new ApiError(response.status, body.code ?? 'internal-error', body.detail ?? '', body.errors ?? [], retryAfter, false, triesLeft);
  } catch {
    return new ApiError(response.status, 'internal-error', '');
  }
}

/** The session's CSRF token changes with its id: fetch it after an answer that rotated it. */
export async function refreshSession(): Promise<SessionView | undefined> {
  // `optional=true`: no session is a normal answer (200 null), not a failed request.
  const session = await api<SessionView | null>('GET', '/api/v1/session?optional=true');
  if (!session) setCsrfToken(undefined);
  return session ?? undefined;
}
