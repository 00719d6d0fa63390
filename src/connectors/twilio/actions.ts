import type { JsonObject, JsonValue } from '../../core/json.js';
import type { ActionContext, ConnectorAction, ResolvedConnection } from '../connector.js';
import type { TwilioClient } from './client.js';
import type { ResolvedTwilioConfig } from './config.js';
import { invalidRequest } from './errors.js';
import * as schema from './schemas.js';

export interface TwilioDeps {
  readConfig(ctx: ActionContext): ResolvedTwilioConfig;
  client: TwilioClient;
}

export function twilioActions(deps: TwilioDeps): Record<string, ConnectorAction> {
  return {
    send_sms: {
      description:
        'Sends an SMS. Twilio takes no idempotency key: a send whose outcome is unknown (5xx, timeout) ' +
        'fails OUTCOME_UNKNOWN and is not repeated.',
      input: schema.SEND_SMS_INPUT,
      output: schema.SEND_SMS_OUTPUT,
      effect: () => 'unsafe',
      async run(input, ctx) {
        const config = deps.readConfig(ctx);
        const from = (input.from as string | undefined) ?? config.fromNumber;
        if (!from) throw invalidRequest('no "from": give one or set the connection\'s from_number');
        const form = { To: input.to as string, From: from, Body: input.body as string };
        const reply = await deps.client.call(
          ctx.connection as ResolvedConnection,
          config,
          { method: 'POST', path: '/Messages.json', form },
          'unsafe',
          ctx.signal,
        );
        const message = messageOf(reply.body);
        return {
          output: { sid: message.sid, status: message.status },
          // Which numbers and how long, never the text or the account.
          request: { method: 'POST', action: 'send_sms', to: form.To, from, body_chars: form.Body.length },
          response: { status: reply.status, sid: message.sid, message_status: message.status },
        };
      },
    },
    get_message: {
      description: 'Reads the delivery status of a message by SID.',
      input: schema.GET_MESSAGE_INPUT,
      output: schema.GET_MESSAGE_OUTPUT,
      effect: () => 'none',
      async run(input, ctx) {
        const sid = input.sid as string;
        const reply = await deps.client.call(
          ctx.connection as ResolvedConnection,
          deps.readConfig(ctx),
          { method: 'GET', path: `/Messages/${encodeURIComponent(sid)}.json` },
          'none',
          ctx.signal,
        );
        const message = messageOf(reply.body);
        return {
          output: message,
          request: { method: 'GET', action: 'get_message', sid },
          response: { status: reply.status, message_status: message.status },
        };
      },
    },
  };
}

/** The stable subset of a Twilio Message resource (no `uri`/`subresource_uris`: they name the account). */
function messageOf(body: JsonObject): { sid: string; status: string } & JsonObject {
  const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : null);
  return {
    sid: text(body.sid) ?? '',
    status: text(body.status) ?? 'unknown',
    to: text(body.to),
    from: text(body.from),
    error_code: typeof body.error_code === 'number' ? body.error_code : null,
    error_message: text(body.error_message),
    date_sent: text(body.date_sent),
  };
}
