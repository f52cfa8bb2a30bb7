import type { TFunction } from 'i18next';
import type { EmailView } from './recovery-email-row.js';
import type { PhoneView } from './recovery-phone-dialog.js';
import type { Tone } from './state-label.js';

/** What the overview's "Kontowiederherstellung" card says (docs/ui.md "The profile"). */
export interface RecoverySummary {
  readonly tone: Tone;
  /** The state in words beside its icon: "Nicht eingerichtet", "1 von 2 eingerichtet", "Wird entfernt". */
  readonly state: string;
  /** No channel is active: "Ihr Konto kann noch nicht wiederhergestellt werden …", the card stands out. */
  readonly banner: string | undefined;
  /** What is true of each channel ("E-Mail-Adresse aktiv · Telefonnummer nicht eingerichtet"). */
  readonly line: string | undefined;
  /** The card's link: "Jetzt einrichten" while nothing is set up, else "Wiederherstellung verwalten". */
  readonly link: string;
}

type Channel = 'email' | 'phone';
type Fact = 'removal' | 'replacement' | 'unreachable' | 'active' | 'addition' | 'pending' | 'none';

/** The one thing to say about a channel, the most pressing first: a removal that waits beats "aktiv". */
function factOf(view: EmailView | PhoneView): { fact: Fact; at?: string } {
  if (view.removalAt) return { fact: 'removal', at: view.removalAt };
  if (view.replacement) return { fact: 'replacement', at: view.replacement.effectiveAt };
  if (view.status === 'active') return { fact: view.unreachable ? 'unreachable' : 'active' };
  if (view.addition) return { fact: 'addition', at: view.addition.effectiveAt };
  return { fact: view.status === 'pending' ? 'pending' : 'none' };
}

/**
 * The card's state from GET /recovery: nothing active → a warning that the account cannot be
 * recovered yet (the banner); a removal waiting its 72 hours → "Wird entfernt" (never a bare
 * "Eingerichtet"); an unreachable channel; a change waiting; else how many of the channels the
 * service offers are set up. The phone counts only where an SMS provider is configured.
 */
export function summariseRecovery(
  view: { readonly email: EmailView; readonly phone: PhoneView },
  phoneAvailable: boolean,
  t: TFunction,
  at: (iso: string) => string,
): RecoverySummary {
  const say = (key: string, params?: Record<string, unknown>) => t(`ui.profile.overview.recovery.${key}`, params);
  const channels: Channel[] = phoneAvailable || view.phone.status !== 'none' ? ['email', 'phone'] : ['email'];
  const facts = channels.map((channel) => ({ channel, ...factOf(view[channel]) }));
  const counted = (channel: Channel) => channel === 'email' || phoneAvailable;
  const active = facts.filter((f) => counted(f.channel) && ['removal', 'replacement', 'unreachable', 'active'].includes(f.fact)).length;
  const total = phoneAvailable ? 2 : 1;
  const has = (fact: Fact) => facts.some((f) => f.fact === fact);
  const line = facts.map((f) => say(`facts.${f.channel}.${f.fact}`, f.at ? { date: at(f.at) } : undefined)).join(' · ');

  if (active === 0) {
    const nothing = facts.every((f) => f.fact === 'none');
    return {
      tone: nothing ? 'warning' : 'pending',
      state: nothing ? say('state.none') : has('addition') ? say('state.waiting') : say('state.pending'),
      banner: nothing ? say('bannerNone') : say('bannerNotYet'),
      line: nothing ? undefined : line,
      link: nothing ? say('setUp') : say('manage'),
    };
  }
  const [tone, state]: [Tone, string] = has('removal')
    ? ['warning', say('state.removal')]
    : has('unreachable')
      ? ['danger', say('state.unreachable')]
      : has('replacement') || has('addition')
        ? ['pending', say('state.waiting')]
        : active === total
          ? ['ok', say('state.complete')]
          : ['ok', say('state.partial', { active, total })];
  return { tone, state, banner: undefined, line, link: say('manage') };
}
