import type { KeyboardEvent } from 'react';
import { api } from '../api-client.js';
import { splitErrors } from '../errors.js';
import type { useI18n } from '../i18n.js';

const focusable = 'input:not([disabled]), button:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside a modal dialog (WAI-ARIA dialog pattern): from the last
 * focusable element Tab goes to the first, and back. Used as the <dialog>'s onKeyDown.
 */
export function trapFocus(event: KeyboardEvent<HTMLDialogElement>): void {
  if (event.key !== 'Tab') return;
  const elements = [...event.currentTarget.querySelectorAll<HTMLElement>(focusable)];
  const first = elements[0];
  const last = elements[elements.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * "Geben Sie zunächst Ihr Passwort ein": opens the privileged window with the password.
 * Answers the message to show at the password field, or undefined on success.
 */
export async function reauthenticate(t: ReturnType<typeof useI18n>['t'], password: string): Promise<string | undefined> {
  if (password === '') return t('ui.reauth.required');
  try {
    await api.session.reauthenticate({ password });
    return undefined;
  } catch (failure) {
    const { fields, form } = splitErrors(t, failure, { 'wrong-password': 'password', 'rate-limited': 'password', 'too-many-attempts': 'password' });
    return fields.password ?? form;
  }
}
