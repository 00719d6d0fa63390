import { parseDuration } from '../../core/duration.js';
import type { JsonObject } from '../../core/json.js';

/** A validated `stripe` connection (non-secret part). */
export interface ResolvedStripeConfig {
  baseUrl: URL;
  /** Per request (the SDK's `timeout`); the step's signal can end a request sooner. */
  timeoutMs: number;
  allowHosts: string[];
  /** `Stripe-Version`; null: the version the SDK is pinned to. */
  apiVersion: string | null;
}

export const STRIPE_CONNECTION_SCHEMA: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    base_url: { type: 'string', pattern: '^https?://', description: 'Default https://api.stripe.com.' },
    timeout: { type: ['number', 'string'], description: 'Per request (default 30s).' },
    allow_hosts: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Hosts let past the SSRF guard (a loopback emulator).',
    },
    api_version: { type: 'string', minLength: 1, description: "Stripe-Version (default: the SDK's)." },
  },
};

const DEFAULT_BASE_URL = 'https://api.stripe.com';
const DEFAULT_TIMEOUT_MS = 30_000;

export function resolveStripeConfig(config: JsonObject): ResolvedStripeConfig {
  const timeoutMs = config.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(config.timeout);
  if (timeoutMs === null || timeoutMs <= 0) throw new Error('"timeout" must be a positive duration');
  const baseUrl = new URL(typeof config.base_url === 'string' ? config.base_url : DEFAULT_BASE_URL);
  // The SDK takes host, port and protocol: a path, credentials or a query would be silently dropped.
  if (baseUrl.search || baseUrl.hash || baseUrl.username || baseUrl.password || baseUrl.pathname !== '/') {
    throw new Error('"base_url" must be a bare origin such as https://api.stripe.com');
  }
  return {
    baseUrl,
    timeoutMs,
    allowHosts: (config.allow_hosts as string[] | undefined) ?? [],
    apiVersion: typeof config.api_version === 'string' ? config.api_version : null,
  };
}
