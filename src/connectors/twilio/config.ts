import { parseDuration } from '../../core/duration.js';
import type { JsonObject } from '../../core/json.js';

/** A validated `twilio` connection (non-secret part). */
export interface ResolvedTwilioConfig {
  baseUrl: URL;
  /** The sender when a step gives no `from`. */
  fromNumber: string | null;
  timeoutMs: number;
  allowHosts: string[];
  maxResponseBytes: number;
}

export const E164 = '^\\+[1-9][0-9]{6,14}$';

export const TWILIO_CONNECTION_SCHEMA: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    base_url: { type: 'string', pattern: '^https?://', description: 'Default https://api.twilio.com.' },
    from_number: { type: 'string', pattern: E164, description: 'Default sender, E.164 (+15005550006).' },
    timeout: { type: ['number', 'string'], description: 'Per request (default 15s).' },
    allow_hosts: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Hosts let past the SSRF guard (a loopback emulator).',
    },
    max_response_bytes: { type: 'integer', minimum: 1 },
  },
};

const DEFAULT_BASE_URL = 'https://api.twilio.com';
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export function resolveTwilioConfig(config: JsonObject): ResolvedTwilioConfig {
  const timeoutMs = config.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(config.timeout);
  if (timeoutMs === null || timeoutMs <= 0) throw new Error('"timeout" must be a positive duration');
  const baseUrl = new URL(typeof config.base_url === 'string' ? config.base_url : DEFAULT_BASE_URL);
  if (baseUrl.search || baseUrl.hash || baseUrl.username || baseUrl.password) {
    throw new Error('"base_url" must not carry credentials, a query or a fragment');
  }
  return {
    baseUrl,
    fromNumber: typeof config.from_number === 'string' ? config.from_number : null,
    timeoutMs,
    allowHosts: (config.allow_hosts as string[] | undefined) ?? [],
    maxResponseBytes: (config.max_response_bytes as number | undefined) ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}
