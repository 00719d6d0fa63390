import { SANDBOX_CREDENTIALS } from '../shared/credentials.js';
import type { EmulatorOptions } from '../shared/emulator.js';
import { startEmulator, type EmulatorServer } from '../shared/http.js';
import { Ledger } from '../shared/ledger.js';
import { openState } from '../shared/state.js';
import { chargeEndpoints } from './charges.js';
import { customerEndpoints } from './customers.js';
import { toRoute } from './endpoint.js';
import { IdempotencyStore } from './idempotency.js';
import { newId } from './ids.js';
import { paymentIntentEndpoints } from './payment-intents.js';
import { refundEndpoints } from './refunds.js';
import { seedStripe } from './seed.js';
import { ObjectStore } from './store.js';

export interface StripeEmulatorOptions extends EmulatorOptions {
  /** The clock (ms), for tests of the 24-hour key lifetime; defaults to Date.now. */
  now?: () => number;
  /**
   * The secret keys accepted (default: the sandbox key). Each is its own Idempotency-Key scope; the
   * records are shared, as keys of one account share them.
   */
  secretKeys?: string[];
}

/**
 * Emulates the Stripe API v1 (https://docs.stripe.com/api) for customers, payment intents, refunds and
 * the charges and payment methods they make: form-encoded requests, Stripe's objects, errors and
 * Idempotency-Key semantics; state in the SQLite state file; every executed change on the ledger.
 */
export async function startStripeEmulator(options: StripeEmulatorOptions): Promise<EmulatorServer> {
  const db = openState(options.stateFile);
  const nowMs = options.now ?? Date.now;
  const store = new ObjectStore(db);
  const ledger = new Ledger(db, 'stripe');
  if (options.seed ?? true) seedStripe(store, Math.floor(nowMs() / 1000));
  // The router's behaviour (changeable at run time) sets how long a state change holds its key.
  const live: { server?: EmulatorServer } = {};
  const deps = {
    db,
    store,
    ledger,
    idempotency: new IdempotencyStore(db, nowMs),
    secretKeys: options.secretKeys ?? [SANDBOX_CREDENTIALS.stripe.secretKey],
    nowMs,
    behaviour: () => live.server?.behaviour ?? options.behaviour,
  };
  const endpoints = [...customerEndpoints, ...paymentIntentEndpoints, ...refundEndpoints, ...chargeEndpoints];
  const server = await startEmulator({
    name: 'stripe',
    port: options.port,
    routes: endpoints.map((e) => toRoute(e, deps)),
    behaviour: options.behaviour,
    ledger,
    notFound: (req) => ({
      status: 404,
      headers: { 'request-id': newId.request() },
      body: {
        error: {
          message: `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          type: 'invalid_request_error',
        },
      },
    }),
  });
  live.server = server;
  return withDatabaseClosed(server, () => db.close());
}

/** The server, whose close() also closes the state file. */
export function withDatabaseClosed(server: EmulatorServer, closeDb: () => void): EmulatorServer {
  const close = server.close.bind(server);
  server.close = async () => {
    await close();
    closeDb();
  };
  return server;
}
