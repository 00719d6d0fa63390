import { parseDuration } from '../../core/duration.js';
import type { JsonObject } from '../../core/json.js';

/** A validated `salesforce` connection (non-secret part). */
export interface ResolvedSalesforceConfig {
  /** Where tokens come from: `{login_url}/services/oauth2/token`. */
  loginUrl: URL;
  /** When set, used instead of the `instance_url` the token response names. */
  instanceUrl: URL | null;
  /** REST API version, e.g. `v60.0`. */
  apiVersion: string;
  /** How long a fresh token is trusted before it is refreshed proactively (a 401 refreshes earlier). */
  tokenTtlMs: number;
  /** Per request. */
  timeoutMs: number;
  allowHosts: string[];
  maxResponseBytes: number;
}

export const SALESFORCE_CONNECTION_SCHEMA: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    login_url: {
      type: 'string',
      pattern: '^https?://',
      description:
        'OAuth2 login host (default https://login.salesforce.com; test.salesforce.com for sandboxes).',
    },
    instance_url: {
      type: 'string',
      pattern: '^https?://',
      description: 'Overrides the instance_url of the token response (e.g. a proxy in front of the org).',
    },
    api_version: {
      type: 'string',
      pattern: '^v\\d+\\.\\d+$',
      description: 'REST API version (default v60.0).',
    },
    token_ttl: {
      type: ['number', 'string'],
      description: 'How long an access token is used before a refresh (default 15m; a 401 refreshes sooner).',
    },
    timeout: { type: ['number', 'string'], description: 'Per request (default 30s).' },
    allow_hosts: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Hosts let past the SSRF guard (a loopback emulator).',
    },
    max_response_bytes: { type: 'integer', minimum: 1 },
  },
};

const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
const DEFAULT_API_VERSION = 'v60.0';
/**
 * Salesforce's token response carries no `expires_in`: a session lasts the org's session timeout (15 min
 * to 24 h, counted from last activity), which the API does not tell. 15 minutes is the shortest timeout
 * an org can set, so a token is never trusted longer than any org keeps it, at the cost of one token
 * request per quarter hour; the 401 → refresh → retry path covers sessions revoked early. (Token
 * introspection would tell the real expiry, but costs a second call per refresh and needs the connected
 * app to be allowed to introspect.)
 */
const DEFAULT_TOKEN_TTL_MS = 15 * 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

export function resolveSalesforceConfig(config: JsonObject): ResolvedSalesforceConfig {
  const tokenTtlMs = duration(config.token_ttl, DEFAULT_TOKEN_TTL_MS, 'token_ttl');
  const timeoutMs = duration(config.timeout, DEFAULT_TIMEOUT_MS, 'timeout');
  return {
    loginUrl: originUrl(
      typeof config.login_url === 'string' ? config.login_url : DEFAULT_LOGIN_URL,
      'login_url',
    ),
    instanceUrl:
      typeof config.instance_url === 'string' ? originUrl(config.instance_url, 'instance_url') : null,
    apiVersion: typeof config.api_version === 'string' ? config.api_version : DEFAULT_API_VERSION,
    tokenTtlMs,
    timeoutMs,
    allowHosts: (config.allow_hosts as string[] | undefined) ?? [],
    maxResponseBytes: (config.max_response_bytes as number | undefined) ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}

function duration(value: JsonObject[string] | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new Error(`"${name}" must be a positive duration`);
  return ms;
}

/** A URL that names a host only: Salesforce paths are absolute (`/services/...`). */
export function originUrl(text: string, name: string): URL {
  const url = new URL(text);
  if (url.search || url.hash || url.username || url.password || url.pathname.replace(/\/+$/, '') !== '') {
    throw new Error(`"${name}" must be a bare origin such as https://example.my.salesforce.com`);
  }
  return url;
}
