/**
 * The events a host application can receive (docs/integration.md "Webhooks"). Each is emitted in
 * the transaction of the change it reports, so a rolled-back change sends nothing and a committed
 * one is never lost. Payloads carry ids and facts, never a secret, code, link or password.
 */
export const WEBHOOK_EVENT_TYPES = [
  'account.created',
  'account.email_changed',
  'account.password_changed',
  'account.password_reset',
  'account.recovery_changed',
  'account.secured',
  'account.disabled',
  'account.enabled',
  'account.deleted',
  'session.revoked',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The facts of an event besides the account id: plain values only (no nested objects, no secrets). */
export type WebhookEventData = Readonly<Record<string, string | number | boolean | null>>;

/** An event as the emitter takes it: `occurredAt` is the change's time (the body's `timestamp`). */
export interface WebhookEvent {
  readonly type: WebhookEventType;
  readonly accountId: string;
  readonly data?: WebhookEventData;
  readonly occurredAt: number;
}

/** The JSON body of a delivery: `{type, timestamp, data: {accountId, …}}` (Standard Webhooks). */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({ type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data: { accountId: event.accountId, ...event.data } });
}

/** Security-log rows that a host hears about, and how (the rest stay between Lifeline and the owner). */
const FROM_SECURITY_LOG: Readonly<Record<string, (details: Readonly<Record<string, unknown>>) => { type: WebhookEventType; data?: WebhookEventData }>> = {
  'account.email_verified': () => ({ type: 'account.created' }),
  'login_email.changed': () => ({ type: 'account.email_changed' }),
  'password.changed': () => ({ type: 'account.password_changed' }),
  'password.reset': () => ({ type: 'account.password_reset' }),
  'recovery_email.added': () => ({ type: 'account.recovery_changed', data: { channel: 'email', change: 'added' } }),
  'recovery_email.changed': () => ({ type: 'account.recovery_changed', data: { channel: 'email', change: 'changed' } }),
  'recovery_email.removed': () => ({ type: 'account.recovery_changed', data: { channel: 'email', change: 'removed' } }),
  'recovery_phone.added': () => ({ type: 'account.recovery_changed', data: { channel: 'phone', change: 'added' } }),
  'recovery_phone.changed': () => ({ type: 'account.recovery_changed', data: { channel: 'phone', change: 'changed' } }),
  'recovery_phone.removed': () => ({ type: 'account.recovery_changed', data: { channel: 'phone', change: 'removed' } }),
  // The host's own event's id when the owner undid one of the host's events (host events), and
  // whether the login email or recovery channels changed with the undo (a host caching them reads again).
  'security.undone': (details) => {
    const data = {
      ...(typeof details.hostEventId === 'string' ? { hostEventId: details.hostEventId } : {}),
      ...(details.loginEmailRestored === true ? { loginEmailRestored: true } : {}),
      ...(details.recoveryChanged === true ? { recoveryChanged: true } : {}),
    };
    return { type: 'account.secured', ...(Object.keys(data).length > 0 ? { data } : {}) };
  },
  'account.disabled': () => ({ type: 'account.disabled' }),
  'account.enabled': () => ({ type: 'account.enabled' }),
};

/** The webhook event a security-log row stands for, if any. */
export function webhookEventOfSecurityLog(
  type: string,
  details: Readonly<Record<string, unknown>> = {},
): { type: WebhookEventType; data?: WebhookEventData } | undefined {
  return Object.hasOwn(FROM_SECURITY_LOG, type) ? FROM_SECURITY_LOG[type]?.(details) : undefined;
}
