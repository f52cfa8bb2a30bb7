import type { VerificationLinkPreview, VerificationPageBody } from '../../api-types.js';

/** A confirmed channel of the account, as the page lists it (masked). */
export type Channel = VerificationPageBody['channels'][number]['channel'];

/** Where the page stands. */
export type State =
  | { kind: 'loading' }
  /** `back`: reached from the code step ("Anderen Weg wählen"), with the channel chosen there. */
  | { kind: 'choose'; page: VerificationPageBody; back?: Channel }
  | CodeState
  /** The email's link: what it would confirm, once read. */
  | { kind: 'link'; preview?: VerificationLinkPreview }
  | { kind: 'done'; returnTo: string | null }
  | { kind: 'gone' };

/** A code was sent to `channel`; "Code erneut senden" waits until `resendAt`. */
export type CodeState = { kind: 'code'; page: VerificationPageBody; channel: Channel; sentTo: string; resendAt: number };
