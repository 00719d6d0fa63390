import type { JsonObject, JsonValue } from '../../core/json.js';
import { first, type RawResponse } from './send.js';

/** Response headers every output carries when present; a step asks for others with `response_headers`. */
const SELECTED_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'location',
  'retry-after',
  'link',
];
// Never handed to recipes (and so never journaled), even when asked for.
const WITHHELD_HEADERS = new Set([
  'set-cookie',
  'set-cookie2',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
]);

/** The action's output: `{status, headers, body}`, the body parsed as JSON when it says it is JSON. */
export function responseOutput(res: RawResponse, extraHeaders: readonly string[]): JsonObject {
  const headers: JsonObject = {};
  for (const name of [...SELECTED_HEADERS, ...extraHeaders]) {
    const value = first(res.headers[name]);
    if (value !== undefined && !WITHHELD_HEADERS.has(name)) headers[name] = value;
  }
  return { status: res.status, headers, body: parseBody(res.body, first(res.headers['content-type'])) };
}

function parseBody(bytes: Buffer, contentType: string | undefined): JsonValue {
  if (bytes.length === 0) return null;
  const text = bytes.toString('utf8');
  if (!contentType || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // A server that mislabels its body still gets its text through; the recipe can decide.
    return text;
  }
}
