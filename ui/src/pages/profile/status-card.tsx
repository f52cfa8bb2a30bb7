import { useId, type ReactNode } from 'react';
import { Link } from '../../router.js';
import { StateLabel, type Tone } from './state-label.js';

/**
 * One card of "Sicherheit auf einen Blick": its name (a heading, so a screen reader can jump
 * between the cards), the state in icon and words, what is true in a line or two, and one link to
 * its page. `attention`: the card stands out (no way back into the account yet); its link is then
 * a button-like call to action. The link's name carries the card's name too ("Verwalten" alone
 * four times would say nothing in a list of links).
 */
export function StatusCard({
  title,
  tone,
  state,
  attention = false,
  children,
  href,
  link,
}: {
  title: string;
  tone: Tone;
  state: string;
  attention?: boolean;
  children: ReactNode;
  href: string;
  link: string;
}) {
  const ids = useId();
  return (
    <section className={attention ? 'status-card status-card-attention' : 'status-card'} aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{title}</h2>
      <p className="status-card-state">
        <StateLabel tone={tone}>{state}</StateLabel>
      </p>
      <div className="status-card-body">{children}</div>
      <p className="status-card-link">
        <Link href={href} className={attention ? 'button-link' : 'status-link'}>
          {link}
          {attention ? null : <span aria-hidden="true">{'\u00a0→'}</span>}
        </Link>
      </p>
    </section>
  );
}
