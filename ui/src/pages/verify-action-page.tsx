import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.js';
import { api } from '../api-client.js';
import type { VerificationDone, VerificationPageBody } from '../api-types.js';
import { LinkCard, LoadingCard, useLinkButton } from '../components/link-page.js';
import { errorMessage } from '../errors.js';
import { useI18n } from '../i18n.js';
import { useLinkToken } from '../link-token.js';
import { ChooseStep } from './verify-action/choose-step.js';
import { CodeStep } from './verify-action/code-step.js';
import { MailLinkStep } from './verify-action/mail-link-step.js';
import type { Channel, State } from './verify-action/verify-action-state.js';

/** The page's own token survives a reload in this tab (the address bar loses it at once). */
const STORAGE_KEY = 'lifeline.verify-action';
const RESEND_COOLDOWN_MS = 60_000;
/** While the code step waits, the record is asked every few seconds: the email's link may verify it in another browser. */
const POLL_MS = 4000;

/** A link token (`id.secret`, from the email) or the page's capability (from the host's `url`). */
const isMailLink = (token: string) => token.includes('.');

function readToken(fromUrl: string): string {
  if (fromUrl && !isMailLink(fromUrl)) {
    window.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  return fromUrl || (window.sessionStorage.getItem(STORAGE_KEY) ?? '');
}

/**
 * "Aktion bestätigen" (/verify-action?token=…). A host application sends its user here
 * (its `url`); the user picks a confirmed channel (masked), types the code that arrives, and
 * goes back to the host (`returnTo` with `verification=<id>`). The email's link opens the same
 * page with its own token: one button confirms (opening it changes nothing: mail scanners).
 */
export function VerifyActionPage() {
  const { t } = useI18n();
  const fromUrl = useLinkToken();
  const [token] = useState(() => readToken(fromUrl));
  const [state, setState] = useState<State>(() => (!token ? { kind: 'gone' } : isMailLink(token) ? { kind: 'link' } : { kind: 'loading' }));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.verifyAction.${key}`, params);

  const finish = (done: VerificationDone) => {
    window.sessionStorage.removeItem(STORAGE_KEY);
    setState({ kind: 'done', returnTo: done.returnTo });
    // Back to the host at once; the page stays as it is should the browser not follow.
    if (done.returnTo) window.location.assign(done.returnTo);
  };

  /**
   * Where the record stands: a fresh page, a code already sent (by the host, or before a reload),
   * or an end; 'dead' when the token no longer opens a record (410, or a malformed one), undefined
   * when the answer says nothing about it (the network, a limit, the server).
   */
  const load = async (): Promise<VerificationPageBody | 'dead' | undefined> => {
    try {
      return await api.verificationPage.read(token);
    } catch (failure) {
      return failure instanceof ApiError && [400, 404, 410].includes(failure.status) ? 'dead' : undefined;
    }
  };

  /** The record is no longer pending (verified elsewhere, failed, expired, or the token is dead): on to where it stands. */
  const settle = async () => {
    const page = await load();
    if (typeof page === 'object' && page.status === 'verified' && !page.consumed) finish({ status: page.status, returnTo: page.returnTo });
    else setState({ kind: 'gone' });
  };

  useEffect(() => {
    if (state.kind !== 'loading') return;
    let current = true;
    void load().then((page) => {
      if (!current) return;
      // Redeemed by the host already (the page opened again later): nothing more to do here.
      if (typeof page !== 'object' || page.status === 'expired' || page.status === 'failed' || page.consumed) return setState({ kind: 'gone' });
      if (page.status === 'verified') return finish({ status: page.status, returnTo: page.returnTo });
      const sent = page.channel ? page.channels.find((choice) => choice.channel === page.channel) : undefined;
      setState(sent ? { kind: 'code', page, channel: sent.channel, sentTo: sent.masked, resendAt: 0 } : { kind: 'choose', page });
    });
    return () => {
      current = false;
    };
    // Once, on the first render.
  }, []);

  // The email's link, opened in another browser, verifies the record: this page moves on by itself
  // (and says so should the record fail or expire meanwhile).
  useEffect(() => {
    if (state.kind !== 'code') return;
    let current = true;
    const timer = window.setInterval(() => {
      void load().then((page) => {
        // A network hiccup is no news: ask again next time.
        if (!current || page === undefined || (page !== 'dead' && page.status === 'pending')) return;
        if (page !== 'dead' && page.status === 'verified') finish({ status: page.status, returnTo: page.returnTo });
        else setState({ kind: 'gone' });
      });
    }, POLL_MS);
    return () => {
      current = false;
      window.clearInterval(timer);
    };
  }, [state.kind]);

  // The email's link: what it would confirm, read without using it (opening the page changes nothing).
  useEffect(() => {
    if (state.kind !== 'link' || state.preview) return;
    let current = true;
    api.verificationPage.previewLink(token).then(
      (preview) => current && setState({ kind: 'link', preview }),
      () => current && setState({ kind: 'gone' }),
    );
    return () => {
      current = false;
    };
  }, [state.kind]);

  useEffect(() => {
    if (state.kind === 'done' || state.kind === 'gone') heading.current?.focus();
  }, [state.kind]);

  const send = async (page: VerificationPageBody, channel: Channel) => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const sent = await api.verificationPage.sendCode({ token, channel });
      setState({ kind: 'code', page, channel, sentTo: sent.sentTo, resendAt: Date.now() + RESEND_COOLDOWN_MS });
    } catch (failure) {
      if (failure instanceof ApiError && (failure.code === 'verification-expired' || failure.code === 'link-expired')) setState({ kind: 'gone' });
      else if (failure instanceof ApiError && failure.code === 'verification-not-redeemable') await settle();
      else setError(errorMessage(t, failure));
    } finally {
      setBusy(false);
    }
  };

  const confirmLink = useLinkButton(
    async () => {
      await api.verificationPage.confirmLink({ token });
      // Not back to the host from here: the link may be opened on another device, and the page
      // that asked (which moves on by itself) is the one to return. Two returns would make the
      // host consume the record in a browser that did not ask, and refuse the one that did.
      finish({ status: 'verified', returnTo: null });
    },
    ['link-expired', 'validation-failed'],
    () => setState({ kind: 'gone' }),
  );

  switch (state.kind) {
    case 'gone':
      return (
        <LinkCard titleId="verify-title" title={say('goneTitle')} headingRef={heading}>
          <p>{say('gone')}</p>
        </LinkCard>
      );
    case 'done':
      return (
        <LinkCard titleId="verify-title" title={say('doneTitle')} headingRef={heading}>
          {state.returnTo ? (
            <>
              <p>{say('returning', { host: new URL(state.returnTo).host })}</p>
              <div className="actions">
                <a className="button-link" href={state.returnTo}>
                  {say('continue', { host: new URL(state.returnTo).host })}
                </a>
              </div>
            </>
          ) : (
            <p>{say('doneElsewhere')}</p>
          )}
        </LinkCard>
      );
    case 'loading':
      return <LoadingCard titleId="verify-title" title={say('title')} />;
    case 'link':
      // The button appears only with what it confirms: nobody confirms an action unseen.
      if (!state.preview) return <LoadingCard titleId="verify-title" title={say('title')} />;
      return <MailLinkStep preview={state.preview} busy={confirmLink.busy} error={confirmLink.error} onConfirm={() => void confirmLink.press()} />;
    case 'choose':
      return <ChooseStep page={state.page} back={state.back} busy={busy} error={error} onSend={(channel) => void send(state.page, channel)} />;
    case 'code':
      return (
        <CodeStep
          key={`${state.channel}-${state.resendAt}`}
          token={token}
          state={state}
          onVerified={finish}
          onEnded={() => void settle()}
          onOther={() => {
            setError(undefined);
            setState({ kind: 'choose', page: state.page, back: state.channel });
          }}
          onResend={() => void send(state.page, state.channel)}
          resendError={error}
        />
      );
  }
}
