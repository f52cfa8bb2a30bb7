import { askForPassword } from './api.js';
import { api } from './api-client.js';

/**
 * Whether the privileged window is open now. The server decides (GET /session): the browser's
 * clock may differ from the server's.
 */
export async function privilegeIsOpen(): Promise<boolean> {
  const session = await api.session.current();
  return Boolean(session?.privilegedUntil);
}

/**
 * Makes sure the privileged window is open before a step that needs it, so the password comes
 * first ("Geben Sie zunächst Ihr Passwort ein") and the form after it. Resolves false when the
 * user closed the password dialog.
 */
export async function ensurePrivilege(): Promise<boolean> {
  return (await privilegeIsOpen()) || askForPassword();
}
