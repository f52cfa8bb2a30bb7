/**
 * The fetch wrapper under the typed client (api-client.ts, the one module that names the API's
 * paths): JSON in and out, the CSRF header, problem+json answers as ApiError, and the password
 * dialog when an action needs the privileged window.
 */
import type { ErrorCode } from '../../src/contract/error-codes.js';
import type { FieldReason } from '../../src/contract/problem.js';

/** One wrong field of a `validation-failed` answer: the UI words its message from `reason` (validation.ts). */
export interface FieldProblem {
  readonly field: string;
  readonly reason: FieldReason;
  readonly detail: string;
}

/** A problem answer of the API (RFC 9457), or a network failure (`status` 0, code `network`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network';
  readonly detail: string;
  readonly fields: readonly FieldProblem[];
  readonly retryAfter: number | undefined;
  /** The action needed the password and the user closed the password dialog instead: nothing to report. */
  readonly cancelled: boolean;
  /** Only on `wrong-code`: how many more guesses the code allows (the problem's top-level `triesLeft`). */
  readonly triesLeft: number | undefined;

  constructor(
    status: number,
    code: ErrorCode | 'network',
    detail: string,
    fields: FieldProblem[] = [],
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
 * Opens the password dialog outside a request (privilege.ts asks before a step that needs the
 * window). Resolves true once the user re-authenticated, false when they closed the dialog;
 * true when no dialog is mounted.
 */
export async function askForPassword(): Promise<boolean> {
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
 * Sends one request to the API. Problems become {@link ApiError}s; an answer with `csrfToken` updates the
 * token. A `privilege-required` answer opens the password dialog and, once the user has
 * re-authenticated, tries the same request once more (docs/reference/product.md §1).
 */
export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
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
    const body = (await response.json()) as { code?: ErrorCode; detail?: string; errors?: FieldProblem[]; triesLeft?: unknown };
    const retryAfter = Number(response.headers.get('retry-after') ?? '') || undefined;
    const triesLeft = typeof body.triesLeft === 'number' ? body.triesLeft : undefined;
    return new ApiError(response.status, body.code ?? 'internal-error', body.detail ?? '', body.errors ?? [], retryAfter, false, triesLeft);
  } catch {
    return new ApiError(response.status, 'internal-error', '');
  }
}
