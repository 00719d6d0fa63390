import type { EmulatorOptions } from '../shared/emulator.js';
import { startEmulator, type EmulatorServer } from '../shared/http.js';
import { Ledger } from '../shared/ledger.js';
import { openState } from '../shared/state.js';
import { resourceNotFound } from './errors.js';
import { messageRoutes } from './messages.js';
import { MessageStore } from './store.js';

export interface TwilioEmulatorOptions extends EmulatorOptions {
  /** How long a message takes to be delivered (`sent` at half of it); default 2 s. */
  deliveryMs?: number;
  /** The clock (ms), for tests; defaults to Date.now. */
  now?: () => number;
}

/**
 * Emulates Twilio's Programmable Messaging API (2010-04-01 Messages resource): Basic auth with the
 * sandbox AccountSid and AuthToken, form-encoded sends, Twilio's resource JSON and error bodies. Twilio
 * has no idempotency key: every accepted send is a new message and a `messages.create` effect.
 */
export async function startTwilioEmulator(options: TwilioEmulatorOptions): Promise<EmulatorServer> {
  const db = openState(options.stateFile);
  const ledger = new Ledger(db, 'twilio');
  const routes = messageRoutes({
    store: new MessageStore(db),
    ledger,
    now: options.now ?? Date.now,
    deliveryMs: options.deliveryMs ?? 2000,
  });
  const server = await startEmulator({
    name: 'twilio',
    port: options.port,
    routes,
    behaviour: options.behaviour,
    ledger,
    notFound: (req) => resourceNotFound(req.path).toResponse(),
  });
  const close = server.close.bind(server);
  server.close = async () => {
    await close();
    db.close();
  };
  return server;
}
