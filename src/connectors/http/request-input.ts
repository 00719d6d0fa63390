import { CallError } from '../../core/errors.js';
import { isPlainObject, type JsonObject } from '../../core/json.js';
import type { ResolvedHttpConfig } from './config.js';
import { HTTP_METHODS, type HttpMethod } from './effect.js';

/** A request ready to send: URL resolved, headers merged (lower-case names), body encoded. */
export interface PreparedRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body: string | null;
  /** Header names that came from the connection: they belong to its base origin only. */
  connectionHeaders: string[];
  sendsIdempotencyKey: boolean;
  /** Extra response headers the step asked to see. */
  responseHeaders: string[];
}

/** The `with` of an http action, as its input schema admits it. */
export const HTTP_REQUEST_PROPERTIES: JsonObject = {
  path: { type: 'string', description: 'Joined to the connection base_url.' },
  url: { type: 'string', pattern: '^https?://', description: 'An absolute URL (instead of path).' },
  query: {
    type: 'object',
    additionalProperties: {
      type: ['string', 'number', 'boolean', 'array'],
      items: { type: ['string', 'number', 'boolean'] },
    },
  },
  headers: { type: 'object', additionalProperties: { type: 'string' } },
  body: { description: 'A string is sent as text; anything else as JSON.' },
  idempotency_key: { type: 'boolean', description: 'Send the step key as Idempotency-Key.' },
  response_headers: {
    type: 'array',
    items: { type: 'string' },
    description: 'Extra response headers to return.',
  },
};

// Framing and hop-by-hop headers are the transport's business; a step setting them could smuggle requests.
const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** The method of an action's input: fixed by the sugar actions, else `method` (default GET). */
export function methodOf(input: JsonObject, fixed: HttpMethod | null): HttpMethod {
  const method = fixed ?? (typeof input.method === 'string' ? input.method.toUpperCase() : 'GET');
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    throw invalid(`method ${method} is not supported`);
  }
  return method as HttpMethod;
}

export function prepareRequest(
  input: JsonObject,
  method: HttpMethod,
  config: ResolvedHttpConfig,
  stepKey: string,
): PreparedRequest {
  const url = resolveUrl(input, config.baseUrl);
  for (const [name, value] of Object.entries(isPlainObject(input.query) ? input.query : {})) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  const headers: Record<string, string> = {
    accept: 'application/json, */*;q=0.5',
    'user-agent': 'switchyard',
  };
  const sameOrigin = config.baseUrl !== null && url.origin === config.baseUrl.origin;
  const connectionHeaders = sameOrigin ? Object.keys(config.headers).map((n) => n.toLowerCase()) : [];
  if (sameOrigin) assign(headers, config.headers);
  const stepHeaders = isPlainObject(input.headers) ? (input.headers as Record<string, string>) : {};
  for (const name of Object.keys(stepHeaders)) {
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) throw invalid(`header ${name} may not be set by a step`);
  }
  assign(headers, stepHeaders);
  const body = encodeBody(input.body, headers);
  const sendsIdempotencyKey = input.idempotency_key === true;
  if (sendsIdempotencyKey) headers['idempotency-key'] = stepKey;
  const responseHeaders = Array.isArray(input.response_headers)
    ? input.response_headers.map((h) => String(h).toLowerCase())
    : [];
  return { method, url, headers, body, connectionHeaders, sendsIdempotencyKey, responseHeaders };
}

function resolveUrl(input: JsonObject, baseUrl: URL | null): URL {
  if (typeof input.url === 'string') {
    if (input.path !== undefined) throw invalid('give either path or url, not both');
    return parseUrl(input.url);
  }
  if (typeof input.path !== 'string') {
    throw invalid('a request needs a path (with a connection base_url) or a url');
  }
  if (!baseUrl) throw invalid('path needs a connection with a base_url; give an absolute url instead');
  // A scheme or a leading `//` would let `path` leave the base origin; the origin check below backs this up.
  if (/^[a-z][a-z0-9+.-]*:|^[/\\]{2}/i.test(input.path)) {
    throw invalid('path must be relative to the base_url');
  }
  const url = parseUrl(
    `${baseUrl.origin}${baseUrl.pathname.replace(/\/+$/, '')}/${input.path.replace(/^\/+/, '')}`,
  );
  if (url.origin !== baseUrl.origin) throw invalid('path must stay on the base_url origin');
  return url;
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw invalid('the URL is malformed');
  }
}

function encodeBody(body: JsonObject[string] | undefined, headers: Record<string, string>): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return body;
  }
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}

function assign(target: Record<string, string>, source: Record<string, string>): void {
  for (const [name, value] of Object.entries(source)) target[name.toLowerCase()] = value;
}

function invalid(message: string): CallError {
  return new CallError({ code: 'HTTP_INVALID_REQUEST', message, retrySafe: false });
}
