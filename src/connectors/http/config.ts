import { parseDuration } from '../../core/duration.js';
import type { JsonObject } from '../../core/json.js';

/** A validated `http` connection. */
export interface ResolvedHttpConfig {
  /** Null when requests must give an absolute `url`. */
  baseUrl: URL | null;
  headers: Record<string, string>;
  /** Per try, including redirects and reading the body. */
  timeoutMs: number;
  allowHosts: string[];
  /** Extra tries after the first, for requests whose effect is not `unsafe`. */
  retries: number;
  maxResponseBytes: number;
}

export const HTTP_CONNECTION_SCHEMA: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    base_url: { type: 'string', pattern: '^https?://' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    timeout: { type: ['number', 'string'] },
    allow_hosts: { type: 'array', items: { type: 'string', minLength: 1 } },
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    max_response_bytes: { type: 'integer', minimum: 1 },
  },
};

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export function resolveHttpConfig(config: JsonObject): ResolvedHttpConfig {
  const timeoutMs = config.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(config.timeout);
  if (timeoutMs === null || timeoutMs <= 0) throw new Error('"timeout" must be a positive duration');
  let baseUrl: URL | null = null;
  if (typeof config.base_url === 'string') {
    baseUrl = new URL(config.base_url);
    if (baseUrl.search || baseUrl.hash) throw new Error('"base_url" must not carry a query or fragment');
  }
  return {
    baseUrl,
    headers: (config.headers as Record<string, string> | undefined) ?? {},
    timeoutMs,
    allowHosts: (config.allow_hosts as string[] | undefined) ?? [],
    retries: (config.retries as number | undefined) ?? 2,
    maxResponseBytes: (config.max_response_bytes as number | undefined) ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}
