import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../core/clock.js';
import { flowState, nextStates, TRANSITIONS, type ResetFlowState } from './state.js';

/** Every state of password-reset.mmd from a flow's columns. */
describe('flowState', () => {
  const at = 1_000_000;
  const row = {
    expires_at: at + 30 * MINUTE,
    processed_at: null,
    secret_purpose: null,
    secret_account_id: null,
    verified_at: null,
    used_at: null,
    superseded_at: null,
  };
  const sent = { ...row, processed_at: at, secret_purpose: 'password-reset-sms', secret_account_id: 'a' };
  it.each([
    ['requested until processed', row, at, 'requested'],
    ['code-sent when processed with a secret', sent, at, 'code-sent'],
    ['no-code when processed without one', { ...row, processed_at: at }, at, 'no-code'],
    ['verified after the code', { ...sent, verified_at: at }, at, 'verified'],
    ['expired 15 minutes after the code, not a millisecond later', { ...sent, verified_at: at }, at + 15 * MINUTE, 'expired'],
    ['expired at its end, verified or not', sent, at + 30 * MINUTE, 'expired'],
    ['used once the password is set', { ...sent, verified_at: at, used_at: at }, at, 'used'],
    ['superseded, whatever else', { ...sent, verified_at: at, superseded_at: at }, at, 'superseded'],
  ] as const)('%s', (_name, columns, now, expected) => {
    expect(flowState(columns, now)).toBe(expected);
  });
});

describe('password-reset.mmd draws state.ts', () => {
  const diagram = readFileSync(new URL('./password-reset.mmd', import.meta.url), 'utf8');
  /** "from --> to: event: …" lines between states (the start and end arrows aside). */
  const drawn = [...diagram.matchAll(/^\s*(\w+) --> (\w+): ([\w-]+):/gm)].map(([, from, to, event]) => ({
    from: (from ?? '').replaceAll('_', '-'),
    to: (to ?? '').replaceAll('_', '-'),
    event: event ?? '',
  }));

  it('every drawn arrow is a transition of state.ts', () => {
    expect(drawn.length).toBeGreaterThan(0);
    for (const { from, to, event } of drawn) expect(nextStates(from as ResetFlowState, event as never), `${from} --${event}--> ${to}`).toContain(to);
  });

  it('every transition of state.ts is drawn', () => {
    for (const [from, events] of Object.entries(TRANSITIONS)) {
      for (const [event, targets] of Object.entries(events)) {
        for (const to of targets) expect(drawn, `${from} --${event}--> ${to}`).toContainEqual({ from, to, event });
      }
    }
  });
});
