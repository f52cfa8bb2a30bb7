import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  heldStateOf,
  heldTransitions,
  nextHeldState,
  nextState,
  stateOf,
  transitions,
  type HeldRowEvent,
  type RecoveryChannelEvent,
  type RecoveryChannelState,
} from './channel-state.js';

const events: RecoveryChannelEvent[] = ['set-up', 'confirm', 'confirm-held', 'resend', 'cancel', 'remove', 'remove-held', 'apply-held'];

describe('recovery channel state machine (email/state.mmd, phone/state.mmd)', () => {
  it.each<[RecoveryChannelState, RecoveryChannelEvent, RecoveryChannelState | undefined]>([
    ['none', 'set-up', 'pending'],
    ['none', 'confirm', undefined],
    ['none', 'confirm-held', undefined],
    ['none', 'resend', undefined],
    ['none', 'cancel', undefined],
    ['none', 'remove', undefined],
    ['none', 'remove-held', undefined],
    ['none', 'apply-held', 'active'], // a held addition becomes the channel
    ['pending', 'set-up', 'pending'], // replaces the pending setup: its link dies
    ['pending', 'confirm', 'active'],
    ['pending', 'confirm-held', 'none'], // the address waits as the held row
    ['pending', 'resend', 'pending'],
    ['pending', 'cancel', 'none'],
    ['pending', 'remove', undefined], // nothing active to remove
    ['pending', 'remove-held', undefined],
    ['pending', 'apply-held', 'active-with-pending'],
    ['active', 'set-up', 'active-with-pending'], // a change: the old address stays active
    ['active', 'confirm', undefined],
    ['active', 'confirm-held', undefined],
    ['active', 'resend', undefined],
    ['active', 'cancel', undefined],
    ['active', 'remove', 'none'],
    ['active', 'remove-held', 'active'], // stays 72 hours
    ['active', 'apply-held', 'active'], // a held replacement replaces it
    ['active-with-pending', 'set-up', 'active-with-pending'],
    ['active-with-pending', 'confirm', 'active'], // the new address replaces the old
    ['active-with-pending', 'confirm-held', 'active'],
    ['active-with-pending', 'resend', 'active-with-pending'],
    ['active-with-pending', 'cancel', 'active'], // the active address is untouched
    ['active-with-pending', 'remove', 'none'],
    ['active-with-pending', 'remove-held', 'active-with-pending'],
    ['active-with-pending', 'apply-held', 'active-with-pending'],
  ])('%s --%s--> %s', (state, event, expected) => {
    expect(nextState(state, event)).toBe(expected);
  });

  it.each<['nothing-held' | 'held', HeldRowEvent, 'nothing-held' | 'held']>([
    ['nothing-held', 'confirm-held', 'held'],
    ['nothing-held', 'confirm', 'nothing-held'],
    ['nothing-held', 'cancel-held', 'nothing-held'],
    ['held', 'confirm-held', 'held'], // the newer one replaces it
    ['held', 'apply-held', 'nothing-held'],
    ['held', 'cancel-held', 'nothing-held'],
    ['held', 'confirm', 'nothing-held'], // the latest request wins
    ['held', 'remove', 'nothing-held'],
    ['held', 'remove-held', 'nothing-held'],
  ])('held row: %s --%s--> %s', (state, event, expected) => {
    expect(nextHeldState(state, event)).toBe(expected);
  });

  it('covers every state and event', () => {
    expect(Object.keys(transitions).sort()).toEqual(['active', 'active-with-pending', 'none', 'pending']);
    for (const state of Object.keys(transitions) as RecoveryChannelState[]) for (const event of events) expect(() => nextState(state, event)).not.toThrow();
  });

  it('reads the state from the rows', () => {
    expect(stateOf({ active: false, pending: false })).toBe('none');
    expect(stateOf({ active: false, pending: true })).toBe('pending');
    expect(stateOf({ active: true, pending: false })).toBe('active');
    expect(stateOf({ active: true, pending: true })).toBe('active-with-pending');
    expect(heldStateOf({ held: false })).toBe('nothing-held');
    expect(heldStateOf({ held: true })).toBe('held');
  });

  /** The arrows of a diagram as "from --event--> to": the channel's outside the held row's box, the held row's inside it. */
  function arrowsOf(file: string): { channel: string[]; held: string[] } {
    const arrows = { channel: [] as string[], held: [] as string[] };
    let inHeldRow = false;
    for (const line of readFileSync(new URL(file, import.meta.url), 'utf8').split('\n')) {
      if (/^\s*state .* as held_row \{/.test(line)) inHeldRow = true;
      else if (/^\s*\}/.test(line)) inHeldRow = false;
      const arrow = /^\s*(\w+) --> (\w+): ([a-z-]+)/.exec(line);
      if (!arrow) continue;
      const [, from, to, event] = arrow.map((part) => part.replaceAll('_', '-'));
      (inHeldRow ? arrows.held : arrows.channel).push(`${from} --${event}--> ${to}`);
    }
    return arrows;
  }

  const tableArrows = <State extends string>(table: Readonly<Record<State, Partial<Record<string, State>>>>) =>
    Object.entries<Partial<Record<string, string>>>(table).flatMap(([from, next]) => Object.entries(next).map(([event, to]) => `${from} --${event}--> ${to}`));

  it.each(['email/state.mmd', 'phone/state.mmd'])('%s draws exactly the transitions of channel-state.ts', (file) => {
    const drawn = arrowsOf(file);
    expect([...new Set(drawn.channel)].sort()).toEqual(tableArrows(transitions).sort());
    expect([...new Set(drawn.held)].sort()).toEqual(tableArrows(heldTransitions).sort());
    // No arrow is drawn twice with the same event (an arrow per reason would hide a missing one).
    expect(drawn.channel.length).toBe(new Set(drawn.channel).size);
  });
});
