import type { ReactNode, Ref } from 'react';
import { useI18n } from '../../i18n.js';
import { signInHref } from '../../return-to.js';
import { Link } from '../../router.js';
import { StepHeading } from './step-heading.js';

/** A step of "Passwort vergessen?" or of the reset link's page: a card named by its heading, which takes the focus when `focus`. */
export function StepCard({ id, title, focus, ref, children }: { id: string; title: ReactNode; focus: boolean; ref?: Ref<HTMLElement>; children: ReactNode }) {
  return (
    <section ref={ref} className="card narrow" aria-labelledby={id}>
      <StepHeading id={id} focus={focus}>
        {title}
      </StepHeading>
      {children}
    </section>
  );
}

/** "Zurück zur Anmeldung", with the page's own way back to a host application (return-to.ts). */
export function BackToSignIn() {
  const { t } = useI18n();
  return <Link href={signInHref()}>{t('ui.forgot.back')}</Link>;
}

/** "Zurück zur Anmeldung" below a step's form. */
export function BackToSignInAside() {
  return (
    <p className="aside">
      <BackToSignIn />
    </p>
  );
}
