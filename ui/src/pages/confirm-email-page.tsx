import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.js';
import { api } from '../api-client.js';
import { Alert } from '../components/alert.js';
import { BackToApp } from '../components/back-to-app.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { useLinkToken } from '../link-token.js';
import { Link } from '../router.js';
import { formatEventTime } from '../security-events.js';
import { useSession } from '../session.js';
import { heldParams, useHeldChangePreview, withHeldWhat } from './held-change-preview.js';

/**
 * What a link's request answers that the page shows: the address (none for a cancellation), when
 * a change that waits takes effect, and the sentence when the link had done its work before
 * (`already`: "bereits bestätigt", "bereits abgebrochen") or names what it did (`said`).
 */
type LinkOutcome = {
  readonly email?: string;
  readonly effectiveAt?: string | undefined;
  readonly said?: { readonly key: string; readonly params: Readonly<Record<string, string>> };
};

/** The links that confirm an address (or cancel a waiting change), each with its request, texts and next page. */
const kinds = {
  signup: {
    send: (token: string): Promise<LinkOutcome> =>
      api.signup
        .confirm({ token })
        .then((done) => (done.alreadyConfirmed ? { ...done, said: { key: 'ui.confirm.alreadyConfirmed', params: { email: done.email } } } : done)),
    title: 'ui.confirm.title',
    intro: 'ui.confirm.intro',
    submit: 'ui.confirm.submit',
    done: 'ui.confirm.done',
    next: '/login',
    nextLabel: 'ui.confirm.toLogin',
  },
  'login-change': {
    send: (token: string): Promise<LinkOutcome> => api.account.confirmEmailChange({ token }),
    title: 'ui.confirm.titleChange',
    intro: 'ui.confirm.introChange',
    submit: 'ui.confirm.submitChange',
    done: 'ui.confirm.doneChange',
    next: '/profile',
    nextLabel: 'ui.confirm.toProfile',
    waiting: 'ui.confirm.doneChangeWaiting',
  },
  /** The old address's link that cancels a waiting login-email change. */
  'cancel-email-change': {
    send: (token: string): Promise<LinkOutcome> => api.account.cancelEmailChange({ token }).then(() => ({})),
    title: 'ui.confirm.titleCancelChange',
    intro: 'ui.confirm.introCancelChange',
    submit: 'ui.confirm.submitCancelChange',
    done: 'ui.confirm.doneCancelChange',
    next: '/login',
    nextLabel: 'ui.confirm.toLogin',
  },
  /** A channel's link that cancels a change held for 72 hours. */
  'cancel-hold': {
    send: (token: string): Promise<LinkOutcome> =>
      api.recovery.cancelHeldByLink({ token }).then(({ status, kind }) => ({
        said: { key: status === 'cancelled' ? 'ui.confirm.doneCancelHoldNamed' : 'ui.confirm.holdAlreadyCancelled', params: { kind } },
      })),
    title: 'ui.confirm.titleCancelHold',
    intro: 'ui.confirm.introCancelHold',
    submit: 'ui.confirm.submitCancelHold',
    done: 'ui.confirm.doneCancelHold',
    next: '/login',
    nextLabel: 'ui.confirm.toLogin',
  },
  recovery: {
    send: (token: string): Promise<LinkOutcome> => api.recoveryEmail.confirm({ token }).then(({ address, effectiveAt }) => ({ email: address, effectiveAt })),
    title: 'ui.confirm.titleRecovery',
    intro: 'ui.confirm.introRecovery',
    submit: 'ui.confirm.submitRecovery',
    done: 'ui.confirm.doneRecovery',
    next: '/profile',
    nextLabel: 'ui.confirm.toProfile',
    waiting: 'ui.confirm.doneRecoveryHeld',
    dead: 'ui.confirm.deadRecovery',
  },
} as const;

export type ConfirmKind = keyof typeof kinds;

/** Answers that mean the link itself is dead (used, expired, cancelled, the address taken): pressing again cannot help. */
const LINK_DEAD: ReadonlySet<string> = new Set(['invalid-or-expired', 'link-expired', 'email-unavailable', 'not-found']);

