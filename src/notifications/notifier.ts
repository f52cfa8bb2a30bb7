import type { Executor } from '../db/database.js';
import type { Outbox } from '../delivery/outbox/outbox.js';
import type { Locale, Translator } from '../i18n/translator.js';
import { messageCatalogue, type MessageCatalogue, type MessageKind, type RecipientRule } from './catalogue.js';
import { renderMessage, type MessageParams } from './render-message.js';
import type { RequestOrigin, SecurityLog } from './security-log.js';

export interface NotifierDeps {
  readonly outbox: Outbox;
  readonly translator: Translator;
  readonly securityLog: SecurityLog;
  readonly config: { readonly appName: string; readonly http: { readonly publicUrl: string } };
  /** The message kinds; tests pass their own entries, everything else the real catalogue. */
  readonly catalogue?: MessageCatalogue;
}

export interface NotifyInput {
  readonly kind: MessageKind | (string & {});
  readonly locale: Locale;
  /** The address for `given-address` messages (ignored for `account` messages). */
  readonly to?: string;
  readonly accountId?: string;
  readonly params?: MessageParams;
  /** The request that caused the message, for the security log. */
  readonly origin?: RequestOrigin;
  /** When the secret in the message expires: the message is not sent after that. */
  readonly expiresAt?: number;
}

export interface NotifyResult {
  readonly messageIds: readonly string[];
  readonly securityEventId: string | null;
}

async function resolveRecipients(trx: Executor, rule: RecipientRule, input: NotifyInput): Promise<string[]> {
  if (rule === 'given-address') {
    if (!input.to) throw new Error(`message ${input.kind} needs an address`);
    return [input.to];
  }
  if (!input.accountId) throw new Error(`message ${input.kind} needs an account`);
  // The login e-mail and the active recovery e-mail (PRODUCT.md §4); never a pending one.
  const account = await trx.selectFrom('accounts').select('email').where('id', '=', input.accountId).executeTakeFirst();
  if (!account) return [];
  const recovery = await trx
    .selectFrom('recovery_emails')
    .select('address')
    .where('account_id', '=', input.accountId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  const addresses = [account.email, ...(recovery ? [recovery.address] : [])];
  // No duplicates when two are the same address.
  return addresses.filter((address, index) => addresses.findIndex((other) => other.toLowerCase() === address.toLowerCase()) === index);
}

/**
 * Turns "this happened" into messages and a security-log row, in the caller's transaction:
 * looks the kind up in the catalogue, resolves its recipients, renders each message in the
 * recipient's language and enqueues it in the outbox. Nothing is sent here.
 */
export function createNotifier(deps: NotifierDeps) {
  const catalogue: MessageCatalogue = deps.catalogue ?? messageCatalogue;

  return {
    async notify(trx: Executor, input: NotifyInput): Promise<NotifyResult> {
      const definition = catalogue[input.kind];
      if (!definition) throw new Error(`unknown message kind ${input.kind}`);
      const params = input.params ?? {};
      const rendered = renderMessage(definition, params, {
        translator: deps.translator,
        locale: input.locale,
        appName: deps.config.appName,
        publicUrl: deps.config.http.publicUrl,
      });
      const recipients = await resolveRecipients(trx, definition.recipients, input);
      const messageIds: string[] = [];
      for (const to of recipients) {
        messageIds.push(
          await deps.outbox.enqueue(trx, {
            kind: input.kind,
            channel: definition.channel,
            to,
            accountId: input.accountId ?? null,
            locale: input.locale,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            secrets: rendered.secrets,
            ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
          }),
        );
      }
      let securityEventId: string | null = null;
      if (definition.securityEvent !== null && input.accountId !== undefined) {
        securityEventId = await deps.securityLog.record(trx, {
          accountId: input.accountId,
          type: definition.securityEvent,
          ...(input.origin ? { origin: input.origin } : {}),
        });
      }
      return { messageIds, securityEventId };
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
