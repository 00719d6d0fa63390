import path from 'node:path';
import { behaviourFor } from '../../sandbox/src/shared/behaviour.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import { encodeForm, type FormObject } from '../../sandbox/src/stripe/form.js';
import { startStripeEmulator, type StripeEmulatorOptions } from '../../sandbox/src/stripe/index.js';
import { ledgerOf, sendJson, tempDir, type Answer } from './emulator-http.js';

export { setBehaviour, sendJson } from './emulator-http.js';

export const STRIPE_KEY = SANDBOX_CREDENTIALS.stripe.secretKey;

/** A Stripe emulator on an ephemeral port with its state in a temp file, and a form-encoding client. */
export async function startStripe(options: Partial<StripeEmulatorOptions> = {}) {
  const temp = tempDir();
  const stateFile = options.stateFile ?? path.join(temp.dir, 'stripe.sqlite');
  const start = () =>
    startStripeEmulator({ port: 0, stateFile, behaviour: behaviourFor('stripe', 'fast'), ...options });
  let server = await start();
  const client = {
    get server() {
      return server;
    },
    stateFile,
    /** GET with query params, POST with a form body; `headers` may replace Authorization. */
    request(
      method: 'GET' | 'POST',
      pathname: string,
      params: FormObject = {},
      headers: Record<string, string> = {},
    ): Promise<Answer> {
      const encoded = encodeForm(params);
      const url = `${server.url}${pathname}${method === 'GET' && encoded ? `?${encoded}` : ''}`;
      return sendJson(url, {
        method,
        headers: {
          authorization: `Bearer ${STRIPE_KEY}`,
          ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...headers,
        },
        ...(method === 'POST' ? { body: encoded } : {}),
      });
    },
    post(pathname: string, params: FormObject = {}, headers: Record<string, string> = {}) {
      return client.request('POST', pathname, params, headers);
    },
    get(pathname: string, params: FormObject = {}, headers: Record<string, string> = {}) {
      return client.request('GET', pathname, params, headers);
    },
    ledger: () => ledgerOf(server),
    async restart() {
      await server.close();
      server = await start();
    },
    async close() {
      await server.close();
      temp.remove();
    },
  };
  return client;
}

export type StripeClient = Awaited<ReturnType<typeof startStripe>>;