/**
 * The page a confirmation link opens. Opening it changes nothing: the button sends the POST
 * (mail scanners open links; they must not confirm). The token alone is the proof, so it works
 * in any browser, signed in or not. After a success, a way back this browser remembers (or the
 * page's own `return_to`) to a host application's page is offered: "Zurück zu <App>"
 * (docs/integration.md "Return links").
 */
export function ConfirmEmailPage({ kind }: { kind: ConfirmKind }) {
  const { t, locale } = useI18n();
  const { reload, state: session } = useSession();
  const texts = kinds[kind];
  // Read once, then out of the address bar (and the history): a shared screen or a synced history keeps no live link.
  const token = useLinkToken();
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'done'; email: string; effectiveAt?: string; said?: LinkOutcome['said'] } | { kind: 'error'; message: string; dead: boolean }
  >({ kind: 'idle' });
  // A cancel link's page names the change first, and says at once if it was cancelled or applied already.
  const held = useHeldChangePreview(kind === 'cancel-hold' ? token : '');
  useEffect(() => {
    if (held.state === 'cancelled') setState({ kind: 'done', email: '', said: { key: 'ui.confirm.holdAlreadyCancelled', params: { kind: held.change.kind } } });
    else if (held.state === 'applied') setState({ kind: 'error', dead: true, message: t('ui.confirm.holdApplied', heldParams(t, held.change, locale)) });
    else if (held.state === 'dead') setState({ kind: 'error', dead: true, message: held.message });
  }, [held, t, locale]);
  const [busy, setBusy] = useState(false);
  /**
   * After an answer the button is gone: the focus goes to the heading (not lost on the page);
   * the outcome is announced by its alert's live region, so focusing it too would say it twice.
   */
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (state.kind === 'done' || (state.kind === 'error' && state.dead)) heading.current?.focus();
  }, [state]);
  // Signed in (in this browser) the way on is the profile, whatever the link was; else the sign-in page.
  const next = session.status === 'signed-in' ? { href: '/profile', label: 'ui.confirm.toProfile' } : { href: texts.next, label: texts.nextLabel };

  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const result = await texts.send(token);
      setState({
        kind: 'done',
        email: result.email ?? '',
        ...(result.effectiveAt ? { effectiveAt: result.effectiveAt } : {}),
        ...(result.said ? { said: result.said } : {}),
      });
      if (kind !== 'signup' && kind !== 'cancel-email-change' && kind !== 'cancel-hold') await reload();
    } catch (error) {
      setState({ kind: 'error', message: errorMessage(t, error), dead: error instanceof ApiError && LINK_DEAD.has(error.code) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow" aria-labelledby="confirm-title">
      <h1 id="confirm-title" ref={heading} tabIndex={-1} className="step-heading">
        {t(texts.title)}
      </h1>
      {token === '' ? <Alert kind="error">{t('ui.confirm.missingToken')}</Alert> : null}
      {state.kind === 'done' ? (
        <>
          <Alert kind="success">
            {state.said
              ? t(state.said.key, withHeldWhat(t, state.said.params))
              : state.effectiveAt && 'waiting' in texts
                ? // A change that waits (7 days for a login email without a settled channel,
                  // 72 hours for a recovery address from a fresh new-device session): say when, in this browser's zone.
                  t(texts.waiting, { email: state.email, date: formatEventTime(state.effectiveAt, locale, Intl.DateTimeFormat().resolvedOptions().timeZone) })
                : t(texts.done, { email: state.email })}
          </Alert>
          <div className="actions">
            <BackToApp look="button" />
            <Link href={next.href}>{t(next.label)}</Link>
          </div>
        </>
      ) : state.kind === 'error' && state.dead ? (
        // A dead link: no button that asks to confirm again, only why and the way on.
        <>
          <Alert kind="error">{state.message}</Alert>
          {'dead' in texts ? <p>{t(texts.dead)}</p> : null}
          <p>
            <Link href={next.href}>{t(next.label)}</Link>
          </p>
        </>
      ) : (
        <>
          <p>{held.state === 'waiting' ? t('ui.confirm.introCancelHoldNamed', heldParams(t, held.change, locale)) : t(texts.intro)}</p>
          {state.kind === 'error' ? <Alert kind="error">{state.message}</Alert> : null}
          <div className="actions">
            <button type="button" className="primary" disabled={token === ''} aria-disabled={busy || undefined} onClick={() => void confirm()}>
              {t(texts.submit)}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
