import { useI18n } from '../i18n.js';
import { Link } from '../router.js';

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
