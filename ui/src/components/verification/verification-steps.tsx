import type { ReactNode, RefObject } from 'react';
import { ApiError } from '../../api.js';
import type { VerificationStarted } from '../../api-types.js';

/** A confirmed channel of the account, as the record lists it. */
export type Channel = VerificationStarted['channels'][number]['channel'];

/** A message above a step: why it starts afresh, or that a new code is on its way. */
export type VerificationNotice = { readonly kind: 'info' | 'error'; readonly text: string };

/** The code step: where the code went, until when it is good, and the state of "Code erneut senden". */
export type CodeState = {
  readonly kind: 'code';
  readonly record: VerificationStarted;
  readonly channel: Channel;
  readonly sentTo: string;
  readonly codeExpiresAt: string;
  /** When "Code erneut senden" can be pressed (the server allows one code a minute per channel). */
  readonly resendAt: number;
  /** How many times the code was sent again in this step ("Ein neuer Code ist unterwegs" after the first). */
  readonly resent: number;
};

/** A failed send: what to say, and when the server allows the next one (seconds, from Retry-After). */
export type SendProblem = { readonly message: string; readonly retryAfter: number | undefined };

/**
 * What every step gets from ActionVerification: its heading (each new step's heading takes the
 * focus, since the button that led there is gone), the id of its first paragraph (a dialog names
 * it in aria-describedby) and the caller's "Abbrechen".
 */
export interface StepFrame {
  readonly heading: RefObject<HTMLHeadingElement | null>;
  readonly Heading: 'h2' | 'h3' | 'h4';
  readonly introId: string | undefined;
  readonly cancelButton: ReactNode;
}

/** Answers that mean the record itself is over (expired, failed, used, or not this session's): a new one is started. */
const RECORD_OVER: ReadonlySet<string> = new Set(['verification-expired', 'verification-not-redeemable', 'not-found']);

export const isRecordOver = (failure: unknown) => failure instanceof ApiError && RECORD_OVER.has(failure.code);

/** A step's frame: its heading (focusable, for the move to each new step) and its first paragraph, then the step's own parts. */
export function StepBox({
  frame,
  title,
  intro,
  busy = false,
  children,
}: {
  frame: StepFrame;
  title: string;
  intro: ReactNode;
  busy?: boolean;
  children: ReactNode;
}) {
  const { Heading } = frame;
  return (
    <div className="verification" aria-busy={busy || undefined}>
      <Heading ref={frame.heading} tabIndex={-1} className="step-heading">
        {title}
      </Heading>
      <p id={frame.introId} className="step-intro">
        {intro}
      </p>
      {children}
    </div>
  );
}
