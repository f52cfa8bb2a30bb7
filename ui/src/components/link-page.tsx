import { useState, type ReactNode, type RefObject } from 'react';
import { ApiError } from '../api.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';

/**
 * The card of a page that a mailed link opens (/undo, /verify-action), named by its heading.
 * With `headingRef` the heading can take the focus: the page moves it there when the button that
 * was pressed is gone (done, or the link is dead), so it is not lost.
 */
export function LinkCard({
  titleId,
  title,
  headingRef,
  busy = false,
  children,
}: {
  titleId: string;
  title: ReactNode;
  headingRef?: RefObject<HTMLHeadingElement | null>;
  busy?: boolean;
  children: ReactNode;
}) {
  return (
    <section className="card narrow" aria-labelledby={titleId} aria-busy={busy || undefined}>
      {headingRef ? (
        <h1 id={titleId} ref={headingRef} tabIndex={-1} className="step-heading">
          {title}
        </h1>
      ) : (
        <h1 id={titleId}>{title}</h1>
      )}
      {children}
    </section>
  );
}

/** A page's card while what it shows is being read ("Wird geladen …"). */
export function LoadingCard({ titleId, title }: { titleId: string; title: ReactNode }) {
  const { t } = useI18n();
  return (
    <LinkCard titleId={titleId} title={title} busy>
      <p>{t('ui.common.loading')}</p>
    </LinkCard>
  );
}

/**
 * The one button of a link page (/undo, /verify-action, /reset-password): opening the page
 * changes nothing, since mail scanners open links. `press` sends the link's request once at a
 * time; an answer that means the link is dead (`deadCodes`: expired, used, malformed) goes to
 * `onDead`, any other problem is said beside the button (`error`).
 */
export function useLinkButton(send: () => Promise<void>, deadCodes: readonly string[], onDead: () => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const press = async () => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await send();
    } catch (failure) {
      if (failure instanceof ApiError && deadCodes.includes(failure.code)) onDead();
      else setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, press };
}
