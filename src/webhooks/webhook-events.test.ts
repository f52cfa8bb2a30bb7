import { describe, expect, it } from 'vitest';
import { securityEventTypes } from '../contract/security-event-types.js';
import { WEBHOOK_EVENT_TYPES, webhookBody, webhookEventOfSecurityLog } from './webhook-events.js';
import { webhookSignature, webhookSignatureHeader } from './webhook-signature.js';

describe('webhook events', () => {
  it('maps the security-log rows a host hears about, and only those', () => {
    expect(webhookEventOfSecurityLog('account.email_verified')).toEqual({ type: 'account.created' });
    expect(webhookEventOfSecurityLog('login_email.changed')).toEqual({ type: 'account.email_changed' });
    expect(webhookEventOfSecurityLog('password.changed')).toEqual({ type: 'account.password_changed' });
    expect(webhookEventOfSecurityLog('password.reset')).toEqual({ type: 'account.password_reset' });
    expect(webhookEventOfSecurityLog('recovery_phone.removed')).toEqual({ type: 'account.recovery_changed', data: { channel: 'phone', change: 'removed' } });
    expect(webhookEventOfSecurityLog('recovery_email.changed')).toEqual({ type: 'account.recovery_changed', data: { channel: 'email', change: 'changed' } });
    expect(webhookEventOfSecurityLog('security.undone', { eventId: 'e1' })).toEqual({ type: 'account.secured' });
    expect(webhookEventOfSecurityLog('security.undone', { eventId: 'e1', hostEventId: 'e1' })).toEqual({
      type: 'account.secured',
      data: { hostEventId: 'e1' },
    });
    expect(webhookEventOfSecurityLog('security.undone', { eventId: 'e2', loginEmailRestored: true, recoveryChanged: true, removed: 'x@example.com' })).toEqual({
      type: 'account.secured',
      data: { loginEmailRestored: true, recoveryChanged: true },
    });
    expect(webhookEventOfSecurityLog('account.disabled')).toEqual({ type: 'account.disabled' });
    expect(webhookEventOfSecurityLog('account.enabled')).toEqual({ type: 'account.enabled' });
    // Internal steps and attempts stay between Lifeline and the owner.
    for (const type of [
      'session.signed_in',
      'password_reset.requested',
      'recovery_email.setup_requested',
      'action_verification.code_sent',
      'host.event',
      'toString',
      '__proto__',
    ]) {
      expect(webhookEventOfSecurityLog(type), type).toBeUndefined();
    }
    // Every type it maps from exists in the log's vocabulary.
    for (const type of securityEventTypes) {
      const mapped = webhookEventOfSecurityLog(type);
      if (mapped) expect(WEBHOOK_EVENT_TYPES).toContain(mapped.type);
    }
  });

  it('the body is {type, timestamp (the event time), data: {accountId, …}}', () => {
    const body = webhookBody({ type: 'session.revoked', accountId: 'a1', data: { scope: 'all' }, occurredAt: Date.UTC(2026, 11, 7, 14, 0, 0) });
    expect(JSON.parse(body)).toEqual({ type: 'session.revoked', timestamp: '2026-12-07T14:00:00.000Z', data: { accountId: 'a1', scope: 'all' } });
  });

  it('signs like the Standard Webhooks reference vector; one signature per live secret', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = webhookSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const two = webhookSignatureHeader(
      [secret, 'whsec_' + Buffer.alloc(24, 1).toString('base64')],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(two.split(' ')).toHaveLength(2);
    expect(two.split(' ')[0]).toBe(signature);
  });
});
