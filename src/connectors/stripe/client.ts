import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { fetch as undiciFetch, type Dispatcher, type RequestInit as UndiciRequestInit } from 'undici';
import type { ResolvedConnection } from '../connector.js';
import { createDispatcherCache } from '../http/dispatchers.js';
import type { SsrfGuard } from '../http/ssrf-guard.js';
import type { ResolvedStripeConfig } from './config.js';
import { connectionInvalid } from './errors.js';

export const STRIPE_SECRET_FIELDS = [
  { name: 'secret_key', required: true, description: 'Secret or restricted API key (sk_… / rk_…).' },
];

const MAX_CLIENTS = 64;

/** The SDK, loaded on first use: it takes ~100 ms to import, which processes that never pay spare. */
let sdk: Promise<typeof Stripe> | null = null;
const loadSdk = () => (sdk ??= import('stripe').then((module) => module.default));

export interface StripeClients {
  /** The SDK client for this connection (one per config and key, reused across steps). */
  get(connection: ResolvedConnection, config: ResolvedStripeConfig): Promise<Stripe>;
  /** Runs `fn` with `signal` reaching every request it makes: aborting it aborts the socket. */
  withSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Official `stripe` SDK clients pointed at the connection's base_url (host/port/protocol), with no
 * retries of their own (`maxNetworkRetries: 0`: the step's retry policy decides, and every write is
 * keyed, so a retried step is deduplicated by Stripe). Requests go through the SDK's fetch client over
 * the http connector's SSRF-guarded undici pools; the step's abort signal is handed to them through
 * async context, since the SDK's request options have no signal.
 */
export function createStripeClients(): StripeClients {
  const dispatchers = createDispatcherCache();
  const clients = new Map<string, Stripe>();
  const stepSignal = new AsyncLocalStorage<AbortSignal>();

  const guardedFetch =
    (dispatcher: Dispatcher, guard: SsrfGuard) =>
    async (input: string | URL, init: UndiciRequestInit = {}) => {
      const url = new URL(String(input));
      guard.checkUrl(url);
      const step = stepSignal.getStore();
      const signals = [init.signal, step].filter((s): s is AbortSignal => s instanceof AbortSignal);
      return undiciFetch(url, {
        ...init,
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
        dispatcher,
        // Stripe never redirects; a redirect must not lead the key elsewhere.
        redirect: 'manual',
      });
    };

  return {
    async get(connection, config) {
      const secretKey = connection.secrets.secret_key;
      if (!secretKey) throw connectionInvalid(`connection "${connection.name}" lacks the secret_key secret`);
      const keyHash = createHash('sha256').update(secretKey).digest('hex');
      const cacheKey = JSON.stringify([
        config.baseUrl.origin,
        config.timeoutMs,
        config.apiVersion,
        [...config.allowHosts].sort(),
        keyHash,
      ]);
      let client = clients.get(cacheKey);
      if (!client) {
        const StripeSdk = await loadSdk();
        const { agent, guard } = dispatchers.get(config.allowHosts);
        const https = config.baseUrl.protocol === 'https:';
        client = new StripeSdk(secretKey, {
          host: config.baseUrl.hostname,
          port: config.baseUrl.port || (https ? 443 : 80),
          protocol: https ? 'https' : 'http',
          maxNetworkRetries: 0,
          timeout: config.timeoutMs,
          telemetry: false,
          httpClient: StripeSdk.createFetchHttpClient(guardedFetch(agent, guard) as unknown as typeof fetch),
          ...(config.apiVersion ? { apiVersion: config.apiVersion as Stripe.LatestApiVersion } : {}),
        });
        // A rotated key leaves its old client behind: keep the most recent few only.
        if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
        clients.set(cacheKey, client);
      }
      return client;
    },
    withSignal: (signal, fn) => stepSignal.run(signal, fn),
    async close() {
      clients.clear();
      await dispatchers.close();
    },
  };
}
