import type { TFunction } from 'i18next';
import type { FieldReason } from '../../src/contract/problem.js';

/*
 * The UI's own words for a wrong field, beside the field: checked in the browser before sending,
 * and worded from the server's stable `reason` when the server finds something (never the
 * schema's text, which names JSON fields for developers; docs/api.md "Errors").
 */

/** What a field holds, for the words of its messages. */
export type FieldKind = 'email' | 'new-password' | 'password' | 'text';

/** Which kind a field of an API body is, by its name: the words differ for an address and a password. */
export function kindOfField(field: string): FieldKind {
  if (/email|address/i.test(field)) return 'email';
  if (/^(password|newPassword)$/.test(field)) return 'new-password';
  if (/password/i.test(field)) return 'password';
  return 'text';
}

/** The sentence for a field the server refused, by its kind and reason. */
export function fieldMessage(t: TFunction, kind: FieldKind, reason: FieldReason): string {
  if (reason === 'too_big') return t('ui.validation.tooLong');
  if (kind === 'email') return reason === 'missing' ? t('ui.validation.emailRequired') : t('ui.validation.emailInvalid');
  if (kind === 'new-password' || kind === 'password') {
    if (reason === 'missing') return t('ui.validation.passwordRequired');
    if (reason === 'too_small' && kind === 'new-password') return t('ui.validation.passwordTooShort');
  }
  return reason === 'missing' ? t('ui.common.required') : t('ui.validation.invalid');
}

/** An address the server would take has something before and after one "@", and a dot in the domain. */
const plausibleAddress = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks a form's fields before sending: each empty or clearly wrong one gets its sentence (by
 * the field's name in the answer). The server checks again; this only spares a round trip and
 * says it in the user's words. An empty answer means: send.
 */
export function checkFields(t: TFunction, fields: Readonly<Record<string, { readonly kind: FieldKind; readonly value: string }>>): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const [name, { kind, value }] of Object.entries(fields)) {
    const trimmed = kind === 'email' ? value.trim() : value;
    if (trimmed === '') messages[name] = fieldMessage(t, kind, 'missing');
    else if (kind === 'email' && !plausibleAddress.test(trimmed)) messages[name] = fieldMessage(t, kind, 'invalid_format');
    else if (kind === 'new-password' && [...value].length < 8) messages[name] = fieldMessage(t, kind, 'too_small');
  }
  return messages;
}
