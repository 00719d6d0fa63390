import { createConnectionReader } from '../connection-config.js';
import type { Connector } from '../connector.js';
import { twilioActions } from './actions.js';
import { createTwilioClient, TWILIO_SECRET_FIELDS } from './client.js';
import { resolveTwilioConfig, TWILIO_CONNECTION_SCHEMA } from './config.js';

/** `twilio`: SMS through Twilio's REST API (Basic auth), SSRF-guarded. `close()` closes its pools. */
export function createTwilioConnector(): Connector {
  const client = createTwilioClient();
  const readConnection = createConnectionReader('twilio', TWILIO_CONNECTION_SCHEMA, resolveTwilioConfig);
  return {
    name: 'twilio',
    description: 'Twilio SMS: send a message, read its delivery status.',
    connectionSchema: TWILIO_CONNECTION_SCHEMA,
    secretFields: TWILIO_SECRET_FIELDS,
    actions: twilioActions({ readConfig: (ctx) => readConnection(ctx.connection), client }),
    close: () => client.close(),
  };
}
