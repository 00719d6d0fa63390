import { createConnectionReader } from '../connection-config.js';
import type { Connector } from '../connector.js';
import { stripeActions } from './actions.js';
import { createStripeClients, STRIPE_SECRET_FIELDS } from './client.js';
import { resolveStripeConfig, STRIPE_CONNECTION_SCHEMA } from './config.js';

/**
 * `stripe`: customers, payment intents and refunds through the official `stripe` SDK, every write keyed
 * by the step (Idempotency-Key) so a retried or resumed step takes effect once. `close()` closes its pools.
 */
export function createStripeConnector(): Connector {
  const clients = createStripeClients();
  const readConnection = createConnectionReader('stripe', STRIPE_CONNECTION_SCHEMA, resolveStripeConfig);
  return {
    name: 'stripe',
    description:
      'Stripe payments: customers, payment intents (create, confirm, read), refunds, payment status.',
    connectionSchema: STRIPE_CONNECTION_SCHEMA,
    secretFields: STRIPE_SECRET_FIELDS,
    actions: stripeActions({ readConfig: (ctx) => readConnection(ctx.connection), clients }),
    close: () => clients.close(),
  };
}
