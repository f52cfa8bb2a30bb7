import { useI18n } from '../i18n.js';
import { Link } from '../router.js';

/** "Passwort vergessen?": the forgot-password issue fills this page. */
export function ForgotPasswordPage() {
  const { t } = useI18n();
  return (
    <section className="card narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t('ui.forgot.title')}</h1>
      <p>{t('ui.forgot.text')}</p>
      <p>
        <Link href="/login">{t('ui.forgot.back')}</Link>
      </p>
    </section>
  );
}

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <section className="card narrow" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t('ui.notFound.title')}</h1>
      <p>{t('ui.notFound.text')}</p>
      <p>
        <Link href="/">{t('ui.notFound.home')}</Link>
      </p>
    </section>
  );
}
