import { useI18n } from '../i18n.js';
import { clearReturnTo, returnAppName, useReturnTo } from '../return-to.js';
import { useLocation } from '../router.js';

/**
 * "Zurück zu <App>": the way back to the host application that sent the user here
 * (docs/integration.md "Return links"), when the page has one (its `return_to`, or the one this
 * browser remembered); nothing otherwise, nor for the provider's sign-in (the sign-in continues
 * there by itself). A plain link to the allowed, normalised URL: it works in a new tab too.
 * Leaving by it forgets the way back, as signing in does.
 *
 * `button`: after a link page's success; `link`: beside other links; `top`: above a page's
 * heading (the profile).
 */
export function BackToApp({ look }: { look: 'button' | 'link' | 'top' }) {
  const { t } = useI18n();
  const returnTo = useReturnTo(useLocation().query);
  const app = returnAppName(returnTo);
  if (!returnTo || !app) return null;
  const link = (
    <a href={returnTo} className={look === 'button' ? 'button-link' : look === 'top' ? 'back-to-app' : undefined} onClick={() => clearReturnTo()}>
      {look === 'top' ? <span aria-hidden="true">←</span> : null}
      {t('ui.returnTo.back', { app })}
    </a>
  );
  return look === 'top' ? <p className="back-to-app-row">{link}</p> : link;
}
