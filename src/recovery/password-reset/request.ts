import { randomToken } from '../../core/random.js';
import type { Locale } from '../../i18n/translator.js';
import { clientBucketKey } from '../../security/client-address.js';
import type { ClientInfo } from '../../sessions/session-service.js';
import { RESET_PURPOSES, RESET_RESEND_COOLDOWN_MS, type FlowContext, type FlowStatus, type ForgotRequest } from './flow-context.js';
import type { FlowProcessing } from './process.js';
import { parseResetIdentifier, type ResetIdentifier } from './reset-identifier.js';
import { FLOW_TTL_MS, flowState } from './state.js';

/** A new flow: its cookie's value (only the browser has it), its id and its end. */
export interface StartedFlow {
  readonly flowToken: string;
  readonly flowId: string;
  readonly expiresAt: number;
}

/** The answered half of "Passwort vergessen?": the request, its twin for the back office, and where a flow stands. */
export interface FlowRequests {
  request(input: ForgotRequest): Promise<StartedFlow>;
  requestForSupport(input: { email: string; locale: Locale; client: ClientInfo }): Promise<void>;
  status(token: string | undefined): Promise<FlowStatus>;
}

/**
 * request: answered at once and neutrally. It parses the identifier, takes the client's limit
 * and writes the flow row — the same work for every identifier; what the identifier leads to is
 * decided after the answer (process.ts), so the answer cannot tell
 * (docs/reference/security-requirements.md 3.1, 3.2).
 */
export function createFlowRequests(context: FlowContext, processing: Pick<FlowProcessing, 'process'>): FlowRequests {
  const { deps, flowIdOf, identifierHash, openFlow, parseIds, choices } = context;
  const { database, clock } = deps;

  /** Writes a new flow for an identifier (processed after the answer, or at once for support). */
  async function startFlow(identifier: ResetIdentifier, input: ForgotRequest): Promise<StartedFlow> {
    const now = clock.now();
    const clientKey = clientBucketKey(input.client.ip);
    // This browser's own earlier flow ends (its secrets first: the lock order of verify), unless
    // verified; the same work whatever the identifiers are. Other browsers' flows stay.
    // (A verified flow's secrets are used up already, so retiring them changes nothing.)
    if (input.previousFlowToken && input.previousFlowToken.length <= 128) {
      const previousId = flowIdOf(input.previousFlowToken);
      await deps.verification.retireFlow(database.db, previousId, RESET_PURPOSES);
      await deps.flows.supersedeUnverified(database.db, previousId, now);
    }
    const flowToken = randomToken(32);
    const flowId = flowIdOf(flowToken);
    await deps.flows.insert(database.db, {
      id: flowId,
      identifier_hash: identifierHash(identifier),
      identifier_kind: identifier.kind,
      identifier: identifier.normalized,
      country: identifier.kind === 'phone' ? identifier.country : null,
      locale: input.locale,
      ip: input.client.ip,
      client_key: clientKey,
      user_agent: input.client.userAgent?.slice(0, 512) ?? null,
      created_at: now,
      expires_at: now + FLOW_TTL_MS,
      processed_at: null,
      channel: null,
      account_ids: null,
      secret_purpose: null,
      secret_account_id: null,
      attempts_left: deps.config.verification.maxAttempts,
      last_failure_at: null,
      superseded_at: null,
      verified_at: null,
      used_at: null,
    });
    return { flowToken, flowId, expiresAt: now + FLOW_TTL_MS };
  }

  return {
    async request(input) {
      const identifier = parseResetIdentifier(input.identifier, input.country, deps.config.sms);
      await deps.rateLimits.enforce('reset-client', clientBucketKey(input.client.ip));
      return startFlow(identifier, input);
    },

    async requestForSupport(input) {
      const identifier = parseResetIdentifier(input.email, undefined, deps.config.sms);
      const { flowId } = await startFlow(identifier, { ...input, identifier: input.email, country: undefined, previousFlowToken: undefined });
      await processing.process(flowId);
    },

    async status(token) {
      const flow = await openFlow(token);
      if (!flow) return { stage: 'none' };
      const channel = flow.identifier_kind === 'phone' ? 'sms' : 'email';
      if (flow.verified_at !== null) {
        if (flowState(flow, clock.now()) !== 'verified') return { stage: 'none' };
        const accounts = await choices(parseIds(flow));
        return { stage: 'verified', channel, ...(accounts ? { accounts } : {}) };
      }
      // A flow that sent nothing, or has not been processed yet, looks like one that sent a code.
      return { stage: 'code-sent', channel, resendAvailableAt: new Date(flow.created_at + RESET_RESEND_COOLDOWN_MS).toISOString() };
    },
  };
}
