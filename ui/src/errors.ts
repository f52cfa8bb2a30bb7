import type { TFunction } from 'i18next';
import { ApiError } from './api.js';
import { fieldMessage, kindOfField } from './validation.js';

/** The message for an API error, in the UI's language, from the shared catalogue. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('ui.common.networkError');
  if (error.code === 'network') return t('ui.common.networkError');
  // The problem's own detail names JSON fields for developers: the UI words it from the reason.
  const [first] = error.fields;
  if (error.code === 'validation-failed' && first) return fieldMessage(t, kindOfField(first.field), first.reason);
  const params: Record<string, unknown> = { retryAfter: error.retryAfter ?? 60, count: error.triesLeft ?? 0, limit: 16384, method: '', allowed: '' };
  return t(`errors.${error.code}.detail`, params);
}

/** A form's messages: each beside its field (by the field's name), and one for the whole form. */
export type FormErrors = { fields: Record<string, string>; form?: string };

/**
 * Splits an API error into messages next to the fields they concern (SECURITY-relevant codes
 * such as a too common password belong to the password field) and one for the whole form.
 */
export function splitErrors(t: TFunction, error: unknown, fieldOfCode: Readonly<Record<string, string>> = {}): FormErrors {
  if (error instanceof ApiError) {
    if (error.fields.length > 0) {
      const fields: Record<string, string> = {};
      for (const problem of error.fields) fields[problem.field] = fieldMessage(t, kindOfField(problem.field), problem.reason);
      return { fields };
    }
    const field = fieldOfCode[error.code] ?? (error.code.startsWith('password-') ? fieldOfCode['password-*'] : undefined);
    if (field) return { fields: { [field]: errorMessage(t, error) } };
  }
  return { fields: {}, form: errorMessage(t, error) };
}

/** Whether the user closed the password dialog instead of entering the password (no message then). */
export function wasCancelled(error: unknown): boolean {
  return error instanceof ApiError && error.cancelled;
}
