import { describe, expect, it } from 'vitest';
import { nextState, stateOf, transitions, type RecoveryChannelEvent, type RecoveryChannelState } from './channel-state.js';

const events: RecoveryChannelEvent[] = ['set-up', 'confirm', 'resend', 'cancel', 'remove'];

describe('recovery channel state machine (email/state.mmd, phone/state.mmd)', () => {
  it.each<[RecoveryChannelState, RecoveryChannelEvent, RecoveryChannelState | undefined]>([
    ['none', 'set-up', 'pending'],
    ['none', 'confirm', undefined],
    ['none', 'resend', undefined],
    ['none', 'cancel', undefined],
    ['none', 'remove', undefined],
    ['pending', 'set-up', 'pending'], // replaces the pending setup: its link dies
    ['pending', 'confirm', 'active'],
    ['pending', 'resend', 'pending'],
    ['pending', 'cancel', 'none'],
    ['pending', 'remove', undefined], // nothing active to remove
    ['active', 'set-up', 'active-with-pending'], // a change: the old address stays active
    ['active', 'confirm', undefined],
    ['active', 'resend', undefined],
    ['active', 'cancel', undefined],
    ['active', 'remove', 'none'],
    ['active-with-pending', 'set-up', 'active-with-pending'],
    ['active-with-pending', 'confirm', 'active'], // the new address replaces the old
    ['active-with-pending', 'resend', 'active-with-pending'],
    ['active-with-pending', 'cancel', 'active'], // the active address is untouched
    ['active-with-pending', 'remove', 'none'],
  ])('%s --%s--> %s', (state, event, expected) => {
    expect(nextState(state, event)).toBe(expected);
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
  });
});
